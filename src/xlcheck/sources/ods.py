"""OpenDocument spreadsheets (.ods) read from content.xml: values, repeated rows and columns,
merged ranges (a covered cell is a merged continuation) and the workbook's named ranges that
name one cell (a template saved by LibreOffice keeps its defined names as these). Pure Python:
expat callbacks (no element tree is built, so the styles and conditional formats cost only their
parsing), refusing any DTD or entity declaration as for every workbook part."""
from __future__ import annotations

import re
import zipfile
from functools import lru_cache

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
    data = read_member(archive, "content.xml", path)
    head, body, names = _parts(data)
    _run(_parser(reader.start, reader.end, reader.data, namespaces=True), head + body if head else data)
    if names:
        reader.grid.names.update(_names(head, names) if len(names) < 1 << 20 else _names.__wrapped__(head, names))
    return reader.grid


_STANDARD = (b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"',
             b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"')
_CALCEXT = b'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"'


def _parts(data: bytes) -> tuple[bytes, bytes, bytes]:
    """(the prolog and the root element's start tag, the body, the workbook's named ranges)
    of content.xml, leaving out what is never read here and costs most of the parsing: the
    automatic styles and font declarations, the conditional formats and the validations. The
    named ranges are parsed apart (once per distinct list: a template's are the same in every
    copy). Only where the prefixes are the standard ones; otherwise (b"", b"", b""): parse all."""
    root = data.find(b"<office:document-content")
    start = data.find(b"<office:body")
    if root < 0 or start < 0:
        return b"", b"", b""
    head = data[: data.find(b">", root) + 1]
    if not all(head.find(ns, root) >= 0 for ns in _STANDARD):
        return b"", b"", b""
    body = data[start:]
    for tag in ([b"calcext:conditional-formats"] if head.find(_CALCEXT, root) >= 0 else []) + [b"table:content-validations"]:
        body = _without(body, tag)
    names = b""
    last = body.rfind(b"</table:table>")
    first = body.find(b"<table:named-expressions>", max(last, 0))
    end = body.find(b"</table:named-expressions>", first)
    if last >= 0 and first >= 0 and end >= 0:
        end += len(b"</table:named-expressions>")
        body, names = body[:first] + body[end:], body[first:end]
    return head, body, names


def _without(body: bytes, tag: bytes) -> bytes:
    """`body` without every <tag>…</tag> element (such elements do not nest)."""
    opening, closing = b"<" + tag, b"</" + tag + b">"
    parts, at = [], 0
    while (i := body.find(opening, at)) >= 0:
        j = body.find(closing, i)
        if j < 0 or body[i + len(opening):i + len(opening) + 1] not in (b" ", b">"):
            break
        parts.append(body[at:i])
        at = j + len(closing)
    parts.append(body[at:])
    return b"".join(parts)


@lru_cache(maxsize=32)
def _names(head: bytes, names: bytes) -> dict[str, tuple[str, int, int]]:
    reader = _Reader(Grid(path="", format="ods"), Budget(None))
    _run(_parser(reader.start, reader.end, reader.data, namespaces=True), head + names + b"</office:document-content>")
    return reader.grid.names


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
