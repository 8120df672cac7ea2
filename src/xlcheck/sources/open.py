"""Opening any input: sniff what the file really is, refuse what cannot be read with a
one-line Chinese reason, and hand it to the reader of its format.

`FORMATS` is the one registry of what xlcheck reads: a format's name, the suffixes a folder
expansion takes for it, and its reader. Adding a source format means writing its reader and
adding it here (and, where its content is sniffed rather than named by suffix, to `read_source`).
"""
from __future__ import annotations

import os
import zipfile
from importlib import import_module
from pathlib import Path
from typing import NamedTuple

from ..errors import InputError
from ..grid import Grid
from .limits import MAX_FILE_SIZE, MAX_TEXT_SIZE, check_archive, mb, too_large

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class Format(NamedTuple):
    name: str
    suffixes: tuple[str, ...]
    reader: str          # "module:function" of xlcheck.sources, imported only when a file needs it

    def read(self, *args) -> Grid:
        module, function = self.reader.split(":")
        # imported here, not at the top: a reader's library is an optional extra (docx, pdf,
        # calamine) or costs start-up time, and only the formats met in a run are loaded
        return getattr(import_module(f"{__package__}.{module}"), function)(*args)


FORMATS = {f.name: f for f in (
    Format("xlsx", (".xlsx", ".xltx"), "xlsx:read_xlsx"),
    Format("xlsm", (".xlsm", ".xltm"), "xlsx:read_xlsx"),
    Format("xls", (".xls", ".et"), "calamine:read_with_calamine"),
    Format("ods", (".ods",), "ods:read_ods"),
    Format("html", (".html", ".htm", ".shtml", ".xhtml"), "html:read_html"),
    Format("txt", (".txt", ".text"), "text:read_text"),
    Format("docx", (".docx",), "docx:read_docx"),
    Format("pdf", (".pdf",), "pdf:read_pdf"),
)}
SUFFIXES = frozenset(s for f in FORMATS.values() for s in f.suffixes)     # what a folder expansion takes

# Files people send that xlcheck cannot read, with what to do instead.
SAVE_AS_DOCX = "这是 Word 97–2003 或 WPS 文字的二进制文件，无法读取其中的表格；请另存为 .docx 后再校验"
UNREADABLE = {".doc": SAVE_AS_DOCX, ".dot": SAVE_AS_DOCX, ".wps": SAVE_AS_DOCX, ".wpt": SAVE_AS_DOCX}
_WORD_STREAM = "WordDocument".encode("utf-16-le")
_SPREADSHEETS = FORMATS["xlsx"].suffixes + FORMATS["xlsm"].suffixes + FORMATS["xls"].suffixes + FORMATS["ods"].suffixes


def format_of_suffix(path: str | os.PathLike) -> Format | None:
    suffix = Path(path).suffix.lower()
    return next((f for f in FORMATS.values() if suffix in f.suffixes), None)


def _describe_zip(names: set[str]) -> str | None:
    if "word/document.xml" in names:
        return "这是 Word 文档（.docx），不是 Excel 工作簿"
    if "ppt/presentation.xml" in names:
        return "这是 PowerPoint 演示文稿，不是 Excel 工作簿"
    if "content.xml" in names and "mimetype" in names:
        return "这是 OpenDocument 文件（.ods/.odt），不是 .xlsx 工作簿"
    return None


def read_source(path: str | os.PathLike) -> Grid:
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise InputError(f"{name}：文件不存在")
    if p.is_dir():
        raise InputError(f"{name}：这是一个目录，不是文件")
    try:
        size = p.stat().st_size
        if size == 0:
            raise InputError(f"{name}：文件为空（0 字节）")
        if size > MAX_FILE_SIZE:
            raise too_large(name, f"{mb(size)}（上限 {mb(MAX_FILE_SIZE)}）")
        with open(p, "rb") as fh:
            head = fh.read(8)
    except PermissionError:
        raise InputError(f"{name}：没有读取权限") from None
    except OSError as exc:
        raise InputError(f"{name}：无法读取（{exc.strerror or exc.__class__.__name__}）") from None
    if p.suffix.lower() in UNREADABLE:
        raise InputError(f"{name}：{UNREADABLE[p.suffix.lower()]}")
    if head.startswith(OLE_MAGIC):
        data = p.read_bytes()
        if _WORD_STREAM in data:
            raise InputError(f"{name}：{SAVE_AS_DOCX}")
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            raise InputError(f"{name}：工作簿设有打开密码（已加密），请先在 Excel 中取消密码再校验")
        return FORMATS["xls"].read(name, "xls")
    if head.startswith(b"PK"):
        return _read_zip(p, name)
    suffix = p.suffix.lower()
    if head.startswith(b"%PDF"):
        return FORMATS["pdf"].read(name)
    if suffix in FORMATS["pdf"].suffixes:
        raise InputError(f"{name}：不是有效的 PDF 文件")
    if suffix in FORMATS["txt"].suffixes + FORMATS["html"].suffixes:
        if size > MAX_TEXT_SIZE:
            raise too_large(name, f"{mb(size)}（文本和网页的上限 {mb(MAX_TEXT_SIZE)}）")
        from .text import decode                      # deferred: start-up time (only a text or a web page)
        text = decode(p.read_bytes(), name)
        if suffix in FORMATS["html"].suffixes or ("<table" in text.lower() and "</td>" in text.lower()):
            return FORMATS["html"].read(name, text)
        return FORMATS["txt"].read(name, text)
    if suffix in _SPREADSHEETS:
        if _looks_like_text(p):
            raise InputError(f"{name}：不是 Excel 工作簿（看起来是文本或 CSV 文件，只是扩展名为 {p.suffix}）")
        raise InputError(f"{name}：不是 Excel 工作簿（文件内容不是 xlsx 格式）")
    raise InputError(f"{name}：不支持的文件格式「{p.suffix or '无扩展名'}」")


def _read_zip(p: Path, name: str) -> Grid:
    try:
        archive = zipfile.ZipFile(p)
        names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InputError(f"{name}：文件已损坏或不完整（无法作为 zip 压缩包打开）") from None
    with archive:
        check_archive(archive, name)                   # every container, before any member is read
        if p.suffix.lower() in FORMATS["docx"].suffixes and "word/document.xml" in names:
            return FORMATS["docx"].read(name)
        if "content.xml" in names and "mimetype" in names and archive.read("mimetype").startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
            try:
                return FORMATS["ods"].read(name, archive)
            except InputError as exc:
                raise InputError(_named(name, exc)) from None
            except Exception as exc:
                raise InputError(f"{name}：ODS 文件已损坏或无法解析（{exc.__class__.__name__}）") from None
        other = _describe_zip(names)
        if other:
            raise InputError(f"{name}：{other}")
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
            raise InputError(f"{name}：zip 压缩包里没有 Excel 工作簿")
        fmt = "xlsm" if p.suffix.lower() in FORMATS["xlsm"].suffixes else "xlsx"
        try:
            return FORMATS[fmt].read(name, archive, fmt)
        except InputError as exc:
            raise InputError(_named(name, exc)) from None
        except (zipfile.BadZipFile, KeyError, EOFError, OSError, ValueError, IndexError) as exc:
            raise InputError(f"{name}：文件已损坏或不完整（{exc.__class__.__name__}）") from None
        except Exception as exc:  # expat's refusals (ParseError)
            raise InputError(f"{name}：工作簿的 XML 无法解析（{exc.__class__.__name__}）") from None


def _named(name: str, exc: InputError) -> str:
    """A reader's message, after the file's name unless it already begins with it."""
    message = str(exc)
    return message if message.startswith(f"{name}：") else f"{name}：{message}"


def _looks_like_text(p: Path) -> bool:
    data = p.read_bytes()[:4096]
    if b"\x00" in data:
        return False
    for enc in ("utf-8", "gb18030"):
        try:
            data.decode(enc)
            return True
        except UnicodeDecodeError:
            continue
    return False
