"""The Grid every reader produces: sheets of cells with 1-based (row, column) positions,
merged ranges and defined names, and whether the source is a published report. Nothing here
knows about tables or rules; every stage above the readers takes a Grid."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


def col_letter(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


@lru_cache(maxsize=65536)
def address(row: int, col: int) -> str:
    return f"{col_letter(col)}{row}"


def parse_address(ref: str) -> tuple[int, int]:
    m = _REF.match(ref.strip().upper())
    if not m:
        raise ValueError(ref)
    return int(m.group(2)), col_number(m.group(1))


@dataclass
class Cell:
    value: Any = None           # the cached / typed value (str, int, float, bool or None)
    formula: str | None = None  # the formula text without "=", when the cell holds one
    cached: bool = True         # False: a formula whose result was never calculated
    line: int | None = None     # the source line, for text sources
    page: int | None = None     # the page, for a PDF's table cells


@dataclass
class Sheet:
    name: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)   # r1, c1, r2, c2
    state: str = "visible"

    def value(self, row: int, col: int) -> Any:
        cell = self.cells.get((row, col))
        return None if cell is None else cell.value

    def rows(self, width: int) -> list[list[Any]]:
        """The values of the rows that hold cells, in order, each from column A to `width`:
        never the rectangle up to the last used cell, which one far-away cell makes huge."""
        out: dict[int, list[Any]] = {}
        for (r, c), cell in sorted(self.cells.items()):
            if c <= width:
                out.setdefault(r, [None] * width)[c - 1] = cell.value
        return list(out.values())


@dataclass
class Grid:
    path: str
    format: str                                   # xlsx, xlsm, xls, ods, html, txt, docx, ...
    sheets: list[Sheet] = field(default_factory=list)
    names: dict[str, tuple[str, int, int]] = field(default_factory=dict)   # name → sheet, row, col
    text: str = ""                                # prose of a report source
    report: bool = False                          # a published report (text, HTML, Word, PDF), set by its reader:
                                                  # its numbers are text and its places are lines, not cells

    def sheet(self, name: str) -> Sheet | None:
        for s in self.sheets:
            if s.name == name:
                return s
        return None

    def where(self, sheet: str | None, row: int, col: int) -> tuple[str | None, str | None, int | None]:
        """(sheet, cell, line) naming a place of this source as a user finds it: a workbook's
        sheet and cell, or a published report's line (its pseudo-cells are no place to look)."""
        if not self.report:
            return sheet, address(row, col), None
        ws = self.sheet(sheet) if sheet is not None else None
        cell = ws.cells.get((row, col)) if ws is not None else None
        return None, None, cell.line if cell is not None else None
