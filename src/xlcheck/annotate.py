"""Marking a workbook from findings, and clearing the marks again.

Each cell with a finding gets a comment (author ``xlcheck``, text starting with ``[xlcheck]``,
then the rule id and the message, sized to its text) and a fill (red for errors, yellow for
warnings); a sheet ``校验结果`` lists every finding with a link to its cell. What was on a cell
before it was marked (its fill, a user's comment) is recorded in the hidden sheet ``_xlcheck``,
so clearing restores it exactly and never touches cells xlcheck did not mark.
"""
from __future__ import annotations

import io
import json
from pathlib import Path

from .errors import InputError
from .findings import Finding, fmt_number

AUTHOR = "xlcheck"
TAG = "[xlcheck]"
RESULT_SHEET = "校验结果"
RECORD_SHEET = "_xlcheck"
FILLS = {"error": "FFFFC7CE", "warning": "FFFFEB9C"}
USER_SEPARATOR = "\n——— 原批注 ———\n"
HEADERS = {"zh": ["序号", "级别", "规则", "表", "行", "栏", "单元格", "实际值", "应为", "差值", "说明"],
           "en": ["#", "severity", "rule", "table", "row", "column", "cell", "found", "expected", "difference", "message"]}


def _load(path: Path):
    from openpyxl import load_workbook
    try:
        return load_workbook(path, keep_vba=path.suffix.lower() in (".xlsm", ".xltm"), keep_links=True)
    except Exception as exc:   # openpyxl raises many kinds on odd packages
        raise InputError(f"{path}：无法打开以写入标注（{exc.__class__.__name__}）") from None


def comment_text(findings: list[Finding]) -> str:
    return "\n\n".join(f"{TAG} {f.rule}\n{f.message}" for f in findings)


def comment_size(text: str, chars_per_line: int = 32) -> tuple[int, int]:
    """(width, height) in pixels for a comment box that shows all of `text`: CJK characters
    count double, each wrapped line gets 16 px."""
    lines = 0
    for line in text.split("\n"):
        units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in line)
        lines += max(1, -(-units // (chars_per_line * 2)))
    return chars_per_line * 13 + 16, min(16 * lines + 16, 1200)


def clear_marks(wb) -> int:
    """Remove every mark xlcheck made in `wb` (an openpyxl workbook); return how many cells."""
    from openpyxl.styles import PatternFill
    from openpyxl.comments import Comment
    from openpyxl.xml.functions import fromstring

    restored = 0
    if RECORD_SHEET in wb.sheetnames:
        record = wb[RECORD_SHEET]
        for row in record.iter_rows(min_row=2, values_only=True):
            if not row or not row[0] or row[0] not in wb.sheetnames:
                continue
            sheet, ref, fill_xml, user = row[0], row[1], row[2], row[3] if len(row) > 3 else None
            cell = wb[sheet][ref]
            if fill_xml:
                cell.fill = PatternFill.from_tree(fromstring(fill_xml))
            if user:
                data = json.loads(user)
                cell.comment = Comment(data["text"], data.get("author") or "", height=data.get("height", 79), width=data.get("width", 144))
            elif cell.comment is not None and cell.comment.text.startswith(TAG):
                cell.comment = None
            restored += 1
        del wb[RECORD_SHEET]
    for ws in wb.worksheets:             # comments of ours that a record does not cover
        for row in ws.iter_rows():
            for cell in row:
                if cell.comment is not None and cell.comment.text.startswith(TAG):
                    text = cell.comment.text
                    if USER_SEPARATOR in text:
                        cell.comment = Comment(text.split(USER_SEPARATOR, 1)[1], cell.comment.author)
                    else:
                        cell.comment = None
    if RESULT_SHEET in wb.sheetnames:
        del wb[RESULT_SHEET]
    return restored


def suspects(diagnosis, lang: str) -> dict[tuple[str, str], str]:
    """(sheet, cell) → the diagnosis note for each cell a smallest repair would change."""
    from .diagnose import cell_note
    out = {}
    if diagnosis is None or diagnosis.status != "found":
        return out
    for repair in diagnosis.repairs:
        for c in repair.changes:
            if c.sheet and c.cell:
                out.setdefault((c.sheet, c.cell), cell_note(c, repair, lang))
    return out


def mark(wb, findings: list[Finding], lang: str = "zh", diagnosis=None) -> int:
    """Comment and fill every cell with a finding, and write the findings sheet. Returns the
    number of cells marked."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill
    from openpyxl.xml.functions import tostring

    by_cell: dict[tuple[str, str], list[Finding]] = {}
    notes = {k: v for k, v in suspects(diagnosis, lang).items() if k[0] in wb.sheetnames}
    for f in findings:
        if f.sheet in wb.sheetnames and f.cell:
            by_cell.setdefault((f.sheet, f.cell), []).append(f)
    for key in notes:
        by_cell.setdefault(key, [])
    record = wb.create_sheet(RECORD_SHEET)
    record.append(["sheet", "cell", "fill", "user_comment"])
    record.sheet_state = "hidden"
    for (sheet, ref), items in by_cell.items():
        cell = wb[sheet][ref]
        if type(cell).__name__ == "MergedCell":
            continue
        user = None
        if cell.comment is not None and not cell.comment.text.startswith(TAG):
            c = cell.comment
            user = json.dumps({"text": c.text, "author": c.author, "width": c.width, "height": c.height}, ensure_ascii=False)
        record.append([sheet, ref, tostring(cell.fill.to_tree()).decode("utf-8"), user])
        text = "\n\n".join(t for t in (notes.get((sheet, ref)), comment_text(items)) if t)
        if user:
            text += USER_SEPARATOR + cell.comment.text
        width, height = comment_size(text)
        cell.comment = Comment(text, AUTHOR, height=height, width=width)
        worst = "error" if (sheet, ref) in notes or any(f.severity == "error" for f in items) else "warning"
        cell.fill = PatternFill("solid", fgColor=FILLS[worst])
    _result_sheet(wb, findings, lang)
    return len(by_cell)


def _result_sheet(wb, findings: list[Finding], lang: str) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink
    from openpyxl.utils import quote_sheetname

    ws = wb.create_sheet(RESULT_SHEET)
    ws.append(HEADERS["en" if lang == "en" else "zh"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FFD9D9D9")
    sev_text = {"error": "错误", "warning": "警告"} if lang != "en" else {"error": "error", "warning": "warning"}
    for i, f in enumerate(findings, start=1):
        where = f"{f.sheet}!{f.cell}" if f.sheet and f.cell else (f.sheet or "")
        ws.append([i, sev_text.get(f.severity, f.severity), f.rule, f.table_label, f.row_label, f.column_label, where,
                   _shown(f.found), _shown(f.expected), _shown(f.difference), f.message])
        row = ws.max_row
        if f.sheet in wb.sheetnames and f.cell:
            link = ws.cell(row, 7)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"{quote_sheetname(f.sheet)}!{f.cell}")
            link.font = Font(color="FF0563C1", underline="single")
        ws.cell(row, 2).fill = PatternFill("solid", fgColor=FILLS.get(f.severity, "FFFFFFFF"))
        ws.cell(row, 11).alignment = Alignment(wrap_text=True, vertical="top")
    for col, width in zip("ABCDEFGHIJK", (6, 8, 26, 24, 30, 16, 16, 10, 10, 8, 90)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    if not findings:
        ws.append(["", "", "", "", "", "", "", "", "", "", "未发现问题" if lang != "en" else "no findings"])


def _shown(v):
    if v is None or isinstance(v, (int, float)):
        return v
    return fmt_number(v) if not isinstance(v, str) else v


def workbook_to_bytes(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def annotate_file(source: Path, target: Path, findings: list[Finding], lang: str = "zh", diagnosis=None) -> Path:
    from .fileio import atomic_write_bytes

    wb = _load(source)
    clear_marks(wb)
    mark(wb, findings, lang, diagnosis)
    return atomic_write_bytes(target, workbook_to_bytes(wb))


def clear_file(source: Path, target: Path) -> int:
    from .fileio import atomic_write_bytes

    wb = _load(source)
    n = clear_marks(wb)
    atomic_write_bytes(target, workbook_to_bytes(wb))
    return n
