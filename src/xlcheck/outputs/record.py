"""The mark record: the hidden sheet ``_xlcheck`` listing every edit marking made to the package,
and every part it created, so that re-marking and `xlcheck clear` can undo them exactly.

The record travels inside a workbook received from outside, so it is not trusted. Each row carries
a digest of what it says (an edit's part, before and after text; a created part's bytes), and an
edit is applied only if it is one xlcheck itself could have made: text it inserts (its sheets'
entries, relationships, content types, fills and cell formats, its author, comments that start with
``[xlcheck]``, note shapes, its legacy drawing, empty styled cells) and the cell-format and count
attributes it rewrites. A part is removed only if it has one of the names xlcheck gives the parts
it creates, or is a relationships part holding only xlcheck's relationships. A record that fails
any of this is refused as a whole (`Untrusted`): nothing in the package is touched.
"""
from __future__ import annotations

import hashlib
import io
import re
import zipfile

from ..errors import InputError
from ..sources.xlsx import read_xlsx
from .marks import MAX_RECORD
from .ooxml import Edit, Package, Unsafe, worksheet_xml

RESULT_PART = "xl/worksheets/xlcheck-results.xml"
RECORD_PART = "xl/worksheets/xlcheck-record.xml"
HEADER = ["sheet | kind", "cell | part", "fill | before", "note | after", "digest"]


class Untrusted(Unsafe):
    """The record asks for an edit xlcheck could not have made, or does not match its digests."""


class Resaved(Unsafe):
    """The marks were recorded, but another program has re-saved the file since."""


def digest(*texts: str | bytes) -> str:
    h = hashlib.sha256()
    for t in texts:
        h.update(t if isinstance(t, bytes) else t.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()[:32]


def record_xml(pkg: Package, cells: list[tuple[str, str, str, str]]) -> str:
    """The record sheet of the marks just made: cells, then each edit and created part."""
    rows = [HEADER] + [list(cell) for cell in cells]                    # as the live path records cells
    for e in pkg.edits:
        if len(e.before) > MAX_RECORD or len(e.after) > MAX_RECORD:
            raise Unsafe(f"{e.part} 的改动过大，无法记录")
        rows.append(["#edit", e.part, e.before, e.after, digest(e.part, e.before, e.after)])
    rows += [["#part", name, "", "", digest(name, pkg.data[name])] for name in pkg.created]
    rows.append(["#part", RECORD_PART, "", "", ""])
    return worksheet_xml(rows)


def read_record(pkg: Package, sheet_name: str) -> list[list[str]] | None:
    """The rows of the record sheet after its header, as text; None when there is none."""
    part = next((s["part"] for s in pkg.sheets() if s["name"] == sheet_name), None)
    if not part or part not in pkg.data:
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(pkg.bytes())) as z:
            grid = read_xlsx("<package>", z)
    except InputError as exc:
        raise Untrusted(f"标注记录无法读取（{exc}）") from None
    sheet = grid.sheet(sheet_name)
    return [[("" if v is None else str(v)) for v in row] + [""] * 5 for row in (sheet.rows(5) if sheet else [])][1:]


# ------------------------------------------------------------------ what xlcheck could have made

_INSERTED = re.compile("|".join([
    r'<sheet xmlns:r="[^"]*" name="[^"<>]*" sheetId="\d+"(?: state="hidden")? r:id="rIdXlcheck(?:Record|Results)"/>',
    r'<Relationship Id="rIdXlcheck\w+" Type="[^"<>]*" Target="[^"<>]*"/>',
    r'<Override PartName="/xl/(?:worksheets/xlcheck-(?:results|record)|comments/xlcheck-comments\d+)\.xml" ContentType="[^"<>]*"/>',
    r'<Default Extension="vml" ContentType="[^"<>]*"/>',
    r'<fill><patternFill patternType="solid"><fgColor rgb="[0-9A-F]{8}"/><bgColor indexed="64"/></patternFill></fill>',
    r'<xf fillId="\d+" applyFill="1"[^<>]*?(?:/>|>(?:<(?:alignment|protection)\b[^<>]*/>)*</xf>)',
    r"<author>xlcheck</author>",
    r'<comment ref="[A-Z]{1,3}\d+" authorId="\d+"><text><r><rPr><sz val="9"/><color indexed="81"/><rFont val="宋体"/>'
    r'<charset val="134"/></rPr><t xml:space="preserve">\[xlcheck\][^<]*</t></r></text></comment>',
    r'<v:shape id="_x0000_s\d+" type="#_x0000_t202" style="position:absolute;margin-left:59\.25pt;margin-top:1\.5pt;'
    r'width:\d+pt;height:\d+pt;z-index:\d+;visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">'
    r'<v:fill color2="#ffffe1"/>(?:[^<]+|<(?!/?v:shape\b)[^<>]*>)*</v:shape>',
    r'<legacyDrawing xmlns:r="[^"]*" r:id="rIdXlcheckVml"/>',
    r'<row r="\d+"><c r="[A-Z]{1,3}\d+" s="\d+"/></row>',
    r'<c r="[A-Z]{1,3}\d+" s="\d+"/>',
]))
_REWRITTEN = re.compile(r'\s(?:s|count|activeTab|tabSelected)="\d+"')   # (the last two: opening on 校验结果)
_EMPTIED = re.compile(r"<((?:\w+:)?\w+)\b([^<>]*?)></\1>")


def _normal(text: str) -> str:
    text = _REWRITTEN.sub("", text)
    return _EMPTIED.sub(lambda m: f"<{m.group(1)}{m.group(2)}/>", text)


def could_make(edit: Edit) -> bool:
    """Whether undoing `edit` (its `after` back to its `before`) removes only what xlcheck inserts
    and restores only attributes it rewrites."""
    if edit.after.count("<") > 20000 or not edit.after:
        return False
    return _normal(_INSERTED.sub("", edit.after)) == _normal(edit.before)


_OWN_PARTS = re.compile(r"xl/worksheets/xlcheck-(?:results|record)\.xml|xl/comments/xlcheck-comments\d+\.xml"
                        r"|xl/drawings/xlcheck-vmlDrawing\d+\.vml")
_SHEET_RELS = re.compile(r"xl/worksheets/_rels/[^/]+\.xml\.rels")
_OWN_RELS = re.compile(r'<Relationship Id="rIdXlcheck\w+"[^<>]*/>')


def _own_part(pkg: Package, name: str) -> bool:
    if _OWN_PARTS.fullmatch(name):
        return True
    if _SHEET_RELS.fullmatch(name) and name in pkg.data:
        body = re.sub(r"^(?:<\?xml[^>]*\?>\s*)?<Relationships [^<>]*>|</Relationships>$", "", pkg.text(name).strip())
        return bool(body) and not _OWN_RELS.sub("", body).strip()
    return False


def trusted(pkg: Package, rows: list[list[str]]) -> tuple[list[Edit], list[str]]:
    """The edits to undo and the parts to remove, once every row of the record has been checked
    against its digest and against what xlcheck could have made; `Untrusted` otherwise (`Resaved`
    when a part xlcheck created has been rewritten since)."""
    edits, parts = [], []
    for row in rows:
        kind, name, before, after, mark = row[:5]
        if kind == "#edit":
            edit = Edit(name, before, after)
            if mark != digest(name, before, after):
                raise Untrusted(f"标注记录中对 {name[:80]} 的改动与其校验值不符")
            if not could_make(edit):
                raise Untrusted(f"标注记录要求撤销 {name[:80]} 中不是 xlcheck 所做的改动")
            edits.append(edit)
        elif kind == "#part":
            if not (_OWN_PARTS.fullmatch(name) or _SHEET_RELS.fullmatch(name)):
                raise Untrusted(f"标注记录要求删除不是 xlcheck 创建的部件 {name[:80]}")
            if name == RECORD_PART:
                parts.append(name)
                continue
            if name in pkg.data and mark != digest(name, pkg.data[name]):
                raise Resaved(f"部件 {name[:80]} 在标注后已被改写：文件已被其他程序另存")
            parts.append(name)
    undone = Package(list(pkg.infos), dict(pkg.data))
    for edit in reversed(edits):                     # the rels part as it would be once the edits are undone
        undone.undo(edit)
    for name in parts:
        if not _own_part(undone, name):
            raise Untrusted(f"标注记录要求删除不是 xlcheck 创建的部件 {name[:80]}")
    return edits, parts
