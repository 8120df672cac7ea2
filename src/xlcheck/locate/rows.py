"""A source as rows of cells read left to right, as printed, for locating tables by their
labels: merged-cell continuations dropped, and in a workbook every row over the same columns
(those holding something anywhere on the sheet, and those under merged areas). Only positions
that exist are visited, and the labels are indexed once, so the work grows with the cells the
file really holds (`sources.limits` bounds those)."""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

from ..grid import Grid
from ..model.workbook import OWN_SHEETS
from ..sources.limits import MAX_AREA, too_large
from ..values import PLACEHOLDERS
from .normalise import SHORT, norm

MAX_COLUMN = 16384  # the widest sheet
_NUMERIC = re.compile(r"^[+\-−]?[\d０-９][\d０-９,，.．]*\s*(万元|元|件|个|项|条|次)?$")


def is_number_like(text: str) -> bool:
    """A number as printed (digits, full-width digits, separators, a unit), or a placeholder an
    author writes for none (/ — - 无): what stands in a number cell. Decided once per short text."""
    return _number_like_cached(text) if len(text) < SHORT else _number_like(text)


def _number_like(text: str) -> bool:
    folded = unicodedata.normalize("NFKC", text).strip()
    return bool(_NUMERIC.match(folded)) or folded in PLACEHOLDERS or text.strip() in PLACEHOLDERS


_number_like_cached = lru_cache(maxsize=1 << 16)(_number_like)


@dataclass(frozen=True)
class SCell:
    text: str           # as printed, stripped ("" when empty)
    key: str            # norm(text)
    sheet: str
    row: int
    col: int

    @property
    def ref(self):
        return (self.sheet, self.row, self.col)


class _Rows(list):
    """The source's rows, and the Grid they come from (to name a place as the user finds it).
    Labels are looked up in an index built once (key → positions, and each row's keys), so
    locating a table costs the same whatever the size of the sheet around it."""
    padded = False
    grid: Grid | None = None
    _index: dict[str, list[tuple[int, int]]] | None = None
    _row_keys: list[set[str]] | None = None

    def where(self, cell: SCell):
        return self.grid.where(cell.sheet, cell.row, cell.col)

    def positions(self, key: str) -> list[tuple[int, int]]:
        """(row index, cell index) of every cell with this key, in reading order."""
        if self._index is None:
            self._index = {}
            for i, row in enumerate(self):
                for j, cell in enumerate(row):
                    if cell.key:
                        self._index.setdefault(cell.key, []).append((i, j))
        return self._index.get(key, [])

    def keys(self) -> set[str]:
        """Every label key of the source."""
        self.positions("")
        return self._index.keys()

    def keys_of(self, i: int) -> set[str]:
        if self._row_keys is None:
            self._row_keys = [{c.key for c in row} for row in self]
        return self._row_keys[i]


def _with_merged_columns(values: set[int], merged: list) -> list[int]:
    """The sorted union of `values` and the columns the merged areas span (each column once,
    however many areas overlap)."""
    out = set(values)
    spans = sorted((c1, c2) for _, c1, _, c2 in merged)
    reach = 0
    for a, b in spans:
        a = max(a, reach + 1)
        if b >= a:
            out.update(range(a, min(b, MAX_COLUMN) + 1))
            reach = max(reach, b)
    return sorted(out)


def _covered(path: str, sheet, rows_used: list[int], cols: list[int]) -> set[tuple[int, int]]:
    """The merged continuations among the positions that will be read: each merged area
    clipped to the used rows and columns, never enumerated beyond them."""
    covered: set[tuple[int, int]] = set()
    work = 0
    for r1, c1, r2, c2 in sheet.merged:
        rs = rows_used[bisect_left(rows_used, r1):bisect_right(rows_used, r2)]
        cs = cols[bisect_left(cols, c1):bisect_right(cols, c2)]
        work += len(rs) * len(cs)
        if work > MAX_AREA:
            raise too_large(path, f"工作表「{sheet.name}」的合并单元格重叠过多")
        covered.update((r, c) for r in rs for c in cs if (r, c) != (r1, c1))
    return covered


def source_rows(grid: Grid) -> _Rows:
    """Every sheet's rows that hold something, each read left to right: a workbook's rows all
    over the same columns (those holding something anywhere on the sheet, and those under merged
    areas), a report's rows as its cells are. Only positions that exist are visited: a far-away
    cell or a merged area spanning the whole sheet adds a row or a column, never the rectangle
    up to it."""
    out = _Rows()
    pad = not grid.report
    out.padded = pad
    out.grid = grid
    for sheet in grid.sheets:
        if sheet.name in OWN_SHEETS:
            continue
        filled = [rc for rc, cell in sheet.cells.items() if cell.value not in (None, "")]
        rows_used = sorted({r for r, _ in filled})
        if pad:
            own = {c for _, c in filled}
            cols = _with_merged_columns(own, sheet.merged)
            if len(rows_used) * len(cols) > MAX_AREA:          # merged areas far wider than the table
                cols = sorted(own)
            if len(rows_used) * len(cols) > MAX_AREA:
                raise too_large(grid.path, f"工作表「{sheet.name}」已用区域有 {len(rows_used):,} 行 × {len(cols):,} 列")
            covered = _covered(grid.path, sheet, rows_used, cols)
            by_row = dict.fromkeys(rows_used, cols)
        else:
            covered = set()
            by_row = {}
            for r, c in sorted(sheet.cells):
                by_row.setdefault(r, []).append(c)
        held: dict[int, dict[int, object]] = {}          # the cells indexed by row
        for (r, c), cell in sheet.cells.items():
            held.setdefault(r, {})[c] = cell.value
        name = sheet.name
        for r in rows_used:
            row = []
            values = held.get(r, {})
            for c in by_row[r]:
                if covered and (r, c) in covered:
                    continue
                value = values.get(c)
                if value is None:
                    row.append(SCell("", "", name, r, c))
                    continue
                text = str(value).strip()
                row.append(SCell(text, norm(text), name, r, c))
            out.append(row)
    return out


