"""Is the table checked the one a reader sees? A workbook must not pass by hiding a correct copy
behind a wrong visible one.

* Cells read from a hidden or very hidden sheet (very hidden sheets cannot even be shown from
  Excel's interface) are a `layout.hidden_source` error.
* Cells found through defined names must follow the printed row labels of their table, nothing
  filled in between; names pointing anywhere else are a `layout.hidden_source` error.
* When the printed labels of a table appear more often than one copy holds, the workbook is
  searched again without the table checked: another copy holding other numbers is a
  `layout.hidden_source` error, an identical one a `layout.duplicate_table` warning.
"""
from __future__ import annotations

from collections import Counter
from typing import NamedTuple

from ..findings import Finding, about, shown
from ..grid import Grid, Sheet, address
from ..model.layout import layout_rows
from ..model.schema import Edition, Table
from ..model.workbook import OWN_SHEETS
from .location import Location
from .normalise import norm

DISTINCT = 4            # labels shorter than this (规章, 总计) say little about a second copy


def _text(zh: str, en: str) -> dict:
    return {"kind": "text", "zh": zh, "en": en}


def _by_table(cells: dict[str, tuple[str, int, int]]) -> dict[str, dict[str, tuple[str, int, int]]]:
    out: dict[str, dict] = {}
    for point, ref in cells.items():
        out.setdefault(point.split(".")[0], {})[point] = ref
    return out


class _Marks(NamedTuple):
    anchors: tuple[tuple[str, str, str], ...]     # (label as printed, its norm, first data point of its row)
    once: Counter                                 # distinctive labels, as often as one copy prints them


def _marks(table: Table) -> _Marks:
    found = table.__dict__.get("_visible_marks")
    if found is None:
        rows = layout_rows(table)
        anchors = tuple((r.anchor, norm(r.anchor), r.points[0]) for r in rows if r.anchor and r.points)
        once = Counter(k for r in rows for label in r.labels if len(k := norm(label)) >= DISTINCT)
        found = _Marks(anchors, once)
        object.__setattr__(table, "_visible_marks", found)      # the model is read-only: cache beside it
    return found


def _unlabelled(grid: Grid, table: Table, cells: dict[str, tuple[str, int, int]], seen: Counter) -> tuple[str, tuple] | None:
    """The first printed row label that is in the workbook but not right before its row's first
    named cell (nothing filled in between), and that cell; None when every labelled row is where
    the names say (or the workbook prints no labels at all)."""
    for label, key, point in _marks(table).anchors:
        if point not in cells or key not in seen:
            continue
        sheet_name, r, c = cells[point]
        sheet = grid.sheet(sheet_name)
        at = next((col for col in range(c - 1, 0, -1) if sheet is not None and sheet.value(r, col) not in (None, "")), None)
        if at is None or not isinstance(v := sheet.value(r, at), str) or norm(v) != key:
            return label, cells[point]
    return None


def _labels_seen(grid: Grid) -> Counter:
    """How often each text (as labels are compared) appears in the workbook, xlcheck's sheets aside."""
    seen: Counter = Counter()
    for sheet in grid.sheets:
        if sheet.name in OWN_SHEETS:
            continue
        for cell in sheet.cells.values():
            if isinstance(cell.value, str) and len(cell.value) < 200:
                seen[norm(cell.value)] += 1
    return seen


def _copies_suspected(seen: Counter, model: Edition) -> bool:
    """Whether the printed labels of some table appear at least twice as often as one copy has them."""
    for table in model.tables:
        once = _marks(table).once
        if once and sum(1 for key, n in once.items() if seen[key] >= 2 * n) * 2 > len(once):
            return True
    return False


def _without(grid: Grid, cells: dict[str, tuple[str, int, int]]) -> Grid:
    """The grid without the rows the located tables span (and the caption rows above them)."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for table in _by_table(cells).values():
        rows: dict[str, list[int]] = {}
        for sheet, r, _ in table.values():
            rows.setdefault(sheet, []).append(r)
        for sheet, rs in rows.items():
            spans.setdefault(sheet, []).append((min(rs) - 4, max(rs)))
    sheets = []
    for s in grid.sheets:
        cut = spans.get(s.name, [])
        kept = {k: v for k, v in s.cells.items() if not any(lo <= k[0] <= hi for lo, hi in cut)}
        sheets.append(Sheet(s.name, kept, [m for m in s.merged if not any(lo <= m[0] <= hi for lo, hi in cut)], s.state))
    return Grid(grid.path, grid.format, sheets, {}, grid.text, grid.report)


def _same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool):
        return a == b
    return norm("" if a is None else a) == norm("" if b is None else b)


def _value(grid: Grid, ref: tuple[str, int, int]):
    sheet = grid.sheet(ref[0])
    return None if sheet is None else sheet.value(ref[1], ref[2])


def source_findings(grid: Grid, located: Location, year: int | None = None) -> list[Finding]:
    model = located.model
    states = {s.name: s.state for s in grid.sheets}
    tables = _by_table(located.cells)
    seen = _labels_seen(grid)
    out: list[Finding] = []
    for key, cells in tables.items():
        table = model.table(key)
        hidden = sorted({ref[0] for ref in cells.values() if states.get(ref[0], "visible") != "visible"})
        first = next(iter(cells.values()))
        if hidden:
            state = "非常隐藏（无法从界面取消隐藏）" if any(states[h] == "veryHidden" for h in hidden) else "隐藏"
            out.append(about(model, "layout.hidden_source", table=key, where=grid.where(*first), detail=_text(
                f"校验的数字读自{state}的工作表「{'、'.join(hidden)}」，不是读者看到的表格",
                f"the numbers checked come from the hidden sheet “{', '.join(hidden)}”, not the table a reader sees")))
        elif located.how == "names" and (missing := _unlabelled(grid, table, cells, seen)):
            label, ref = missing
            out.append(about(model, "layout.hidden_source", table=key, where=grid.where(*ref), detail=_text(
                f"定义名称指向的 {ref[0]}!{address(ref[1], ref[2])} 不紧接在印出的行标签「{label}」之后，名称没有指向印出的表格",
                f"the defined name points to {ref[0]}!{address(ref[1], ref[2])}, which does not follow the printed label “{label}”")))
    if not _copies_suspected(seen, model):
        return out
    from .labels import locate_by_labels                  # deferred: start-up time (only when a second copy is suspected)
    other = locate_by_labels(_without(grid, located.cells), model, year)
    for key, cells in tables.items():
        copy = {p: ref for p, ref in (other.cells.items() if other else []) if p.startswith(key + ".")}
        shared = [p for p in cells if p in copy]
        if not shared:
            continue
        table = model.table(key)
        differs = next((p for p in shared if not _same(_value(grid, cells[p]), _value(grid, copy[p]))), None)
        where = copy[shared[0]]
        if differs is None:
            out.append(about(model, "layout.duplicate_table", table=key, where=grid.where(*where), detail=_text(
                f"工作簿中还有这张表格的另一份（{where[0]}!{address(where[1], where[2])} 起），数字相同",
                f"the workbook holds another copy of the table (from {where[0]}!{address(where[1], where[2])}), with the same numbers")))
        else:
            a, b = cells[differs], copy[differs]
            out.append(about(model, "layout.hidden_source", differs, where=grid.where(*b), detail=_text(
                f"工作簿中另有一份这张表格，与校验的不同：{b[0]}!{address(b[1], b[2])} 为「{shown(_value(grid, b))}」，"
                f"校验的 {a[0]}!{address(a[1], a[2])} 为「{shown(_value(grid, a))}」",
                f"the workbook holds another copy of the table that differs: {b[0]}!{address(b[1], b[2])} is “{shown(_value(grid, b))}”, "
                f"the checked {a[0]}!{address(a[1], a[2])} is “{shown(_value(grid, a))}”")))
    return out
