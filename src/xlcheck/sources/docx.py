"""Published reports as Word files (.docx, through python-docx): paragraphs are the prose,
each table row a Grid row with one cell per physical cell (a vertically merged continuation is
an empty cell, a horizontally spanning cell appears once)."""
from __future__ import annotations

from ..errors import InputError
from . import optional
from ..grid import Cell, Grid, Sheet
from .limits import Budget

SHEET = "报告"


def read_docx(path: str) -> Grid:
    docx = optional("docx", path, " Word 文件", "reports")
    from docx.oxml.ns import qn          # optional dependency (the reports extra), imported with docx above
    try:
        document = docx.Document(path)
    except Exception as exc:
        raise InputError(f"{path}：Word 文件已损坏或无法读取（{exc.__class__.__name__}）") from None
    grid = Grid(path=path, format="docx", report=True)
    sheet = Sheet(SHEET)
    grid.sheets.append(sheet)
    prose = []
    budget = Budget(path)
    r = 0
    for block in document.element.body.iterchildren():
        if block.tag == qn("w:p"):
            text = "".join(t.text or "" for t in block.iter(qn("w:t")))
            prose.append(text)
            if text.strip() and r < 30:
                r += 1
                sheet.cells[(r, 1)] = Cell(text.strip())
        elif block.tag == qn("w:tbl"):
            r += 1                                         # a blank row between tables
            for tr in block.iter(qn("w:tr")):
                r += 1
                for c, tc in enumerate(tr.findall(qn("w:tc")), start=1):
                    paragraphs = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.iter(qn("w:p"))]
                    text = "".join(paragraphs).strip()
                    budget.take()
                    sheet.cells[(r, c)] = Cell(text or None)
    grid.text = "\n".join(prose)
    return grid
