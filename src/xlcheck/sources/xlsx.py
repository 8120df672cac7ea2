"""Reading .xlsx / .xlsm packages straight from their XML: values, cached formula results
and formulas together, merged ranges and defined names. Pure Python (runs in Pyodide), and
the XML is parsed with defusedxml so a hostile file cannot expand entities."""
from __future__ import annotations

import posixpath
import zipfile

from defusedxml.ElementTree import fromstring, iterparse

from ..errors import InputError
from .grid import Cell, Grid, Sheet, parse_address

NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

MAX_UNCOMPRESSED = 400 * 1024 * 1024      # bytes, all members together
MAX_RATIO = 200                           # uncompressed / compressed, for any large member


def check_zip_bomb(archive: zipfile.ZipFile, path: str) -> None:
    """Refuse, before parsing anything, a package whose size or compression ratio is absurd."""
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.file_size > 10 * 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InputError(f"{path}：压缩比异常（{info.filename} 解压后 {info.file_size // 1024 // 1024} MB），疑似压缩炸弹，已拒绝")
    if total > MAX_UNCOMPRESSED:
        raise InputError(f"{path}：解压后大小 {total // 1024 // 1024} MB 超出上限，疑似压缩炸弹，已拒绝")


def _rels(archive: zipfile.ZipFile, part: str) -> dict[str, str]:
    folder, name = posixpath.split(part)
    rels_part = posixpath.join(folder, "_rels", name + ".rels")
    try:
        root = fromstring(archive.read(rels_part))
    except KeyError:
        return {}
    out = {}
    for rel in root.iter(f"{NS_PKG_REL}Relationship"):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            continue
        full = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id")] = full
    return out


def _shared_strings(archive: zipfile.ZipFile, part: str | None) -> list[str]:
    if not part or part not in archive.namelist():
        return []
    out = []
    for _, elem in iterparse(archive.open(part), events=("end",)):
        if elem.tag == f"{NS_MAIN}si":
            out.append("".join(t.text or "" for t in elem.iter(f"{NS_MAIN}t")))
            elem.clear()
    return out


def _workbook_part(archive: zipfile.ZipFile) -> str:
    root_rels = _rels(archive, "")
    for rid, target in root_rels.items():
        if target.endswith(".xml") and "workbook" in target.rsplit("/", 1)[-1].lower():
            return target
    if "xl/workbook.xml" in archive.namelist():
        return "xl/workbook.xml"
    raise InputError("缺少 workbook 部件")


def read_xlsx(path: str, archive: zipfile.ZipFile, fmt: str = "xlsx") -> Grid:
    wb_part = _workbook_part(archive)
    wb_rels = _rels(archive, wb_part)
    root = fromstring(archive.read(wb_part))
    shared_part = next((t for t in wb_rels.values() if t.endswith("sharedStrings.xml")), None)
    strings = _shared_strings(archive, shared_part)
    grid = Grid(path=path, format=fmt)
    sheets_el = root.find(f"{NS_MAIN}sheets")
    for sh in (sheets_el if sheets_el is not None else []):
        target = wb_rels.get(sh.get(f"{NS_REL}id"))
        sheet = Sheet(name=sh.get("name", ""), state=sh.get("state", "visible"))
        if target and target in archive.namelist() and "worksheets" in target:
            _read_sheet(archive.open(target), sheet, strings)
        grid.sheets.append(sheet)
    names_el = root.find(f"{NS_MAIN}definedNames")
    for dn in (names_el if names_el is not None else []):
        if dn.get("localSheetId") is not None:
            continue
        ref = _single_cell(dn.text or "")
        if ref:
            grid.names[dn.get("name", "")] = ref
    return grid


def _single_cell(text: str) -> tuple[str, int, int] | None:
    """'Sheet name'!$D$6 → ("Sheet name", 6, 4); anything else (ranges, formulas) → None."""
    if "!" not in text:
        return None
    sheet, _, ref = text.rpartition("!")
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    try:
        row, col = parse_address(ref)
    except ValueError:
        return None
    return sheet, row, col


class _Refused(Exception):
    pass


def _refuse(*_args):
    raise _Refused("DTD or entity declaration in a workbook part")


def _read_sheet(stream, sheet: Sheet, strings: list[str]) -> None:
    """Cells and merged ranges of one worksheet part, with expat callbacks (no tree is built).
    A DOCTYPE or entity declaration is refused outright: no legitimate worksheet has one."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    state = {"ref": None, "t": "n", "v": None, "f": None, "is": None, "buf": None}
    cells = sheet.cells

    def start(name, attrs):
        local = name.rsplit(":", 1)[-1]
        if local == "c":
            state["ref"], state["t"], state["v"], state["f"], state["is"] = attrs.get("r"), attrs.get("t", "n"), None, None, None
        elif local in ("v", "f", "t"):
            state["buf"] = []
        elif local == "mergeCell":
            a, _, b = attrs.get("ref", "").partition(":")
            try:
                r1, c1 = parse_address(a)
                r2, c2 = parse_address(b or a)
                sheet.merged.append((r1, c1, r2, c2))
            except ValueError:
                pass

    def end(name):
        local = name.rsplit(":", 1)[-1]
        buf = state["buf"]
        if local == "v" and buf is not None:
            state["v"] = "".join(buf)
            state["buf"] = None
        elif local == "f" and buf is not None:
            state["f"] = "".join(buf) or None
            state["buf"] = None
        elif local == "t" and buf is not None:
            state["is"] = (state["is"] or "") + "".join(buf)
            state["buf"] = None
        elif local == "c":
            kind, text, formula = state["t"], state["v"], state["f"]
            value: object = None
            if kind == "s" and text:
                value = strings[int(text)]
            elif kind == "inlineStr":
                value = state["is"]
            elif kind in ("str", "e"):
                value = text
            elif kind == "b":
                value = (text == "1") if text else None
            elif text:
                value = _number(text)
            ref = state["ref"]
            if ref and (value is not None or formula):
                cells[parse_address(ref)] = Cell(value, formula, cached=not (formula and not text))

    def chars(data):
        buf = state["buf"]
        if buf is not None:
            buf.append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.ParseFile(stream)
    except _Refused:
        raise InputError("工作表含有 DTD 或实体声明，已拒绝解析") from None


def _number(text: str):
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and abs(number) < 2**53 else number
