"""OpenDocument spreadsheets (.ods) read from content.xml: values, repeated rows and columns,
and merged ranges (a covered cell is a merged continuation). Pure Python, defusedxml."""
from __future__ import annotations

import zipfile

from defusedxml.ElementTree import iterparse

from ..grid import Cell, Grid, Sheet
from .limits import Budget

T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
O = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
X = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
MAX_COLUMNS = 16384      # the widest sheet LibreOffice and Excel know; repeats past it are padding
MAX_ROWS = 1048576


def _text(cell) -> str:
    """The cell's paragraphs, one a line: only the cell's own <text:p>, each read once however
    deeply its spans nest (a comment's paragraphs are not the value)."""
    return "\n".join("".join(p.itertext()) for p in cell if p.tag in (f"{X}p", f"{X}h"))


def _repeat(elem, attr: str) -> int:
    try:
        return max(1, int(elem.get(attr, "1")))
    except ValueError:
        return 1


def read_ods(path: str, archive: zipfile.ZipFile) -> Grid:
    """Cells of every table; repeated rows and columns move the position without materialising
    anything unless they hold a value (then each copy counts against the cell budget)."""
    grid = Grid(path=path, format="ods")
    budget = Budget(path)
    sheet = None
    row = 0
    for event, elem in iterparse(archive.open("content.xml"), events=("start", "end")):
        tag = elem.tag
        if event == "start" and tag == f"{T}table":
            sheet = Sheet(elem.get(f"{T}name", f"Sheet{len(grid.sheets) + 1}"))
            grid.sheets.append(sheet)
            row = 0
        elif event == "end" and tag == f"{T}table-row" and sheet is not None:
            rrep = _repeat(elem, f"{T}number-rows-repeated")
            found = _row(elem)
            if found and row < MAX_ROWS:
                rrep = min(rrep, MAX_ROWS - row)
                budget.take(rrep * len(found))
                for r in range(row + 1, row + rrep + 1):
                    for col, value, formula, rs, cs in found:
                        if value is not None:
                            sheet.cells[(r, col)] = Cell(value, formula)
                        if rs > 1 or cs > 1:
                            sheet.merged.append((r, col, r + rs - 1, col + cs - 1))
            row += rrep
            elem.clear()
    return grid


def _row(elem) -> list[tuple]:
    """(column, value, formula, rows spanned, columns spanned) of each cell of a row that holds a
    value or starts a merged area, its repeats expanded (an empty repeat only moves the column)."""
    out = []
    col = 0
    for cell in elem:
        crep = _repeat(cell, f"{T}number-columns-repeated")
        if cell.tag != f"{T}table-cell" or col >= MAX_COLUMNS:
            col += crep
            continue
        value = _value(cell)
        rs = _repeat(cell, f"{T}number-rows-spanned")
        cs = _repeat(cell, f"{T}number-columns-spanned")
        if value is None and rs == 1 and cs == 1:
            col += crep
            continue
        formula = (cell.get(f"{T}formula") or "").lstrip("of:=") or None
        for c in range(col + 1, min(col + crep, MAX_COLUMNS) + 1):
            out.append((c, value, formula, rs, cs))
        col += crep
    return out


def _value(cell):
    kind = cell.get(f"{O}value-type")
    if kind in ("float", "percentage", "currency"):
        raw = cell.get(f"{O}value")
        try:
            number = float(raw)
        except (TypeError, ValueError):
            return _text(cell) or None
        return int(number) if number.is_integer() else number
    if kind == "boolean":
        return cell.get(f"{O}boolean-value") == "true"
    text = _text(cell)
    return text if text else None
