"""Published reports as PDF, through pdfplumber (an optional extra: `pip install 'xlcheck[pdf]'`).

pdfplumber recovers each ruled table's cells with their row and column positions: a cell merged
into its neighbour comes back as None and is dropped, so every table row becomes a Grid row of
its cells in printed order, exactly as the HTML and Word readers give them. Rows of a table
continued on the next page simply follow (the page footer is not part of any table); labels
wrapped inside a cell, and vertical one-character labels, are joined. The text of every page is
the prose, with wrapped lines joined.
"""
from __future__ import annotations

import io
import re
import zlib
from itertools import islice

from ..errors import InputError
from . import optional
from ..grid import Cell, Grid, Sheet
from .limits import MAX_PAGE_OBJECTS, MAX_PAGES, MAX_PART, MAX_RATIO, MAX_UNCOMPRESSED, RATIO_FLOOR, mb, too_large

SHEET = "报告"
_STREAM = re.compile(rb"stream(?:\r\n|\n|\r)")
_FILTERS = re.compile(rb"/(FlateDecode|Fl|LZWDecode|LZW)\b")


def _inflate(data: bytes, room: int) -> bytes:
    """One Flate layer, at most `room` + 1 bytes of it (a damaged stream gives what it gave)."""
    d = zlib.decompressobj()
    try:
        out = d.decompress(data, room + 1)
    except zlib.error:
        return b""
    return out


def _unlzw(data: bytes, room: int) -> bytes:
    from pdfminer.lzw import LZWDecoder         # pdfminer comes with pdfplumber, the optional extra
    out = bytearray()
    try:
        for chunk in LZWDecoder(io.BytesIO(data)).run():
            out += chunk
            if len(out) > room:
                break
    except Exception:
        pass
    return bytes(out)


def check_streams(path: str, data: bytes) -> None:
    """Refuse a PDF whose compressed streams decode to an absurd size or ratio (a PDF bomb),
    before any library decodes them: every Flate or LZW layer of every stream is decoded here
    with a bound, the output counted and dropped."""
    total = 0
    for m in _STREAM.finditer(data):
        head = data[max(0, m.start() - 2048):m.start()]
        if not head.rstrip().endswith(b">>"):
            continue
        head = head[head.rfind(b"obj") + 1:]
        filters = [f.decode() for f in _FILTERS.findall(head)]
        if not filters:
            continue
        end = data.find(b"endstream", m.end())
        body = data[m.end(): end if end >= 0 else len(data)]
        for f in filters:
            room = min(MAX_PART, MAX_UNCOMPRESSED - total)
            body = _inflate(body, room) if f.startswith("Fl") else _unlzw(body, room)
            if len(body) > room:
                raise too_large(path, f"PDF 的数据流解码后超过 {mb(room)}，疑似压缩炸弹")
        size = len(body)
        if size > RATIO_FLOOR and size > MAX_RATIO * max(end - m.end(), 1):
            raise InputError(f"{path}：PDF 数据流压缩比异常（解码后 {mb(size)}），疑似压缩炸弹，已拒绝")
        total += size
_FOOTER = re.compile(r"^\s*[-—–]\s*\d+\s*[-—–]\s*$")


def _join(text: str | None) -> str:
    """Lines wrapped inside a cell, joined: Chinese needs no space between them."""
    if not text:
        return ""
    return re.sub(r"\s*\n\s*", "", text).strip()


def _continues(last: list, first: list) -> bool:
    """Is `first` (the first row of a page's first table) the rest of `last` (the previous page's
    last row), broken by the page? Same columns, and the new part holds only label text, in cells
    where the old part has text too, with no numbers."""
    if len(last) != len(first) or not any(first):
        return False
    for a, b in zip(last, first):
        if b is None or b.strip() == "":
            continue
        if a is None or not a.strip() or re.fullmatch(r"[\d.,\s]+", b) or re.fullmatch(r"[\d.,\s]+", a):
            return False
    return True


def _pages(pdf, path: str):
    """The pages, one at a time, refused past MAX_PAGES before any is laid out (the page tree is
    walked no further than that)."""
    from pdfminer.pdfpage import PDFPage        # pdfminer comes with pdfplumber, the optional extra
    from pdfplumber.page import Page
    found = list(islice(PDFPage.create_pages(pdf.doc), MAX_PAGES + 1))
    if len(found) > MAX_PAGES:
        raise too_large(path, f"PDF 超过 {MAX_PAGES} 页")
    doctop = 0
    for number, obj in enumerate(found, start=1):
        page = Page(pdf, obj, page_number=number, initial_doctop=doctop)
        doctop += page.height
        yield page
        page.close()


def read_pdf(path: str) -> Grid:
    pdfplumber = optional("pdfplumber", path, " PDF", "pdf")
    with open(path, "rb") as fh:
        check_streams(path, fh.read())
    try:
        pdf = pdfplumber.open(path)
    except Exception as exc:
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
        names = f"{exc.__class__.__name__} {inner.__class__.__name__}"
        with open(path, "rb") as fh:
            encrypted = b"/Encrypt" in fh.read()
        if encrypted or "Password" in names or "Encrypt" in names:
            raise InputError(f"{path}：PDF 已加密（设有打开密码），无法读取其中的文字") from None
        raise InputError(f"{path}：PDF 已损坏或无法读取（{inner.__class__.__name__}）") from None
    grid = Grid(path=path, format="pdf", report=True)
    sheet = Sheet(SHEET)
    grid.sheets.append(sheet)
    prose_pages = []
    chars = 0
    r = 0
    previous: list | None = None          # the last table row of the previous page, as extracted
    try:
        with pdf:
            for number, page in enumerate(_pages(pdf, path), start=1):
                if len(page.chars) + len(page.lines) + len(page.rects) + len(page.curves) > MAX_PAGE_OBJECTS:
                    raise too_large(path, f"PDF 第 {number} 页有超过 {MAX_PAGE_OBJECTS:,} 个文字和线条")
                chars += len(page.chars)
                text = page.extract_text() or ""
                lines = [l for l in text.splitlines() if l.strip() and not _FOOTER.match(l)]
                prose_pages.append("".join(l.strip() for l in lines))
                if number == 1:                       # the title (organ, year) precedes the tables
                    for line in lines[:12]:
                        r += 1
                        sheet.cells[(r, 1)] = Cell(line.strip(), line=number)
                for t, table in enumerate(page.extract_tables()):
                    for i, row in enumerate(table):
                        if t == 0 and i == 0 and previous is not None and _continues(previous, row):
                            row = [(a or "") + (b or "") if a is not None else None for a, b in zip(previous, row)]
                            r -= 1                        # a row broken by the page: rewrite it whole
                        cells = [_join(c) for c in row if c is not None]
                        if not any(cells):
                            continue
                        r += 1
                        for c, value in enumerate(cells, start=1):
                            sheet.cells[(r, c)] = Cell(value or None, line=None)
                    if table:
                        previous = table[-1]
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"{path}：PDF 无法解析（{exc.__class__.__name__}）") from None
    if chars == 0:
        raise InputError(f"{path}：PDF 没有文字层（可能是扫描件或图片），无法读取表格；请使用可复制文字的 PDF 或报告原文件")
    grid.text = "\n".join(prose_pages)
    return grid
