"""Published reports as HTML: every <table> row becomes a Grid row (cells in printed order;
a cell spanning rows appears once, in its first row, as it does in the page), and the text
outside the tables is kept as the report's prose. Pure Python.

The tags are found by one linear tokenizer rather than html.parser, whose handling of unclosed
tags is quadratic or worse (a page of 「<a 」 repeated takes minutes): a tag runs to its `>` or
to the end of the text, a quoted attribute to its quote or the end, a comment to `-->` or the
end, so no construct is ever scanned twice. A `<td>` or `<tr>` left open is closed by the next
one, and by the end of its table, as browsers do.
"""
from __future__ import annotations

import html
import re

from ..grid import Cell, Grid, Sheet
from .limits import MAX_ROWS, Budget

SHEET = "报告"
BLOCKS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article", "tr"}
_TAG = re.compile(r"""<(?:!--.*?(?:-->|\Z)|[!?][^>]*(?:>|\Z)|(/?)([A-Za-z][A-Za-z0-9:-]*)(?:"[^"]*(?:"|\Z)|'[^']*(?:'|\Z)|[^'">])*(?:>|\Z))""", re.S)
_RAW_END = {"script": re.compile(r"</script\s*>", re.I), "style": re.compile(r"</style\s*>", re.I)}


def tokens(text: str):
    """("start" | "end", tag) and ("data", text with character references resolved), in order."""
    pos, n = 0, len(text)
    while pos < n:
        lt = text.find("<", pos)
        if lt < 0:
            lt = n
        if lt > pos:
            yield "data", html.unescape(text[pos:lt])
        if lt >= n:
            break
        m = _TAG.match(text, lt)
        if m is None:                                   # a lone "<": text
            yield "data", "<"
            pos = lt + 1
            continue
        pos = m.end()
        if m.group(2) is None:                          # comment, declaration, processing instruction
            continue
        tag = m.group(2).lower()
        if m.group(1):
            yield "end", tag
            continue
        yield "start", tag
        if tag in _RAW_END:                             # script and style: skip to their end tag
            end = _RAW_END[tag].search(text, pos)
            pos = end.end() if end else n
            yield "end", tag


class _Tables:
    def __init__(self, path: str):
        self.rows: list[list[str]] = []
        self.prose: list[str] = []
        self.depth = 0            # table nesting
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.budget = Budget(path, MAX_ROWS, "表格行")
        self.cells = Budget(path)

    def _close_cell(self):
        if self.cell is not None and self.row is not None:
            self.cells.take()
            self.row.append("".join(self.cell).strip())
        self.cell = None

    def _close_row(self):
        self._close_cell()
        if self.row is not None:
            self.budget.take()
            self.rows.append(self.row)
        self.row = None

    def start(self, tag):
        if tag == "table":
            self.depth += 1
            if self.depth == 1:
                self.rows.append([])            # a blank row between tables
        elif tag == "tr" and self.depth:
            self._close_row()
            self.row = []
        elif tag in ("td", "th") and self.depth and self.row is not None:
            self._close_cell()
            self.cell = []
        elif tag in BLOCKS and not self.depth:
            self.prose.append("\n")

    def end(self, tag):
        if tag in ("td", "th"):
            self._close_cell()
        elif tag == "tr":
            self._close_row()
        elif tag == "table" and self.depth:
            self._close_row()
            self.depth -= 1
        elif tag in BLOCKS and not self.depth:
            self.prose.append("\n")

    def data(self, data):
        if self.cell is not None:
            self.cell.append(data.replace("\n", "").replace("\r", ""))
        elif not self.depth:
            self.prose.append(data)


def read_html(path: str, text: str) -> Grid:
    if '\\"' in text and "<table" in text:          # HTML escaped inside a script string
        text = text.replace('\\"', '"').replace("\\/", "/")
    parser = _Tables(path)
    for kind, value in tokens(text):
        if kind == "data":
            parser.data(value)
        elif kind == "start":
            parser.start(value)
        else:
            parser.end(value)
    parser._close_row()
    prose = "".join(parser.prose)
    grid = Grid(path=path, format="html", text=prose, report=True)
    sheet = Sheet(SHEET)
    grid.sheets.append(sheet)
    # the prose before the first table may hold the title (year, organ): keep its lines as rows too
    r = 0
    for line in prose.splitlines()[:30]:
        if line.strip():
            r += 1
            sheet.cells[(r, 1)] = Cell(line.strip())
    for row in parser.rows:
        r += 1
        for c, value in enumerate(row, start=1):
            sheet.cells[(r, c)] = Cell(value if value else None)
        if not row:
            continue
    return grid
