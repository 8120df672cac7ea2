"""The summary of a batch: one row per file and a sheet of every finding, as a workbook or as
two CSV files."""
from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from urllib.parse import quote

from ..check.result import Result
from ..errors import InputError
from ..fileio import atomic_write_bytes
from ..findings import SEVERITY_TEXT, clip, printable
from .ooxml import cell_text

SUMMARY_HEADERS = ["文件", "机关", "报告年度", "版本", "状态", "错误数", "警告数", "第一个问题", "上年对比", "标注副本"]
FINDING_HEADERS = ["文件", "机关", "级别", "规则", "表", "行", "栏", "工作表", "单元格", "实际值", "应为", "差值", "说明"]
STATUS_TEXT = {"ok": "通过", "invalid": "有错误", "error": "无法校验"}


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
            findings.append([r.path, r.organ or "", SEVERITY_TEXT["zh"].get(f.severity, f.severity), f.rule, f.table_label or "",
                             f.row_label or "", f.column_label or "", f.sheet or "", f.cell or (f"第 {f.line} 行" if f.line else ""),
                             f.found, f.expected, f.difference, f.message])
    return files, findings


def _csv_safe(value):
    """A cell a spreadsheet would take for a formula (= + - @, tab, CR) is escaped with a quote;
    control characters and lone surrogates are written out (\\xNN), text cut to a cell's limit."""
    if isinstance(value, str):
        value = clip(printable(value, newlines=True))
        return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
    return "" if value is None else value


def summary_paths(path: str) -> list[Path]:
    """The files a summary at `path` writes: the workbook, or the two CSV files."""
    target = Path(path)
    if target.suffix.lower() == ".csv":
        return [target, target.with_name(target.stem + "-findings.csv")]
    return [target]


def write_summary(path: str, results: list[Result]) -> list[Path]:
    files, findings = summary_rows(results)
    target = Path(path)
    if target.suffix.lower() == ".csv":
        written = []
        for rows, headers, out in zip((files, findings), (SUMMARY_HEADERS, FINDING_HEADERS), summary_paths(path)):
            buf = io.StringIO()
            writer = csv.writer(buf)
            writer.writerow(headers)
            for row in rows:
                writer.writerow([_csv_safe(v) for v in row])
            written.append(atomic_write_bytes(out, buf.getvalue().encode("utf-8-sig")))
        return written
    if target.suffix.lower() != ".xlsx":
        raise InputError(f"{path}：汇总文件须以 .xlsx 或 .csv 结尾")
    from openpyxl import Workbook                 # deferred (start-up time): a CSV summary needs none of it
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws.append(SUMMARY_HEADERS)
    fills = {"通过": "FFC6EFCE", "有错误": "FFFFC7CE", "无法校验": "FFFFEB9C"}
    for row in files:
        ws.append([cell_text(v) for v in row])
        r = ws.max_row
        ws.cell(r, 5).fill = PatternFill("solid", fgColor=fills[row[4]])
        if row[9]:
            link = ws.cell(r, 10)
            link.hyperlink = Hyperlink(ref=link.coordinate, target=_link(Path(row[9]), target))
            link.font = Font(color="FF0563C1", underline="single")
    for col, width in zip("ABCDEFGHIJ", (40, 24, 10, 8, 10, 8, 8, 80, 10, 40)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:J{ws.max_row}"
    detail = wb.create_sheet("全部问题")
    detail.append(FINDING_HEADERS)
    for row in findings:
        detail.append([cell_text(v) for v in row])
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


def _link(output: Path, summary: Path) -> str:
    """The summary's relative link to an annotated copy; a name XML cannot carry is percent-encoded."""
    try:
        rel = os.path.relpath(output.resolve(), start=summary.resolve().parent).replace(os.sep, "/")
    except ValueError:                        # another drive (Windows)
        rel = output.resolve().as_uri()
    return rel if printable(rel) == rel else quote(rel.encode("utf-8", "surrogateescape"), safe="/")
