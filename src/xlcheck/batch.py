"""Many files at once: expanding folders and globs, checking in parallel processes (results in
input order), matching last year's reports, and the summary workbook or CSV."""
from __future__ import annotations

import csv
import glob
import io
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Iterator

from .check import Options, Result, failed
from .errors import InputError
from .verify import Plan, verify_path

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".txt", ".html", ".htm", ".docx", ".pdf")


def _ours(name: str) -> bool:
    return ".checked." in name or name.startswith(("~$", ".~lock", ".")) or name.endswith((".bak", ".tmp"))


def expand(paths: list[str]) -> list[str]:
    """Files to check, in a stable order: folders recursively (supported files only, skipping
    xlcheck's own outputs and editors' lock files), glob patterns the shell did not expand, and
    every other path as given (so a missing file is reported, not dropped)."""
    out: list[str] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(str(f) for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES and not _ours(f.name))
            out.extend(found if found else [raw])
        elif not p.exists() and glob.has_magic(raw):
            matches = sorted(glob.glob(raw, recursive=True))
            out.extend(m for m in matches if not _ours(Path(m).name)) if matches else out.append(raw)
        else:
            out.append(raw)
    seen, unique = set(), []
    for path in out:                 # a file named twice (or through a folder and its parent) is checked once
        key = os.path.abspath(path)
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


# ------------------------------------------------------------------ workers

_STATE: dict = {}


def _init(model_spec, options: Options, plan: Plan, previous_file, index):
    _STATE.update(model=_load_model(model_spec), options=options, plan=plan, previous_file=previous_file, index=index)


def _load_model(spec):
    if spec is None:
        return None
    from . import schema as schemas
    kind, value = spec
    return schemas.load_schema_file(value) if kind == "path" else schemas.edition(value)


def _previous_for(index):
    def find(result: Result):
        return index.find(result.path, result.organ, result.year)
    return find


def _one(path: str) -> Result:
    s = _STATE
    previous = s["previous_file"] or (_previous_for(s["index"]) if s["index"] is not None else None)
    try:
        result = verify_path(path, s["model"], s["options"], s["plan"], previous)
    except InputError as exc:
        result = failed(path, str(exc))
    except Exception as exc:       # a bug must not end the batch: report it on this file
        result = failed(path, f"{path}：内部错误（{exc.__class__.__name__}: {exc}），请报告此问题")
    return slim(result)


def slim(result: Result) -> Result:
    """What crosses the process boundary and stays in memory for the summary."""
    result.model = None
    result.reads = {}
    result.cells = {}
    result.instance = {}
    return result


def run(files: list[str], model_spec, options: Options, plan: Plan, jobs: int = 1,
        previous_file: str | None = None, index=None) -> Iterator[Result]:
    """Results in input order, as they are ready."""
    jobs = max(1, min(jobs, len(files)))
    if jobs == 1:
        _init(model_spec, options, plan, previous_file, index)
        for path in files:
            yield _one(path)
        return
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init,
                             initargs=(model_spec, options, plan, previous_file, index)) as pool:
        yield from pool.map(_one, files, chunksize=max(1, min(16, len(files) // (jobs * 4) or 1)))


# ------------------------------------------------------------------ summary

SUMMARY_HEADERS = ["文件", "机关", "报告年度", "版本", "状态", "错误数", "警告数", "第一个问题", "上年对比", "标注副本"]
FINDING_HEADERS = ["文件", "机关", "级别", "规则", "表", "行", "栏", "工作表", "单元格", "实际值", "应为", "差值", "说明"]
STATUS_TEXT = {"ok": "通过", "invalid": "有错误", "error": "无法校验"}
SEVERITY_TEXT = {"error": "错误", "warning": "警告", "info": "提示"}


def summary_rows(results: list[Result]):
    files, findings = [], []
    for r in results:
        first = next((f for f in r.findings if f.severity in ("error", "warning")), None)
        c = r.counts
        continuity = "" if r.continuity is None else ("已对比" if r.continuity["status"] == "assessed" else "未校验")
        files.append([r.path, r.organ or "", r.year or "", r.edition or "", STATUS_TEXT[r.status],
                      c.get("error", 0), c.get("warning", 0),
                      (f"{first.where} {first.message}" if first and first.where else first.message) if first else (r.error or ""),
                      continuity, r.output or ""])
        for f in r.findings:
            findings.append([r.path, r.organ or "", SEVERITY_TEXT.get(f.severity, f.severity), f.rule, f.table_label or "",
                             f.row_label or "", f.column_label or "", f.sheet or "", f.cell or (f"第 {f.line} 行" if f.line else ""),
                             f.found, f.expected, f.difference, f.message])
    return files, findings


def _csv_safe(value):
    """A cell a spreadsheet would take for a formula (= + - @, tab, CR) is escaped with a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def write_summary(path: str, results: list[Result]) -> list[Path]:
    from .fileio import atomic_write_bytes

    files, findings = summary_rows(results)
    target = Path(path)
    if target.suffix.lower() == ".csv":
        written = []
        for rows, headers, out in ((files, SUMMARY_HEADERS, target),
                                   (findings, FINDING_HEADERS, target.with_name(target.stem + "-findings.csv"))):
            buf = io.StringIO()
            writer = csv.writer(buf)
            writer.writerow(headers)
            for row in rows:
                writer.writerow([_csv_safe(v) for v in row])
            written.append(atomic_write_bytes(out, buf.getvalue().encode("utf-8-sig")))
        return written
    if target.suffix.lower() != ".xlsx":
        raise InputError(f"{path}：汇总文件须以 .xlsx 或 .csv 结尾")
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws.append(SUMMARY_HEADERS)
    fills = {"通过": "FFC6EFCE", "有错误": "FFFFC7CE", "无法校验": "FFFFEB9C"}
    for row in files:
        ws.append([_text_safe(v) for v in row])
        r = ws.max_row
        ws.cell(r, 5).fill = PatternFill("solid", fgColor=fills[row[4]])
        if row[9]:
            link = ws.cell(r, 10)
            rel = os.path.relpath(Path(row[9]).resolve(), start=target.resolve().parent)
            link.hyperlink = Hyperlink(ref=link.coordinate, target=rel.replace(os.sep, "/"))
            link.font = Font(color="FF0563C1", underline="single")
    for col, width in zip("ABCDEFGHIJ", (40, 24, 10, 8, 10, 8, 8, 80, 10, 40)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:J{ws.max_row}"
    detail = wb.create_sheet("全部问题")
    detail.append(FINDING_HEADERS)
    for row in findings:
        detail.append([_text_safe(v) for v in row])
    for col, width in zip("ABCDEFGHIJKLM", (40, 24, 6, 26, 24, 30, 16, 12, 10, 10, 10, 8, 90)):
        detail.column_dimensions[col].width = width
    detail.freeze_panes = "A2"
    detail.auto_filter.ref = f"A1:M{detail.max_row}"
    for sheet in (ws, detail):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    buf = io.BytesIO()
    wb.save(buf)
    return [atomic_write_bytes(target, buf.getvalue())]


def _text_safe(value):
    """openpyxl would store a string starting with "=" as a formula: keep text as text."""
    if isinstance(value, str) and value.startswith("="):
        return "'" + value
    return value
