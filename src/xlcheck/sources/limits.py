"""The limits every reader keeps, in one place (README, "Limits"), and the guard over every
container xlcheck opens (xlsx/xlsm, ods, docx; a PDF's streams in `pdf`).

A statutory report holds a few hundred cells on a page or two; the limits are far above that and
far below what would exhaust a machine. A source over a limit is refused with one Chinese line
saying which limit (`too_large`), never read in part.
"""
from __future__ import annotations

import zipfile

from ..errors import InputError

MAX_FILE_SIZE = 100 * 1024 * 1024       # bytes of the file itself
MAX_TEXT_SIZE = 16 * 1024 * 1024        # bytes of a text or HTML file (a published page is well under 1 MB)
MAX_UNCOMPRESSED = 200 * 1024 * 1024    # bytes of a container's members together, or of a PDF's decoded streams
MAX_PART = 64 * 1024 * 1024             # bytes of one member that is parsed (a worksheet, content.xml, document.xml)
MAX_MEMBERS = 10_000                    # members of a zip container
MAX_RATIO = 200                         # uncompressed / compressed, for a member or stream over 1 MB
RATIO_FLOOR = 1024 * 1024
MAX_CELLS = 500_000                     # cells holding something, all sheets together
MAX_AREA = 500_000                      # positions of the rectangle a sheet's labels are read from
MAX_XLS_AREA = 4_000_000                # positions from a .xls sheet's first cell to its last (calamine holds them all)
MAX_ROWS = 200_000                      # rows of a published report (HTML, Word, PDF, text)
MAX_PAGES = 500                         # pages of a PDF
MAX_PAGE_OBJECTS = 200_000              # characters, lines and rectangles on one PDF page


def mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n} 字节"


def too_large(path: str | None, what: str) -> InputError:
    """The one message for a source over a limit: 「文件过大：…」 and which limit (after the file's
    name, when the reader knows it; `open.read_source` adds it otherwise)."""
    message = f"文件过大：{what}，超出 xlcheck 的上限，已拒绝（统计表报告不会这么大）"
    return InputError(f"{path}：{message}" if path else message)


class Budget:
    """Cells (or rows) a reader has materialised so far; `take` raises past the limit."""

    def __init__(self, path: str | None, limit: int = MAX_CELLS, what: str = "单元格"):
        self.path, self.limit, self.what, self.used = path, limit, what, 0

    def take(self, n: int = 1) -> None:
        self.used += n
        if self.used > self.limit:
            raise too_large(self.path, f"{self.what}超过 {self.limit:,} 个")


PARSED_WHOLE = ("word/document.xml", "content.xml")     # members a library or iterparse reads in one go


def check_archive(archive: zipfile.ZipFile, path: str) -> None:
    """Refuse, before anything is decompressed, a container whose member count, total
    uncompressed size or compression ratio is absurd (a zip bomb), or with a parsed member over
    MAX_PART. The sizes are those the archive declares; `read_member` holds a member to them."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise too_large(path, f"压缩包含 {len(infos):,} 个成员（上限 {MAX_MEMBERS:,}）")
    total = 0
    for info in infos:
        total += info.file_size
        if info.filename in PARSED_WHOLE and info.file_size > MAX_PART:
            raise too_large(path, f"{info.filename} 解压后 {mb(info.file_size)}（单个部件上限 {mb(MAX_PART)}）")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InputError(f"{path}：压缩比异常（{info.filename} 解压后 {mb(info.file_size)}），疑似压缩炸弹，已拒绝")
    if total > MAX_UNCOMPRESSED:
        raise too_large(path, f"解压后共 {mb(total)}（上限 {mb(MAX_UNCOMPRESSED)}），疑似压缩炸弹")


def read_member(archive: zipfile.ZipFile, name: str, path: str) -> bytes:
    """A member to be parsed, never more than MAX_PART bytes even if its header lies (zipfile
    checks the declared size and CRC as it reads)."""
    info = archive.getinfo(name)
    if info.file_size > MAX_PART:
        raise too_large(path, f"{name} 解压后 {mb(info.file_size)}（单个部件上限 {mb(MAX_PART)}）")
    with archive.open(info) as fh:
        data = fh.read(MAX_PART + 1)
    if len(data) > MAX_PART:
        raise too_large(path, f"{name} 解压后超过 {mb(MAX_PART)}")
    return data
