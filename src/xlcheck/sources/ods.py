"""OpenDocument spreadsheets (.ods) read from content.xml: values, repeated rows and columns,
merged ranges (a covered cell is a merged continuation) and the workbook's named ranges that
name one cell (a template saved by LibreOffice keeps its defined names as these). Pure Python:
expat callbacks (no element tree is built, so the styles and conditional formats cost only their
parsing), refusing any DTD or entity declaration as for every workbook part."""
from __future__ import annotations

import re
import zipfile

from ..grid import Cell, Grid, Sheet, parse_address
from .limits import Budget, read_member
from .sheetxml import _parser, _run

T = "urn:oasis:names:tc:opendocument:xmlns:table:1.0}"       # names as expat gives them
O = "urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
X = "urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
MAX_COLUMNS = 16384      # the widest sheet LibreOffice and Excel know; repeats past it are padding
MAX_ROWS = 1048576
TABLE, ROW, CELL, COVERED = f"{T}table", f"{T}table-row", f"{T}table-cell", f"{T}covered-table-cell"
PARAGRAPHS = (f"{X}p", f"{X}h")
NAMED_RANGE = f"{T}named-range"
_RANGE = re.compile(r"^\$?('(?:[^']|'')*'|[^.']+)\.(\$?[A-Z]{1,3}\$?\d+)$")


def _repeat(attrs: dict, attr: str) -> int:
    try:
        return max(1, int(attrs.get(attr, "1")))
    except ValueError:
        return 1


def single_cell(address: str) -> tuple[str, int, int] | None:
    """'$主动公开.$B$6' → ("主动公开", 6, 2); a range or anything else → None."""
    m = _RANGE.match(address)
    if not m:
        return None
    sheet = m.group(1)
    if sheet.startswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    row, col = parse_address(m.group(2))
    return sheet, row, col


class _Reader:
    """The parser's target: start, data and end events in document order. Repeated rows and
    columns move the position without materialising anything unless they hold a value (then each
    copy counts against the cell budget)."""

    def __init__(self, grid: Grid, budget: Budget):
        self.grid, self.budget = grid, budget
        self.sheet: Sheet | None = None
        self.row = 0                      # rows of the current table passed so far
        self.row_repeat = 1
        self.col = 0                      # columns of the current row passed so far
        self.found: list[tuple] = []      # the current row's cells that hold something
        self.depth = 0
        self.cell: dict | None = None     # the attributes of the cell being read
        self.cell_depth = 0
        self.paragraphs: list[str] = []   # the cell's own paragraphs
        self.text: list[str] | None = None    # the paragraph being read (its text at any depth)
        self.text_depth = 0

    def start(self, tag, attrs):
        self.depth += 1
        if self.text is not None:
            return
        if self.cell is not None:
            if tag in PARAGRAPHS and self.depth == self.cell_depth + 1:
                self.text, self.text_depth = [], self.depth
            return
        if tag == CELL or tag == COVERED:
            if tag == COVERED or self.col >= MAX_COLUMNS:
                self.col += _repeat(attrs, f"{T}number-columns-repeated")
            else:
                self.cell, self.cell_depth, self.paragraphs = attrs, self.depth, []
        elif tag == ROW:
            self.col, self.found, self.row_repeat = 0, [], _repeat(attrs, f"{T}number-rows-repeated")
        elif tag == TABLE:
            self.sheet = Sheet(attrs.get(f"{T}name", f"Sheet{len(self.grid.sheets) + 1}"))
            self.grid.sheets.append(self.sheet)
            self.row = 0
        elif tag == NAMED_RANGE and self.sheet is None:      # the workbook's names, not a sheet's
            ref = single_cell(attrs.get(f"{T}cell-range-address", ""))
            if ref and attrs.get(f"{T}name"):
                self.grid.names[attrs[f"{T}name"]] = ref

    def data(self, text):
        if self.text is not None:
            self.text.append(text)

    def end(self, tag):
        depth = self.depth
        self.depth -= 1
        if self.text is not None:
            if depth == self.text_depth:
                self.paragraphs.append("".join(self.text))
                self.text = None
        elif self.cell is not None:
            if depth == self.cell_depth:
                self._cell(self.cell)
                self.cell = None
        elif tag == ROW and self.sheet is not None:
            self._row()
        elif tag == TABLE:
            self.sheet = None

    def _cell(self, attrs):
        """A cell that holds a value or starts a merged area, its repeats expanded (an empty
        repeat only moves the column)."""
        crep = _repeat(attrs, f"{T}number-columns-repeated")
        rs = _repeat(attrs, f"{T}number-rows-spanned")
        cs = _repeat(attrs, f"{T}number-columns-spanned")
        value = _value(attrs, "\n".join(self.paragraphs))
        if value is not None or rs > 1 or cs > 1:
            formula = (attrs.get(f"{T}formula") or "").lstrip("of:=") or None
            for c in range(self.col + 1, min(self.col + crep, MAX_COLUMNS) + 1):
                self.found.append((c, value, formula, rs, cs))
        self.col += crep

    def _row(self):
        sheet, found, rrep = self.sheet, self.found, self.row_repeat
        if found and self.row < MAX_ROWS:
            rrep = min(rrep, MAX_ROWS - self.row)
            self.budget.take(rrep * len(found))
            for r in range(self.row + 1, self.row + rrep + 1):
                for col, value, formula, rs, cs in found:
                    if value is not None:
                        sheet.cells[(r, col)] = Cell(value, formula)
                    if rs > 1 or cs > 1:
                        sheet.merged.append((r, col, r + rs - 1, col + cs - 1))
        self.row += rrep
        self.found = []


def read_ods(path: str, archive: zipfile.ZipFile) -> Grid:
    reader = _Reader(Grid(path=path, format="ods"), Budget(path))
    _run(_parser(reader.start, reader.end, reader.data, namespaces=True), _body(read_member(archive, "content.xml", path)))
    return reader.grid


def _body(data: bytes) -> bytes:
    """content.xml without its automatic styles and font declarations (nothing read here, and
    most of the parsing): the prolog and the root element's start tag, then the body. Done only
    where the prefixes are the standard ones; otherwise the whole document."""
    root = data.find(b"<office:document-content")
    body = data.find(b"<office:body")
    if root < 0 or body < 0:
        return data
    head = data[: data.find(b">", root) + 1]
    if head.rfind(b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"', root) < 0:
        return data
    return head + data[body:]


def _value(attrs: dict, text: str):
    kind = attrs.get(f"{O}value-type")
    if kind in ("float", "percentage", "currency"):
        try:
            number = float(attrs.get(f"{O}value"))
        except (TypeError, ValueError):
            return text or None
        return int(number) if number.is_integer() else number
    if kind == "boolean":
        return attrs.get(f"{O}boolean-value") == "true"
    return text if text else None
