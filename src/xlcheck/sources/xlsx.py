"""Reading .xlsx / .xlsm packages straight from their XML: values, cached formula results
and formulas together, merged ranges and defined names. Pure Python (runs in Pyodide). No part
with a DTD is parsed, so a hostile file cannot expand or fetch entities; the cells themselves
are read by sheetxml."""
from __future__ import annotations

import posixpath
import zipfile
from functools import lru_cache
from xml.etree.ElementTree import fromstring

from ..errors import InputError
from ..grid import Grid, Sheet, parse_address
from .limits import Budget, read_member
from .sheetxml import read_shared_strings, read_sheet

NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_DTD_MARKS = tuple("<!DOCTYPE".encode(enc) for enc in ("utf-8", "utf-16-le", "utf-16-be"))


def _tree(data: bytes):
    """A small package part (workbook, relationships) as an element tree, refused if it
    declares a DTD: without one no entity can expand or be fetched."""
    if any(mark in data for mark in _DTD_MARKS):
        raise InputError("工作簿部件含有 DTD 或实体声明，已拒绝解析")
    return fromstring(data)


def _rels(archive: zipfile.ZipFile, part: str) -> dict[str, str]:
    folder, name = posixpath.split(part)
    rels_part = posixpath.join(folder, "_rels", name + ".rels")
    try:
        root = _tree(read_member(archive, rels_part, archive.filename or "<package>"))
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


def _shared_strings(archive: zipfile.ZipFile, part: str | None, members: set[str]) -> list[str]:
    if not part or part not in members:
        return []
    return read_shared_strings(read_member(archive, part, archive.filename or "<package>"))


def _workbook_part(archive: zipfile.ZipFile) -> str:
    root_rels = _rels(archive, "")
    for rid, target in root_rels.items():
        if target.endswith(".xml") and "workbook" in target.rsplit("/", 1)[-1].lower():
            return target
    if "xl/workbook.xml" in archive.namelist():
        return "xl/workbook.xml"
    raise InputError("缺少 workbook 部件")


def _workbook_entries(data: bytes):
    """(sheets as (name, state, relationship id), defined names as (name, text, local)) of a
    workbook part. A small part is parsed once per distinct content: the templates of an
    edition share theirs."""
    return _entries_cached(data) if len(data) < 1 << 20 else _entries(data)


def _entries(data: bytes):
    root = _tree(data)
    sheets_el = root.find(f"{NS_MAIN}sheets")
    sheets = tuple((sh.get("name", ""), sh.get("state", "visible"), sh.get(f"{NS_REL}id")) for sh in (sheets_el if sheets_el is not None else []))
    names_el = root.find(f"{NS_MAIN}definedNames")
    names = tuple((dn.get("name", ""), dn.text or "", dn.get("localSheetId") is not None) for dn in (names_el if names_el is not None else []))
    return sheets, names


_entries_cached = lru_cache(maxsize=64)(_entries)


def read_xlsx(path: str, archive: zipfile.ZipFile, fmt: str = "xlsx") -> Grid:
    wb_part = _workbook_part(archive)
    wb_rels = _rels(archive, wb_part)
    sheets, names = _workbook_entries(read_member(archive, wb_part, path))
    shared_part = next((t for t in wb_rels.values() if t.endswith("sharedStrings.xml")), None)
    members = set(archive.namelist())
    strings = _shared_strings(archive, shared_part, members)
    grid = Grid(path=path, format=fmt)
    budget = Budget(path)
    for name, state, rid in sheets:
        target = wb_rels.get(rid)
        sheet = Sheet(name=name, state=state)
        if target and target in members and "worksheets" in target:
            read_sheet(read_member(archive, target, path), sheet, strings, budget)
        grid.sheets.append(sheet)
    for name, text, local in names:
        ref = None if local else single_cell(text)
        if ref:
            grid.names[name] = ref
    return grid


@lru_cache(maxsize=16384)
def single_cell(text: str) -> tuple[str, int, int] | None:
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
