"""Excel integration through xlwings: one engine-agnostic entry for the desktop add-in (COM /
AppleScript), xlwings Server and xlwings Lite (the remote engine).

`verify_book` reads the used ranges and names of an `xlwings.Book`, checks it exactly as the
command line does, and marks cells with what every engine supports: values, adding and deleting
notes, fill colours. The remote engines cannot read a note's text or a cell's colour, so what
was marked is recorded in the hidden sheet ``_xlcheck`` and the next run clears from that record.
A user's own notes and fills on cells xlcheck never marked are left alone.

What to mark is decided once, here, as a plan (`grid_of`, `undo_plan`, `mark_plan`,
`record_table`, `result_rows`: plain data, no xlwings); `clear_book`/`mark_book` apply it through
xlwings, and the WPS add-in (`xlcheck.wps`) applies the same plan through WPS's object model.
"""
from __future__ import annotations

import datetime as _dt
import re
import sys
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from .check import Options, Result, check_grid
from .check.diagnose import summary as diagnosis_summary
from .errors import InputError
from .findings import SEVERITY_TEXT
from .grid import Cell, Grid, Sheet, address
from .model.workbook import RECORD_SHEET, RESULT_SHEET, addin_settings_sheets
from .outputs.annotate import FILLS, comment_text, suspects
from .sources.xlsx import single_cell

XLWINGS_MISSING = "未安装 xlwings（Excel 集成是可选组件）：请运行 pip install 'xlcheck[excel]' 后再试"


def import_xlwings():
    """xlwings, or an InputError saying how to install it (it is the optional extra `excel`)."""
    try:
        import xlwings          # deferred: an optional dependency (the extra `excel`), needed only for Excel
    except ImportError:
        raise InputError(XLWINGS_MISSING) from None
    return xlwings

RECORD_HEADER = ["sheet", "cell", "fill", "note"]     # note: "1" when xlcheck added the note
RESULT_HEADER = {"zh": ["序号", "级别", "规则", "单元格", "说明"], "en": ["#", "severity", "rule", "cell", "message"]}


def _hex(argb_or_rgb: str | None) -> str | None:
    if not argb_or_rgb:
        return None
    value = argb_or_rgb.lstrip("#")
    if len(value) == 8:
        value = value[2:]
    return "#" + value.upper() if re.fullmatch(r"[0-9A-Fa-f]{6}", value) else None


def _plain(value: Any) -> Any:
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return value


def grid_of(path: str, sheets: Iterable[tuple], names: Iterable[tuple[str, str]]) -> Grid:
    """The Grid of an open workbook from what any engine can read: each sheet's name, the row and
    column of its used range's top-left cell, that range's values (rows of values) and, where the
    engine says, whether it is visible; and the workbook's names as (name, refers-to).
    Sheet-scoped names and names of ranges are skipped. (No engine reports merged areas cheaply,
    so labels in merged cells are read as printed.)"""
    grid = Grid(path=path, format="xlsx")
    for name, top, left, values, *state in sheets:
        ws = Sheet(name, state=state[0] if state and state[0] else "visible")
        for i, row in enumerate(values or []):
            for j, value in enumerate(row):
                if value is not None and value != "":
                    ws.cells[(top + i, left + j)] = Cell(_plain(value))
        grid.sheets.append(ws)
    for label, refers in names:
        if "!" not in label:
            ref = single_cell((refers or "").lstrip("="))
            if ref:
                grid.names[label] = ref
    return grid


def book_grid(book) -> Grid:
    """The Grid of an xlwings Book: the used range of every sheet and its single-cell names."""
    sheets = []
    for sheet in book.sheets:
        try:
            state = "visible" if sheet.visible else "hidden"
        except Exception:          # an engine that cannot say
            state = None
        try:
            rng = sheet.used_range
            values = rng.options(ndim=2).value or []
            top, left = rng.row, rng.column
        except Exception:          # an empty sheet on some engines
            values, top, left = [], 1, 1
        sheets.append((sheet.name, top, left, values, state))
    names = []
    for name in book.names:
        try:
            names.append((name.name, name.refers_to or ""))
        except Exception:
            continue
    return grid_of(book.name, sheets, names)


# ------------------------------------------------------------------ the plan (engine-agnostic)

@dataclass(frozen=True)
class Undo:
    """One recorded mark to take back: delete the note if xlcheck added it; restore the fill."""
    sheet: str
    cell: str
    note: bool
    fill: str | None          # "#RRGGBB", or None for no fill


@dataclass(frozen=True)
class Mark:
    """One cell to mark: the note to add (None: a note of the user's is there and is kept) and the fill."""
    sheet: str
    cell: str
    note: str | None
    fill: str                 # "#RRGGBB"
    severity: str


def record_rows(values: list[list[Any]] | None) -> list[list[Any]]:
    """The cells marked last time, from the record sheet's values (its used range, header first):
    rows (sheet, cell, fill, note); rows starting with "#" are the package edits of a marked file."""
    return [r for r in (values or [])[1:] if r and r[0] and not str(r[0]).startswith("#")]


def undo_plan(rows: list[list[Any]]) -> list[Undo]:
    out = []
    for row in rows:
        if len(row) < 2 or not row[1]:
            continue
        fill = row[2] if len(row) > 2 else None
        out.append(Undo(str(row[0]), str(row[1]), len(row) > 3 and str(row[3]) in ("1", "1.0"), _fill_from_record(fill)))
    return out


def mark_plan(result: Result, lang: str, sheets: set[str], has_note: Callable[[str, str], bool]) -> list[Mark]:
    """Every cell with a finding (and each suspected cell) on a sheet that exists: its note text
    (the diagnosis note, then `comment_text`) unless `has_note` says the user's note is there,
    and its fill (red when anything there is an error or a suspect, else yellow)."""
    notes = suspects(result.diagnosis, lang)
    by_cell: dict[tuple[str, str], list] = {}
    for f in result.findings:
        if f.sheet and f.cell:
            by_cell.setdefault((f.sheet, f.cell), []).append(f)
    for key in notes:
        by_cell.setdefault(key, [])
    out = []
    for (sheet_name, ref), items in by_cell.items():
        if sheet_name not in sheets:
            continue
        text = "\n\n".join(t for t in (notes.get((sheet_name, ref)), comment_text(items)) if t)
        worst = "error" if (sheet_name, ref) in notes or any(f.severity == "error" for f in items) else "warning"
        out.append(Mark(sheet_name, ref, None if has_note(sheet_name, ref) else text, _hex(FILLS[worst]), worst))
    return out


def record_table(marks: list[Mark], fills_before: list[str]) -> list[list[Any]]:
    """The record sheet's rows: the header, then each mark with the fill its cell had before."""
    return [RECORD_HEADER] + [[m.sheet, m.cell, fill or "", "" if m.note is None else "1"]
                              for m, fill in zip(marks, fills_before)]


def result_rows(result: Result, lang: str) -> list[list[Any]]:
    """The rows of the `校验结果` sheet: a header and one row per finding."""
    rows = [RESULT_HEADER["en" if lang == "en" else "zh"]]
    sev = SEVERITY_TEXT["zh"] if lang != "en" else {}
    for i, f in enumerate(result.findings, start=1):
        rows.append([i, sev.get(f.severity, f.severity), f.rule, f.where, f.message])
    if not result.findings:
        rows.append(["", "", "", "", "未发现问题" if lang != "en" else "no findings"])
    return rows


def block(rows: list[list[Any]]) -> str:
    """The A1 address of the block that rows written from A1 fill."""
    return f"A1:{address(len(rows), max(len(r) for r in rows))}"


# ------------------------------------------------------------------ applied through xlwings

def _sheet(book, name: str):
    for sheet in book.sheets:
        if sheet.name == name:
            return sheet
    return None


def _record_rows(book) -> list[list[Any]]:
    sheet = _sheet(book, RECORD_SHEET)
    return [] if sheet is None else record_rows(sheet.used_range.options(ndim=2).value)


def _fill_from_record(fill: Any) -> str | None:
    """A recorded fill: a hex colour (live runs) or an openpyxl PatternFill XML (file runs)."""
    if not fill:
        return None
    text = str(fill)
    if text.startswith("#"):
        return text
    m = re.search(r'fgColor[^>]*rgb="([0-9A-Fa-f]{8})"', text)
    if m and 'patternType="solid"' in text:
        return _hex(m.group(1))
    return None


def clear_book(book) -> int:
    """Undo every mark recorded in `_xlcheck`: delete the notes xlcheck added, restore or clear
    fills, and remove the findings sheet."""
    rows = _record_rows(book)
    for undo in undo_plan(rows):
        sheet = _sheet(book, undo.sheet)
        if sheet is None:
            continue
        rng = sheet.range(undo.cell)
        if undo.note and rng.note is not None:
            rng.note.delete()
        rng.color = undo.fill
    for name in (RESULT_SHEET,):
        sheet = _sheet(book, name)
        if sheet is not None:
            sheet.delete()
    record = _sheet(book, RECORD_SHEET)
    if record is not None:
        record.clear_contents()
    return len(rows)


def _read_color(rng) -> str | None:
    try:
        color = rng.color
    except (NotImplementedError, AttributeError):
        return None
    if isinstance(color, tuple):
        return "#%02X%02X%02X" % color[:3]
    return _hex(color) if isinstance(color, str) else None


def mark_book(book, result: Result, lang: str = "zh") -> int:
    """Note and fill every cell with a finding (and each suspected cell), record them, and list
    the findings on the `校验结果` sheet. Returns the number of cells marked."""
    recorded = {(r[0], r[1]) for r in _record_rows(book)}

    def has_note(sheet_name: str, ref: str) -> bool:   # never delete a note the user wrote: it cannot be read back
        return _sheet(book, sheet_name).range(ref).note is not None and (sheet_name, ref) not in recorded

    marks = mark_plan(result, lang, {s.name for s in book.sheets}, has_note)
    fills = []
    for m in marks:
        rng = _sheet(book, m.sheet).range(m.cell)
        fills.append(_read_color(rng) or "")
        if m.note is not None:
            rng.add_note(m.note)
        rng.color = m.fill
    record_sheet = _sheet(book, RECORD_SHEET)
    if record_sheet is None:
        record_sheet = book.sheets.add(RECORD_SHEET, after=book.sheets[len(book.sheets) - 1])
        record_sheet.visible = False
    record_sheet["A1"].value = record_table(marks, fills)
    results_sheet = book.sheets.add(RESULT_SHEET, after=book.sheets[len(book.sheets) - 1])
    results_sheet["A1"].value = result_rows(result, lang)
    return len(marks)


def verify_book(book, *, lang: str = "zh", mark: bool = True, model=None, options: Options | None = None) -> Result:
    """Check an open workbook as `xlcheck verify` checks a file and, unless `mark=False`, mark
    its cells. Returns the same Result (findings, diagnosis) the command line gives. A workbook
    carrying a ``*.conf`` or ``*.py`` sheet of any visibility is refused (InputError) before
    anything is read or marked: an xlwings add-in takes such sheets as its settings or code."""
    settings = addin_settings_sheets(sheet.name for sheet in book.sheets)
    if settings:                       # refused before reading or marking anything
        raise InputError(f"{book.name}：工作簿含有工作表「{'」「'.join(settings)}」，xlwings 加载项会把它当作设置或代码读取；"
                         "为安全起见不校验这个工作簿（请删除这些工作表后再校验，或用命令行 xlcheck verify）")
    options = options or Options(lang=lang)
    grid = book_grid(book)
    result = check_grid(grid, model, options)
    if mark:
        clear_book(book)
        mark_book(book, result, options.lang)
    return result


def summary_text(result: Result, lang: str = "zh", limit: int = 5) -> str:
    """The alert text: a short all-clear, or the counts and the first findings with their cells."""
    zh = lang != "en"
    c = result.counts
    if result.status == "ok" and not c.get("warning"):
        return "校验通过：没有发现问题。" if zh else "All clear: no problems found."
    lines = [f"发现 {c.get('error', 0)} 个错误、{c.get('warning', 0)} 个警告。" if zh
             else f"{c.get('error', 0)} errors and {c.get('warning', 0)} warnings found."]
    if result.diagnosis is not None:
        lines.append(diagnosis_summary(result.diagnosis, lang))
    for f in [f for f in result.findings if f.severity in ("error", "warning")][:limit]:
        lines.append(f"{f.where}：{f.message}" if zh else f"{f.where}: {f.message}")
    more = len(result.findings) - limit
    if more > 0:
        lines.append(f"……另有 {more} 条，见「{RESULT_SHEET}」工作表。" if zh else f"... and {more} more on the “{RESULT_SHEET}” sheet.")
    return "\n".join(lines)


def main():
    """What the add-in's ribbon button runs: check the user's active workbook and say how it went."""
    try:
        xw = import_xlwings()
    except InputError as exc:         # run by the button's Python: one line, exit status 2
        print(f"xlcheck：{exc}", file=sys.stderr)
        raise SystemExit(2) from None
    book = xw.Book.caller()
    try:
        result = verify_book(book)
    except Exception as exc:          # the clerk sees a message box, never a traceback
        text = str(exc) if isinstance(exc, InputError) else f"校验未能完成：{exc}"
        book.app.alert(text, title="政务公开校验")
        return None
    book.app.alert(summary_text(result), title="政务公开校验")
    return result
