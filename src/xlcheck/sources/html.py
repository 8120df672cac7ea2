"""Published reports as HTML: every <table> row becomes a Grid row (cells in printed order;
a cell spanning rows appears once, in its first row, as it does in the page), and the text
outside the tables is kept as the report's prose. Pure Python (html.parser)."""
from __future__ import annotations

import html
from html.parser import HTMLParser

from ..grid import Cell, Grid, Sheet

SHEET = "报告"
BLOCKS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article", "tr"}


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.prose: list[str] = []
        self.depth = 0            # table nesting
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.skip = 0             # inside <script>/<style>

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "table":
            self.depth += 1
            if self.depth == 1:
                self.rows.append([])            # a blank row between tables
        elif tag == "tr" and self.depth:
            self.row = []
        elif tag in ("td", "th") and self.depth and self.row is not None:
            self.cell = []
        elif tag in BLOCKS and not self.depth:
            self.prose.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.rows.append(self.row)
            self.row = None
        elif tag == "table" and self.depth:
            self.depth -= 1
        elif tag in BLOCKS and not self.depth:
            self.prose.append("\n")

    def handle_data(self, data):
        if self.skip:
            return
        if self.cell is not None:
            self.cell.append(data.replace("\n", "").replace("\r", ""))
        elif not self.depth:
            self.prose.append(data)


def read_html(path: str, text: str) -> Grid:
    if '\\"' in text and "<table" in text:          # HTML escaped inside a script string
        text = text.replace('\\"', '"').replace("\\/", "/")
    parser = _Parser()
    parser.feed(text)
    parser.close()
    prose = html.unescape("".join(parser.prose))
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
