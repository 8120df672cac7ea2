"""The summary of a batch: one row per file and a sheet of every finding, as a workbook or as
two CSV files.

Written as the results come (`SummaryWriter`): rows go straight to a write-only workbook (or to
temporary CSV files) and no result is kept, so writing is linear in the number of files and the
memory of the run does not grow with it. A file's rows (`rows_of`) can be made where the file was
checked (a worker process); only the link to the annotated copy is made here, relative to the
summary. Both sheets print landscape, fitted to the page width, with the header row repeated.
"""
from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path
from typing import Iterable
from urllib.parse import quote

from ..check.diagnose import summary as diagnosis_summary
from ..check.explain import EXPLAINED
from ..check.result import Result
from ..errors import InputError
from ..fileio import atomic_write_bytes
from ..findings import SEVERITY_TEXT, clip, printable
from ..grid import col_letter as _letter
from .ooxml import cell_text

SUMMARY_HEADERS = ["文件", "机关", "报告年度", "版本", "状态", "错误数", "警告数", "已说明", "最可能出错的单元格", "第一个问题",
                   "上年对比", "标注副本"]
FINDING_HEADERS = ["文件", "机关", "级别", "规则", "表", "行", "栏", "工作表", "单元格", "实际值", "应为", "差值", "说明", "核实说明"]
SUMMARY_WIDTHS = (40, 24, 10, 8, 10, 8, 8, 8, 60, 80, 10, 40)
FINDING_WIDTHS = (40, 24, 6, 26, 24, 30, 16, 12, 10, 10, 10, 8, 90, 40)
STATUS_TEXT = {"ok": "通过", "invalid": "有错误", "error": "无法校验", "skipped": "未校验", "not_report": "不是年度报告"}
STATUS_FILLS = {"通过": "FFC6EFCE", "有错误": "FFFFC7CE", "无法校验": "FFFFEB9C", "未校验": "FFD9D9D9", "不是年度报告": "FFD9D9D9"}
STATUS_COLUMN, LINK_COLUMN = SUMMARY_HEADERS.index("状态"), SUMMARY_HEADERS.index("标注副本")


def _continuity(c: dict | None) -> str:
    if c is None:
        return "未对比"
    if c["status"] == "assessed":
        return "已对比"
    return "未找到" if c.get("previous") is None else "未对比（上年报告无法读取）"


def rows_of(r: Result) -> tuple[list, list[list]]:
    """One file's row of the summary and its rows of the findings sheet. A file that could not be
    checked has empty counts (not 0: nothing was counted)."""
    first = next((f for f in r.findings if f.severity == "error"), None) or \
        next((f for f in r.findings if f.severity == "warning"), None)
    c = r.counts
    checked = r.status != "error"
    explained = sum(1 for f in r.findings if f.explanation)
    row = [r.path, r.organ or "", r.year or "", r.edition or "", STATUS_TEXT["not_report" if r.not_report else r.status],
           c.get("error", 0) if checked else "", c.get("warning", 0) if checked else "", explained if checked else "",
           diagnosis_summary(r.diagnosis) if r.diagnosis is not None else "",
           (f"{first.where} {first.message}" if first.where else first.message) if first else (r.error or ""),
           _continuity(r.continuity) if checked else "", r.output or ""]
    findings = [[r.path, r.organ or "", EXPLAINED["zh"] if f.explanation else SEVERITY_TEXT["zh"].get(f.severity, f.severity),
                 f.rule, f.table_label or "", f.row_label or "", f.column_label or "", f.sheet or "",
                 f.cell or (f"第 {f.line} 行" if f.line else ""), f.found, f.expected, f.difference, f.message, f.explanation or ""]
                for f in r.findings]
    return row, findings


def skipped_row(path: str, reason: str) -> list:
    """The row of a file a folder expansion did not check."""
    return [path, "", "", "", STATUS_TEXT["skipped"], "", "", "", "", reason, "", ""]


def summary_rows(results: Iterable[Result]):
    files, findings = [], []
    for r in results:
        row, rows = rows_of(r)
        files.append(row)
        findings.extend(rows)
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


def partial_text(done: int, total: int) -> str:
    return f"（未完成）校验被中断：只校验了 {done} / {total} 个文件"


class SummaryWriter:
    """A summary written row by row as results come; `close` writes it into place atomically."""

    def __init__(self, path: str):
        self.target = Path(path)
        self.csv = self.target.suffix.lower() == ".csv"
        if not self.csv and self.target.suffix.lower() != ".xlsx":
            raise InputError(f"{path}：汇总文件须以 .xlsx 或 .csv 结尾")
        self._files = []
        if self.csv:
            for headers in (SUMMARY_HEADERS, FINDING_HEADERS):
                fh = tempfile.TemporaryFile("w+", encoding="utf-8-sig", newline="")
                writer = csv.writer(fh)
                writer.writerow(headers)
                self._files.append((fh, writer))
        else:
            self._open_workbook()

    def _open_workbook(self) -> None:
        from openpyxl import Workbook             # deferred (start-up time): a CSV summary needs none of it
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font, PatternFill
        self._cell, self._link_font = WriteOnlyCell, Font(color="FF0563C1", underline="single")
        self._fills = {k: PatternFill("solid", fgColor=v) for k, v in STATUS_FILLS.items()}
        self.wb = Workbook(write_only=True)
        self.ws, self.detail = self.wb.create_sheet("汇总"), self.wb.create_sheet("全部问题")
        bold = Font(bold=True)
        for sheet, headers, widths in ((self.ws, SUMMARY_HEADERS, SUMMARY_WIDTHS), (self.detail, FINDING_HEADERS, FINDING_WIDTHS)):
            for i, width in enumerate(widths, start=1):
                sheet.column_dimensions[_letter(i)].width = width
            sheet.freeze_panes = "A2"
            sheet.page_setup.orientation = "landscape"
            sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
            sheet.sheet_properties.pageSetUpPr.fitToPage = True
            sheet.print_title_rows = "1:1"
            sheet.append([self._styled(sheet, h, font=bold) for h in headers])
        self._rows = [1, 1]

    def _styled(self, sheet, value, font=None, fill=None, link=None):
        cell = self._cell(sheet, value=cell_text(value))
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        if link is not None:
            cell.hyperlink = link
        return cell

    def add_rows(self, row: list, findings: list[list]) -> None:
        if self.csv:
            for (_, writer), rows in zip(self._files, ([row], findings)):
                for r in rows:
                    writer.writerow([_csv_safe(v) for v in r])
            return
        cells = [cell_text(v) for v in row]
        cells[STATUS_COLUMN] = self._styled(self.ws, row[STATUS_COLUMN], fill=self._fills.get(row[STATUS_COLUMN]))
        if row[LINK_COLUMN]:
            cells[LINK_COLUMN] = self._styled(self.ws, row[LINK_COLUMN], font=self._link_font,
                                              link=_link(Path(row[LINK_COLUMN]), self.target))
        self.ws.append(cells)
        for r in findings:
            self.detail.append([cell_text(v) for v in r])
        self._rows[0] += 1
        self._rows[1] += len(findings)

    def add(self, result: Result) -> None:
        self.add_rows(*rows_of(result))

    def close(self, partial: str | None = None) -> list[Path]:
        """Write the summary into place; `partial` (why it is incomplete) ends its first sheet."""
        if partial:
            self.add_rows([partial] + [""] * (len(SUMMARY_HEADERS) - 1), [])
        if self.csv:
            written = []
            for (fh, _), out in zip(self._files, summary_paths(str(self.target))):
                fh.seek(0)
                data = fh.read().encode("utf-8")
                fh.close()
                written.append(atomic_write_bytes(out, data))
            return written
        self.ws.auto_filter.ref = f"A1:{_letter(len(SUMMARY_HEADERS))}{self._rows[0]}"
        self.detail.auto_filter.ref = f"A1:{_letter(len(FINDING_HEADERS))}{self._rows[1]}"
        with tempfile.TemporaryFile() as fh:
            self.wb.save(fh)
            fh.seek(0)
            return [atomic_write_bytes(self.target, fh.read())]

    def discard(self) -> None:
        for fh, _ in self._files:
            fh.close()


def write_summary(path: str, results: Iterable[Result]) -> list[Path]:
    writer = SummaryWriter(path)
    for r in results:
        writer.add(r)
    return writer.close()


def _link(output: Path, summary: Path) -> str:
    """The summary's relative link to an annotated copy; a name XML cannot carry is percent-encoded."""
    try:
        rel = os.path.relpath(output.resolve(), start=summary.resolve().parent).replace(os.sep, "/")
    except ValueError:                        # another drive (Windows)
        rel = output.resolve().as_uri()
    return rel if printable(rel) == rel else quote(rel.encode("utf-8", "surrogateescape"), safe="/")
