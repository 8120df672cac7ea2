"""Published reports as PDF, through pypdfium2 (an optional extra: `pip install 'xlcheck[pdf]'`).

`pdftables` recovers each ruled table of a page as its printed cells; every table row becomes a
Grid row of the cells that start in it, in printed order, exactly as the HTML and Word readers
give them (a merged cell once, in its first row). A table broken by a page is one table
(`pdfstitch`): a header repeated on the new page is dropped, a merged group cell still running
is continued, and a row broken by the page is joined — only where the two parts cannot be two
rows. Labels wrapped inside a cell, and vertical one-character labels, are joined. The text
outside the tables is the prose, with wrapped lines joined.
"""
from __future__ import annotations

import re
import zlib

from ..errors import InputError
from . import optional
from ..grid import Cell, Grid, Sheet
from .limits import MAX_PAGE_OBJECTS, MAX_PAGES, MAX_PART, MAX_RATIO, MAX_UNCOMPRESSED, RATIO_FLOOR, mb, too_large
from .pdfstitch import stitch
from .pdftables import Line, read_page

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
    """One LZW layer (PDF's variant: 9-12 bit codes, early change), at most `room` + 1 bytes."""
    out = bytearray()
    table = [bytes([i]) for i in range(256)] + [b"", b""]
    bits, width, acc, prev = 0, 9, 0, None
    for byte in data:
        acc, bits = (acc << 8) | byte, bits + 8
        while bits >= width:
            bits -= width
            code = (acc >> bits) & ((1 << width) - 1)
            if code == 256:
                table, width, prev = table[:258], 9, None
                continue
            if code == 257:
                return bytes(out)
            if code < len(table):
                entry = table[code]
                if prev is not None:
                    table.append(prev + entry[:1])
            elif prev is not None and code == len(table):
                entry = prev + prev[:1]
                table.append(entry)
            else:
                return bytes(out)
            out += entry
            if len(out) > room:
                return bytes(out)
            prev = entry
            if len(table) + 1 >= 1 << width and width < 12:
                width += 1
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
_FOOTER = re.compile(r"^\s*(?:[-—–]\s*\d+\s*[-—–]|第?\s*\d+\s*页?(?:\s*/\s*共?\s*\d+\s*页?)?)\s*$")


def _open(pdfium, path: str, data: bytes):
    try:
        return pdfium.PdfDocument(data)
    except Exception as exc:
        if "password" in str(exc).lower() or b"/Encrypt" in data:
            raise InputError(f"{path}：PDF 已加密（设有打开密码），无法读取其中的文字") from None
        raise InputError(f"{path}：PDF 已损坏或无法读取（{exc.__class__.__name__}）") from None


def read_pdf(path: str) -> Grid:
    pdfium = optional("pypdfium2", path, " PDF", "pdf")
    raw = pdfium.raw
    with open(path, "rb") as fh:
        data = fh.read()
    check_streams(path, data)
    doc = _open(pdfium, path, data)
    items: list = []                      # each page's Lines and Tables, in reading order
    chars = 0
    try:
        if len(doc) > MAX_PAGES:
            raise too_large(path, f"PDF 超过 {MAX_PAGES} 页")
        for number in range(1, len(doc) + 1):
            page = doc[number - 1]
            textpage = page.get_textpage()
            chars_here = textpage.count_chars()
            tables, lines, count = read_page(page, textpage, raw, MAX_PAGE_OBJECTS - chars_here)
            if chars_here + count > MAX_PAGE_OBJECTS:
                raise too_large(path, f"PDF 第 {number} 页有超过 {MAX_PAGE_OBJECTS:,} 个文字和线条")
            chars += chars_here
            textpage.close()
            page.close()
            lines = [line for line in lines if not _FOOTER.match(line.text)]
            items.append(sorted(tables + lines, key=lambda what: what.top))
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"{path}：PDF 无法解析（{exc.__class__.__name__}）") from None
    finally:
        doc.close()
    if chars == 0:
        raise InputError(f"{path}：PDF 没有文字层（可能是扫描件或图片），无法读取表格；请使用可复制文字的 PDF 或报告原文件")
    return _grid(path, [(number, what) for number, page in enumerate(_without_furniture(items), start=1)
                        for what in page])


def _without_furniture(pages: list[list]) -> list[list]:
    """The pages without their running header and footer: a line of text standing first or last on
    more than one page, the same but for its digits (a page number, a date)."""
    def key(line) -> str:
        return re.sub(r"\d+", "#", line.text.replace(" ", ""))
    ends: dict[str, int] = {}
    for page in pages:
        for what in {id(w): w for w in page[:1] + page[-1:]}.values():
            if isinstance(what, Line):
                ends[key(what)] = ends.get(key(what), 0) + 1
    repeated = {k for k, n in ends.items() if n > 1}
    return [[w for i, w in enumerate(page) if not (isinstance(w, Line) and i in (0, len(page) - 1) and key(w) in repeated)]
            for page in pages]


def _join(text: str) -> str:
    """Lines wrapped inside a cell, joined: Chinese needs no space between them."""
    return re.sub(r"\s*\n\s*", "", text).strip()


def _grid(path: str, items: list) -> Grid:
    grid = Grid(path=path, format="pdf", report=True)
    sheet = Sheet(SHEET)
    grid.sheets.append(sheet)
    r = 0
    first_table = next((i for i, (n, w) in enumerate(items) if not isinstance(w, Line)), len(items))
    for number, what in items[:min(first_table, 12)]:   # the title (organ, year) precedes the tables
        if number == 1:
            r += 1
            sheet.cells[(r, 1)] = Cell(what.text.strip(), line=number)
    for number, what in items:
        if not isinstance(what, Line):
            for row in what.rows:
                for box in row:
                    box.page = number
    for rows in stitch(items):
        for row in rows:
            cells = [_join(box.text) for box in row]
            if not any(cells):
                continue
            r += 1
            page = next((box.page for box, text in zip(row, cells) if text and box.page), None)
            for c, value in enumerate(cells, start=1):
                sheet.cells[(r, c)] = Cell(value or None, line=None, page=page)
    prose: dict[int, list[str]] = {}
    for number, what in items:
        if isinstance(what, Line):
            prose.setdefault(number, []).append(what.text)
    grid.text = "\n".join("".join(texts) for _, texts in sorted(prose.items()))
    return grid
