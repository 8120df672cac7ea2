"""Published reports as plain text: the tables flattened one cell a line (tab-indented, a blank
line between rows, a line without indent continuing the cell above), or one row a line with
cells split by `` | `` or tabs. Every table row becomes a row of the Grid's one sheet, each cell
remembering its line; the whole text is kept as the report's prose."""
from __future__ import annotations

import re

from ..errors import InputError
from ..grid import Cell, Grid, Sheet
from .limits import MAX_ROWS, Budget, too_large

SHEET = "报告"


def decode(data: bytes, path: str) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError(f"{path}：无法识别文本编码（既不是 UTF-8 也不是 GB18030）")


_GAP = re.compile(r"\s{2,}|\t")


def _split(line: str) -> list[str] | None:
    """A table row printed on one line: cells split by `|`, by tabs, or by runs of spaces (as
    `pdftotext -layout` prints them). None for a line that is a single cell or prose."""
    body = line.rstrip("\r\n")
    if "|" in body and body.count("|") >= 1 and (" | " in body or body.strip().startswith("|")):
        cells = [c.strip() for c in body.split("|")]
        if body.lstrip().startswith("|"):
            cells = cells[1:]
        return cells
    parts = [c for c in _GAP.split(body.strip()) if c != ""]
    if len(parts) >= 2:
        return parts
    return None


def read_text(path: str, text: str, fmt: str = "txt") -> Grid:
    grid = Grid(path=path, format=fmt, text=text, report=True)
    sheet = Sheet(SHEET)
    grid.sheets.append(sheet)
    rows: list[list[tuple[str, int]]] = []
    current: list[tuple[str, int]] = []
    last_was_cell = False

    def flush():
        nonlocal current
        if current:
            rows.append(current)
        current = []

    for number, line in enumerate(text.splitlines(), start=1):
        if len(rows) > MAX_ROWS:
            raise too_large(path, f"超过 {MAX_ROWS:,} 行")
        if not line.strip():
            if line.startswith("\t") and line.strip("\t ") == "" and line != "":
                current.append(("", number))          # an empty cell of a flattened row
                last_was_cell = True
                continue
            flush()
            last_was_cell = False
            continue
        if line.startswith("\t"):
            cells = line[1:].split("\t") if "\t" in line[1:].strip() else [line[1:]]
            current.extend((c, number) for c in cells)
            last_was_cell = True
            continue
        split = _split(line)
        if split is not None:
            flush()
            rows.append([(c, number) for c in split])
            last_was_cell = False
            continue
        if last_was_cell and current:              # a label broken over lines
            text_, n = current[-1]
            current[-1] = (text_ + line.strip(), n)
            continue
        flush()
        rows.append([(line.strip(), number)])
        last_was_cell = False
    flush()
    budget = Budget(path)
    for r, row in enumerate(rows, start=1):
        budget.take(len(row))
        for c, (value, number) in enumerate(row, start=1):
            sheet.cells[(r, c)] = Cell(value if value.strip() else None, line=number)
    return grid
