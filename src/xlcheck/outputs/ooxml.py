"""An OOXML package (.xlsx/.xlsm) edited member by member, as text.

Marking a workbook must not lose what openpyxl would drop or re-serialise (shapes, charts,
pivot tables, VBA, comment sizes, threaded comments). So the package is never loaded as a
workbook: members xlcheck does not touch are copied byte for byte, and the few it touches are
changed by *edits* — a unique anchor string replaced by the anchor plus what marking adds — that
are recorded so clearing can undo each one exactly. Whatever cannot be edited that way safely
raises `Unsafe`, and the caller writes a separate findings workbook instead of a damaged copy.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from html import unescape as _unescape_html

from ..findings import clip, printable
from ..grid import address

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_WORKSHEET = NS_REL + "/worksheet"
REL_COMMENTS = NS_REL + "/comments"
REL_VML = NS_REL + "/vmlDrawing"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


class Unsafe(Exception):
    """A part has a form xlcheck cannot edit without risk; the message says which and why."""


@dataclass
class Edit:
    part: str
    before: str
    after: str


@dataclass
class Package:
    infos: list[zipfile.ZipInfo]
    data: dict[str, bytes]
    edits: list[Edit] = field(default_factory=list)
    created: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, raw: bytes) -> "Package":
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            infos = z.infolist()
            return cls(infos, {i.filename: z.read(i.filename) for i in infos})

    def text(self, part: str) -> str:
        try:
            return self.data[part].decode("utf-8")
        except KeyError:
            raise Unsafe(f"缺少部件 {part}") from None
        except UnicodeDecodeError:
            raise Unsafe(f"{part} 不是 UTF-8 编码") from None

    def set_text(self, part: str, text: str) -> None:
        self.data[part] = text.encode("utf-8")

    def edit(self, part: str, anchor: str, insert_before: str = "", replace_with: str | None = None) -> None:
        """Replace the unique `anchor` in `part` by `insert_before + anchor` (or by
        `replace_with`), recording the edit so it can be undone."""
        text = self.text(part)
        if text.count(anchor) != 1:
            raise Unsafe(f"{part} 中找不到唯一的 {anchor[:40]}")
        after = replace_with if replace_with is not None else insert_before + anchor
        self.set_text(part, text.replace(anchor, after, 1))
        self.edits.append(Edit(part, anchor, after))

    def add(self, part: str, content: str | bytes) -> None:
        if part in self.data:
            raise Unsafe(f"部件 {part} 已存在")
        self.data[part] = content.encode("utf-8") if isinstance(content, str) else content
        self.infos.append(zipfile.ZipInfo(part, date_time=(1980, 1, 1, 0, 0, 0)))
        self.created.append(part)

    def remove(self, part: str) -> None:
        self.data.pop(part, None)
        self.infos = [i for i in self.infos if i.filename != part]

    def undo(self, edit: Edit) -> bool:
        """Undo one recorded edit; False when the part no longer holds it exactly once."""
        if edit.part not in self.data:
            return False
        text = self.text(edit.part)
        if text.count(edit.after) != 1:
            return False
        self.set_text(edit.part, text.replace(edit.after, edit.before, 1))
        return True

    def bytes(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for info in self.infos:
                if info.filename not in self.data:
                    continue
                clone = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                clone.compress_type = info.compress_type if info.filename not in self.created else zipfile.ZIP_DEFLATED
                clone.external_attr, clone.create_system, clone.comment = info.external_attr, info.create_system, info.comment
                z.writestr(clone, self.data[info.filename])
        return out.getvalue()

    # ------------------------------------------------------------------ structure

    def rels_of(self, part: str) -> str:
        folder, name = posixpath.split(part)
        return posixpath.join(folder, "_rels", name + ".rels")

    def relationships(self, part: str) -> list[dict[str, str]]:
        rels = self.rels_of(part)
        if rels not in self.data:
            return []
        folder = posixpath.dirname(part)
        out = []
        for m in re.finditer(r"<Relationship\b([^>]*?)/?>", self.text(rels)):
            attrs = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
            target = attrs.get("Target", "")
            if attrs.get("TargetMode") != "External":
                attrs["part"] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            out.append(attrs)
        return out

    def workbook_part(self) -> str:
        for rel in self.relationships(""):
            if rel.get("Type", "").endswith("/officeDocument") and "part" in rel:
                return rel["part"]
        raise Unsafe("找不到 workbook 部件（可能是 Strict OOXML 格式）")

    def sheets(self) -> list[dict[str, str]]:
        """name, r:id, state and part of every sheet, in workbook order."""
        wb = self.workbook_part()
        text = self.text(wb)
        rels = {r.get("Id"): r for r in self.relationships(wb)}
        out = []
        for m in re.finditer(r"<(?:\w+:)?sheet\b([^>]*?)/?>", text):
            attrs = dict(re.findall(r'([\w:]+)="([^"]*)"', m.group(1)))
            prefixes = re.findall(r'xmlns:(\w+)="' + re.escape(NS_REL) + '"', text)
            rid = next((attrs[f"{p}:id"] for p in prefixes if f"{p}:id" in attrs), None)
            rel = rels.get(rid, {})
            out.append({"name": unescape(attrs.get("name", "")), "id": rid, "sheetId": attrs.get("sheetId", "0"),
                        "state": attrs.get("state", "visible"), "part": rel.get("part", ""), "tag": m.group(0)})
        return out


def escape(data: str) -> str:
    """&, <, > as entities: xml.sax.saxutils.escape, written here because importing xml.sax.saxutils
    imports urllib.request, http.client and ssl (~15 ms of every run's start-up)."""
    return data.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(data: str) -> str:
    """An attribute value quoted as xml.sax.saxutils.quoteattr quotes it."""
    data = escape(data).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in data:
        return f'"{data}"'
    if "'" not in data:
        return f"'{data}'"
    return '"' + data.replace('"', "&quot;") + '"'


def unique_anchor(text: str, pos: int, minimum: int = 16) -> str:
    """The shortest string starting at `pos` that occurs once in `text`."""
    length = minimum
    while True:
        anchor = text[pos:pos + length]
        if text.count(anchor) == 1 or pos + length >= len(text):
            return anchor
        length *= 2


def unescape(text: str) -> str:
    return _unescape_html(text)


def attr(value: str) -> str:
    return quoteattr(value)


def esc(text: str) -> str:
    return escape(text)


_NOT_IN_XML = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def xstring(text: str) -> str:
    """A spreadsheet string as element text: at most Excel's 32,767 characters; what XML cannot
    carry (control characters, a carriage return) written as _xHHHH_, and a literal _xHHHH_ kept
    literal by escaping its underscore (_x005F_), as Excel reads them; a lone surrogate (which
    UTF-8 cannot encode) as U+FFFD; then XML-escaped."""
    text = _SURROGATE.sub("\ufffd", clip(text))
    return escape(_NOT_IN_XML.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text))


def cell_text(value):
    """A value as a cell of a workbook written through openpyxl: text at most 32,767 characters,
    its control characters and lone surrogates shown as \\xNN (openpyxl refuses the first, UTF-8
    the second), and text starting with "=" kept as text rather than taken for a formula."""
    if not isinstance(value, str):
        return value
    text = clip(printable(value, newlines=True))
    return "'" + text if text.startswith("=") else text


def inline_cell(ref: str, value, style: int | None = None) -> str:
    s = f' s="{style}"' if style is not None else ""
    if value is None or value == "":
        return f'<c r="{ref}"{s}/>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{s}><v>{value}</v></c>'
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{xstring(str(value))}</t></is></c>'


def worksheet_xml(rows: list[list], widths: list[float] = (), styles: dict | None = None,
                  links: dict[str, str] | None = None, freeze: bool = False) -> str:
    """A simple worksheet of inline strings and numbers (no shared strings, no styles part
    changes): `styles` maps a cell reference to a cell style index, `links` a cell reference to
    an in-workbook location."""
    parts = [DECL, f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">']
    if freeze:
        parts.append('<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
                     'state="frozen"/></sheetView></sheetViews>')
    if widths:
        parts.append("<cols>" + "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                                       for i, w in enumerate(widths, start=1)) + "</cols>")
    parts.append("<sheetData>")
    for r, row in enumerate(rows, start=1):
        cells = "".join(inline_cell(address(r, c), v, (styles or {}).get(address(r, c)))
                        for c, v in enumerate(row, start=1) if v is not None and v != "")
        parts.append(f'<row r="{r}">{cells}</row>')
    parts.append("</sheetData>")
    if links:
        parts.append("<hyperlinks>" + "".join(f'<hyperlink ref="{ref}" location={attr(loc)} display={attr(loc)}/>'
                                              for ref, loc in links.items()) + "</hyperlinks>")
    parts.append("</worksheet>")
    return "".join(parts)
