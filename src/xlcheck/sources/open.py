"""Opening any input: sniff what the file really is, refuse what cannot be read with a
one-line Chinese reason, and hand the bytes to the reader for that format."""
from __future__ import annotations

import os
import zipfile
from pathlib import Path

from ..errors import InputError
from .grid import Grid

MAX_FILE_SIZE = 100 * 1024 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".et", ".ods")
TEXT_SUFFIXES = (".txt", ".text")
HTML_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml")
REPORT_FORMATS = ("txt", "html", "docx", "pdf")


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
            raise InputError(f"{name}：文件过大（{size // 1024 // 1024} MB，上限 {MAX_FILE_SIZE // 1024 // 1024} MB）")
        with open(p, "rb") as fh:
            head = fh.read(8)
    except PermissionError:
        raise InputError(f"{name}：没有读取权限") from None
    except OSError as exc:
        raise InputError(f"{name}：无法读取（{exc.strerror or exc.__class__.__name__}）") from None
    if head.startswith(OLE_MAGIC):
        data = p.read_bytes()
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            raise InputError(f"{name}：工作簿设有打开密码（已加密），请先在 Excel 中取消密码再校验")
        from .calamine import read_with_calamine
        return read_with_calamine(name, "xls")
    if head.startswith(b"PK"):
        try:
            archive = zipfile.ZipFile(p)
            names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            raise InputError(f"{name}：文件已损坏或不完整（无法作为 zip 压缩包打开）") from None
        with archive:
            if p.suffix.lower() == ".docx" and "word/document.xml" in names:
                from .docx import read_docx
                return read_docx(name)
            if "content.xml" in names and "mimetype" in names and archive.read("mimetype").startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
                from .ods import read_ods
                from .xlsx import check_zip_bomb
                check_zip_bomb(archive, name)
                try:
                    return read_ods(name, archive)
                except Exception as exc:
                    raise InputError(f"{name}：ODS 文件已损坏或无法解析（{exc.__class__.__name__}）") from None
            other = _describe_zip(names)
            if other:
                raise InputError(f"{name}：{other}")
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
                raise InputError(f"{name}：zip 压缩包里没有 Excel 工作簿")
            from .xlsx import check_zip_bomb, read_xlsx
            check_zip_bomb(archive, name)
            fmt = "xlsm" if p.suffix.lower() in (".xlsm", ".xltm") else "xlsx"
            try:
                return read_xlsx(name, archive, fmt)
            except InputError as exc:
                raise InputError(f"{name}：{exc}") from None
            except (zipfile.BadZipFile, KeyError, EOFError, OSError, ValueError, IndexError) as exc:
                raise InputError(f"{name}：文件已损坏或不完整（{exc.__class__.__name__}）") from None
            except Exception as exc:  # defusedxml's refusals, ParseError
                raise InputError(f"{name}：工作簿的 XML 无法解析（{exc.__class__.__name__}）") from None
    suffix = p.suffix.lower()
    if head.startswith(b"%PDF"):
        from .pdf import read_pdf
        return read_pdf(name)
    if suffix == ".pdf":
        raise InputError(f"{name}：不是有效的 PDF 文件")
    if suffix in TEXT_SUFFIXES + HTML_SUFFIXES:
        from .text import decode
        text = decode(p.read_bytes(), name)
        if suffix in HTML_SUFFIXES or ("<table" in text.lower() and "</td>" in text.lower()):
            from .html import read_html
            return read_html(name, text)
        from .text import read_text
        return read_text(name, text)
    if suffix in SPREADSHEET_SUFFIXES:
        if _looks_like_text(p):
            raise InputError(f"{name}：不是 Excel 工作簿（看起来是文本或 CSV 文件，只是扩展名为 {p.suffix}）")
        raise InputError(f"{name}：不是 Excel 工作簿（文件内容不是 xlsx 格式）")
    raise InputError(f"{name}：不支持的文件格式「{p.suffix or '无扩展名'}」")


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
