"""OpenDocument spreadsheets (.ods) read from content.xml: values, repeated rows and columns,
and merged ranges (a covered cell is a merged continuation). Pure Python, defusedxml."""
from __future__ import annotations

import zipfile

from defusedxml.ElementTree import iterparse

from ..grid import Cell, Grid, Sheet

T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
O = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
X = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
MAX_REPEAT = 1000        # repeated empty rows/columns pad to the sheet's end: never materialise them


def _text(cell) -> str:
    parts = []
    for p in cell.iter(f"{X}p"):
        parts.append("".join(p.itertext()))
    return "\n".join(parts)


def read_ods(path: str, archive: zipfile.ZipFile) -> Grid:
    grid = Grid(path=path, format="ods")
    sheet = None
    row = 0
    for event, elem in iterparse(archive.open("content.xml"), events=("start", "end")):
        tag = elem.tag
        if event == "start" and tag == f"{T}table":
            sheet = Sheet(elem.get(f"{T}name", f"Sheet{len(grid.sheets) + 1}"))
            grid.sheets.append(sheet)
            row = 0
        elif event == "end" and tag == f"{T}table-row" and sheet is not None:
            rrep = min(int(elem.get(f"{T}number-rows-repeated", "1")), MAX_REPEAT)
            for _ in range(rrep):
                row += 1
                col = 0
                for cell in elem:
                    crep = min(int(cell.get(f"{T}number-columns-repeated", "1")), MAX_REPEAT)
                    for _ in range(crep):
                        col += 1
                        if cell.tag != f"{T}table-cell":
                            continue
                        value = _value(cell)
                        if value is not None:
                            sheet.cells[(row, col)] = Cell(value, (cell.get(f"{T}formula") or "").lstrip("of:=") or None)
                        rs = int(cell.get(f"{T}number-rows-spanned", "1"))
                        cs = int(cell.get(f"{T}number-columns-spanned", "1"))
                        if rs > 1 or cs > 1:
                            sheet.merged.append((row, col, row + rs - 1, col + cs - 1))
            elem.clear()
    return grid


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
