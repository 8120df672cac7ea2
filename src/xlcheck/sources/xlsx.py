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


def _read_sheet(stream, sheet: Sheet, strings: list[str]) -> None:
    c_tag, v_tag, f_tag, is_tag, t_tag = (f"{NS_MAIN}{t}" for t in ("c", "v", "f", "is", "t"))
    merge_tag = f"{NS_MAIN}mergeCell"
    for _, elem in iterparse(stream, events=("end",)):
        tag = elem.tag
        if tag == c_tag:
            ref = elem.get("r")
            kind = elem.get("t", "n")
            v = elem.find(v_tag)
            f = elem.find(f_tag)
            text = v.text if v is not None else None
            value: object = None
            if kind == "s" and text is not None:
                value = strings[int(text)]
            elif kind == "inlineStr":
                is_el = elem.find(is_tag)
                value = "".join(t.text or "" for t in is_el.iter(t_tag)) if is_el is not None else None
            elif kind in ("str", "e"):
                value = text
            elif kind == "b":
                value = text == "1" if text is not None else None
            elif text is not None:
                value = _number(text)
            formula = f.text if f is not None and f.text else None
            if ref and (value is not None or formula):
                row, col = parse_address(ref)
                sheet.cells[(row, col)] = Cell(value, formula, cached=not (formula and (v is None or v.text is None)))
            elem.clear()
        elif tag == merge_tag:
            a, _, b = elem.get("ref", "").partition(":")
            try:
                r1, c1 = parse_address(a)
                r2, c2 = parse_address(b or a)
                sheet.merged.append((r1, c1, r2, c2))
            except ValueError:
                pass
        elif tag == f"{NS_MAIN}row":
            elem.clear()


def _number(text: str):
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and abs(number) < 2**53 else number
