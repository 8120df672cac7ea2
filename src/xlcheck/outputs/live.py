"""Live checks: the schema's relations written into the template as formulas the spreadsheet
application evaluates itself, so a clerk with only Excel, WPS or LibreOffice sees a broken
identity turn red the moment it breaks, and clear when it is fixed.

Every ``x-sum``, ``x-balance`` and ``x-compare`` relation the schema states (found by running the
schema's keywords over an instance of zeros: nothing here knows a table) becomes a `Check`: the
cell a finding would be reported on and a condition that is true exactly when the relation does
not hold. The cell gets a conditional format (``cfRule type="expression"`` with a dxf fill, red for
a rule of severity error, yellow for warning, the annotation's colours); each table sheet gets a
status cell beside its caption and the first sheet a line for the whole workbook, counting broken
relations and blank input cells (blank counts as 0, as `verify` reads it).

Only SUM, ABS, IF, COUNTBLANK, ``&`` and comparisons are written, with absolute A1 references:
Excel 2010+, WPS 表格 and LibreOffice Calc evaluate them alike. Amounts are compared with the
tolerance `verify` uses (`rules.relations.TOLERANCE`), never with float equality; ``SUM(...)``
around every side makes a placeholder such as ``/`` count as 0, as `verify` counts it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from openpyxl.formatting.rule import Rule
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils import get_column_letter, quote_sheetname

from ..model.layout import size
from ..model.schema import Edition
from ..model.workbook import cell_positions
from ..rules.registry import relations
from ..rules.relations import TOLERANCE, Comparison
from .marks import FILLS

KINDS = ("x-sum", "x-balance", "x-compare")
SEVERITIES = ("error", "warning")           # in priority order: a cell breaking both shows red
MAX_FORMULA = 8000                          # Excel's limit is 8,192 characters
COUNT_ROWS = {"error": 1, "warning": 2, "blank": 3}    # rows of a sheet's hidden count column
TOL = f"{TOLERANCE:.12f}".rstrip("0")

TEXT = {
    "zh": {"table_ok": "✓ 本表数字一致", "table_bad": ("✗ 本表有 ", " 处不一致"),
           "book_ok": "✓ 全部 {n} 张表数字一致", "book_bad": ("✗ 全部 {n} 张表共有 ", " 处不一致"),
           "blank": ("（还有 ", " 格未填，按 0 计）")},
    "en": {"table_ok": "✓ This table is consistent", "table_bad": ("✗ ", " inconsistencies in this table"),
           "book_ok": "✓ All {n} tables are consistent", "book_bad": ("✗ ", " inconsistencies in {n} tables"),
           "blank": (" (", " cells still blank, counted as 0)")},
}


@dataclass(frozen=True)
class Check:
    """One relation of the schema as the template checks it."""
    rule: str
    severity: str
    sheet: str
    row: int
    col: int
    condition: str          # a formula (without "=") that is TRUE exactly when the relation is broken

    @property
    def cell(self) -> str:
        return f"{get_column_letter(self.col)}{self.row}"


def schema_relations(model: Edition, kinds=KINDS) -> list[tuple[Any, tuple[str, ...]]]:
    """Every relation of `kinds` the schema states, with the path it was stated on: the schema's
    keywords run over an instance of zeros, where every relation binds."""
    zeros = {t.key: {r.key: {c.key: 0 for c in r.columns} for r in t.rows} for t in model.tables}
    return list(relations(model, zeros, kinds=kinds))


def checks(model: Edition) -> list[Check]:
    """A `Check` per relation whose rule is not switched off, in the schema's order."""
    positions = cell_positions(model)
    out = []
    for rel, base in schema_relations(model):
        severity = model.severity(rel.rule)
        if severity not in SEVERITIES:
            continue
        sheet, row, col = positions[".".join(base + rel.target)]
        left, right = ([positions[".".join(base + p)] for p in side] for side in (rel.left, rel.right))
        diff = f"{_sum(left, sheet)}-{_sum(right, sheet)}"
        if isinstance(rel, Comparison) and rel.op != "==":
            condition = f"{diff}<-{TOL}" if rel.op == ">=" else f"{diff}>{TOL}"
        else:
            condition = f"ABS({diff})>={TOL}"
        out.append(Check(rel.rule, severity, sheet, row, col, condition))
    return out


def _ref(sheet: str, first: tuple[int, int], last: tuple[int, int], here: str) -> str:
    """An absolute reference to a cell or range, qualified by its sheet when not `here`."""
    ref = f"${get_column_letter(first[1])}${first[0]}"
    if last != first:
        ref += f":${get_column_letter(last[1])}${last[0]}"
    return ref if sheet == here else f"{quote_sheetname(sheet)}!{ref}"


def _sum(cells: list[tuple[str, int, int]], here: str) -> str:
    """SUM over `cells` (adjacent cells of a sheet as ranges), or 0 for none."""
    if not cells:
        return "0"
    refs = [_ref(cells[a][0], cells[a][1:], cells[b][1:], here) for a, b in runs(cells)]
    return f"SUM({','.join(refs)})"


def runs(cells: list[tuple]) -> list[tuple[int, int]]:
    """(first, last) indexes of runs of adjacent cells, each along a row or a column of one sheet:
    D6,E6,F6 → D6:F6 and D8,D9,D10 → D8:D10. A cell is (row, col) or (sheet, row, col)."""
    out: list[tuple[int, int]] = []
    step = None
    for i, cell in enumerate(cells):
        if out and cell[:-2] == cells[i - 1][:-2]:
            d = (cell[-2] - cells[i - 1][-2], cell[-1] - cells[i - 1][-1])
            if d in ((1, 0), (0, 1)) and step in (None, d):
                step = d
                out[-1] = (out[-1][0], i)
                continue
        out.append((i, i))
        step = None
    return out


def _rectangles(cells: Iterable[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Cover (row, col) cells with rectangles (r1, c1, r2, c2): runs along each row, then rows with
    the same runs stacked."""
    by_row: dict[int, list[int]] = {}
    for r, c in sorted(set(cells)):
        by_row.setdefault(r, []).append(c)
    spans: dict[int, list[tuple[int, int]]] = {}
    for r, cols in by_row.items():
        spans[r] = [(cols[a], cols[b]) for a, b in runs([(r, c) for c in cols])]
    out: list[list[int]] = []
    open_: dict[tuple[int, int], list[int]] = {}
    for r in sorted(spans):
        for c1, c2 in spans[r]:
            rect = open_.get((c1, c2))
            if rect is not None and rect[2] == r - 1:
                rect[2] = r
            else:
                rect = open_[(c1, c2)] = [r, c1, r, c2]
                out.append(rect)
    return [tuple(x) for x in out]


def _fill(severity: str) -> PatternFill:
    # Excel takes a dxf's solid fill from bgColor, where a cell format has it in fgColor; readers
    # differ, so both are given
    return PatternFill("solid", fgColor=FILLS[severity], bgColor=FILLS[severity])


def _rule(condition: str, severity: str) -> Rule:
    return Rule(type="expression", dxf=DifferentialStyle(fill=_fill(severity)), formula=[condition])


def _chunked(ws, terms: list[str], col: int, row: int, spare: list[int]) -> None:
    """Write the sum of `terms` into (row, col); when it would pass Excel's formula length, into
    extra rows of the same column, summed."""
    text = "+".join(terms)
    if len(text) <= MAX_FORMULA:
        ws.cell(row, col, f"={text}" if terms else 0)
        return
    parts, current = [], ""
    for term in terms:
        if current and len(current) + len(term) + 1 > MAX_FORMULA:
            parts.append(current)
            current = ""
        current = f"{current}+{term}" if current else term
    parts.append(current)
    first = spare[0]
    for part in parts:
        ws.cell(spare[0], col, f"={part}")
        spare[0] += 1
    letter = get_column_letter(col)
    ws.cell(row, col, f"=SUM(${letter}${first}:${letter}${spare[0] - 1})")


def _status_formula(counts: dict[str, str], ok: str, bad: tuple[str, str], blank_text: tuple[str, str]) -> str:
    count, blank = f"({counts['error']}+{counts['warning']})", counts["blank"]
    return (f'=IF({count}=0,"{ok}","{bad[0]}"&{count}&"{bad[1]}")'
            f'&IF({blank}>0,"{blank_text[0]}"&{blank}&"{blank_text[1]}","")')


def _status_cell(ws, row: int, col: int, formula: str, counts: dict[str, str]) -> None:
    """A locked status cell, red when an error rule is broken, yellow when only a warning rule is."""
    cell = ws.cell(row, col, formula)
    cell.font = Font(name="宋体", size=11, bold=True)
    cell.alignment = Alignment(horizontal="left", vertical="center")
    cell.protection = Protection(locked=True)
    for severity in SEVERITIES:
        ws.conditional_formatting.add(cell.coordinate, _rule(f"{counts[severity]}>0", severity))


def status_column(model: Edition, sheet: str) -> int:
    """The column of a table sheet's status cells: the first right of the table (outside the
    print area); the next one, hidden, holds the counts they show."""
    return max(size(t)[1] for t in model.tables if t.sheet == sheet) + 1


def add_live_checks(wb, model: Edition, lang: str = "zh") -> None:
    """Conditional formats on every relation's cell, and the status cells, in a workbook whose
    table sheets `template.build_workbook` has drawn."""
    text = TEXT.get(lang, TEXT["zh"])
    found = checks(model)
    for severity in SEVERITIES:             # errors first: the higher priority wins where both apply
        for check in found:
            if check.severity == severity:
                wb[check.sheet].conditional_formatting.add(check.cell, _rule(check.condition, severity))
    positions = cell_positions(model)
    sheets = list(dict.fromkeys(t.sheet for t in model.tables))
    counted: dict[str, dict[str, str]] = {}
    for sheet in sheets:
        ws = wb[sheet]
        status = status_column(model, sheet)
        hidden = status + 1
        spare = [len(COUNT_ROWS) * 2 + 1]   # rows 1-3: this table; 4-6 on the first sheet: the workbook
        for severity in SEVERITIES:
            terms = [f"IF({c.condition},1,0)" for c in found if c.sheet == sheet and c.severity == severity]
            _chunked(ws, terms, hidden, COUNT_ROWS[severity], spare)
        inputs = [(r, c) for s, r, c in positions.values() if s == sheet]
        _chunked(ws, [f"COUNTBLANK({_ref(sheet, (r1, c1), (r2, c2), sheet)})" for r1, c1, r2, c2 in _rectangles(inputs)],
                 hidden, COUNT_ROWS["blank"], spare)
        letter = get_column_letter(hidden)
        ws.column_dimensions[letter].hidden = True
        ws.column_dimensions[get_column_letter(status)].width = 46
        here = {k: f"${letter}${r}" for k, r in COUNT_ROWS.items()}
        counted[sheet] = {k: f"{quote_sheetname(sheet)}!{v}" for k, v in here.items()}
        _status_cell(ws, 2, status, _status_formula(here, text["table_ok"], text["table_bad"], text["blank"]), here)
    first, n = wb[sheets[0]], len(sheets)
    hidden = status_column(model, sheets[0]) + 1
    letter = get_column_letter(hidden)
    book = {}
    for k, r in COUNT_ROWS.items():
        first.cell(len(COUNT_ROWS) + r, hidden, "=SUM(" + ",".join(counted[s][k] for s in sheets) + ")")
        book[k] = f"${letter}${len(COUNT_ROWS) + r}"
    _status_cell(first, 1, hidden - 1, _status_formula(book, text["book_ok"].format(n=n),
                                                        tuple(t.format(n=n) for t in text["book_bad"]), text["blank"]), book)
