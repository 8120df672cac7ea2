"""What a mark adds to an OOXML package: a copy of the cell's format with a fill, and a comment
with its shape in the sheet's legacy (VML) drawing — each added as recorded edits (see `ooxml`)."""
from __future__ import annotations

import re

from ..grid import col_number, parse_address
from .ooxml import CT_COMMENTS, CT_VML, DECL, NS_MAIN, NS_PKG, REL_COMMENTS, REL_VML, Package, Unsafe, unique_anchor, xstring

AUTHOR = "xlcheck"
FILLS = {"error": "FFFFC7CE", "warning": "FFFFEB9C"}
MAX_RECORD = 30000
_LEGACY_BEFORE = ("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts", "extLst")


def comment_size(text: str, chars_per_line: int = 32) -> tuple[int, int]:
    """(width, height) in points for a comment box that shows all of `text`: CJK characters
    count double, each wrapped line gets 12 pt."""
    lines = 0
    for line in text.split("\n"):
        units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in line)
        lines += max(1, -(-units // (chars_per_line * 2)))
    return chars_per_line * 10 + 12, min(12 * lines + 12, 900)


# ------------------------------------------------------------------ styles


class Styles:
    """Fills and cell formats appended to styles.xml: one fill per severity, and per (original
    format, severity) a copy of the cell's own format with that fill."""

    def __init__(self, pkg: Package):
        self.pkg = pkg
        rels = pkg.relationships(pkg.workbook_part())
        self.part = next((r["part"] for r in rels if r.get("Type", "").endswith("/styles") and "part" in r), None)
        if not self.part:
            raise Unsafe("工作簿没有样式部件")
        text = pkg.text(self.part)
        self.fills = self._block(text, "fills", "fill")
        self.xfs_block = self._block(text, "cellXfs", "xf")
        self.xfs = re.findall(r"<xf\b[^>]*/>|<xf\b[^>]*>.*?</xf>", self.xfs_block[2], re.S)
        self.new_fills: list[str] = []
        self.new_xfs: list[str] = []
        self.cache: dict[tuple[int, str], int] = {}

    @staticmethod
    def _block(text, outer, inner):
        m = re.search(rf"<{outer}\b[^>]*>(.*?)</{outer}>", text, re.S)
        if not m:
            raise Unsafe(f"样式部件中没有 <{outer}>")
        start = re.match(rf"<{outer}\b[^>]*>", m.group(0)).group(0)
        count = len(re.findall(rf"<{inner}\b", m.group(1)))
        return start, count, m.group(1)

    def style(self, original: int, severity: str) -> int:
        key = (original, severity)
        if key not in self.cache:
            severities = [sv for sv, _ in self.new_fills]
            if severity not in severities:
                self.new_fills.append((severity, f'<fill><patternFill patternType="solid"><fgColor rgb="{FILLS[severity]}"/>'
                                                 f'<bgColor indexed="64"/></patternFill></fill>'))
                severities.append(severity)
            fill_id = self.fills[1] + severities.index(severity)
            default = '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            base = self.xfs[original] if 0 <= original < len(self.xfs) else (self.xfs[0] if self.xfs else default)
            xf = re.sub(r'\sfillId="\d+"', "", base, count=1)
            xf = re.sub(r'\sapplyFill="\w+"', "", xf, count=1)
            xf = re.sub(r"^<xf\b", f'<xf fillId="{fill_id}" applyFill="1"', xf, count=1)
            self.new_xfs.append(xf)
            self.cache[key] = self.xfs_block[1] + len(self.new_xfs) - 1
        return self.cache[key]

    def fill_xml(self, original: int) -> str:
        """The <fill> of a cell format, as written in styles.xml (kept so a cleared cell can get
        its fill back even after another program re-saved the file)."""
        xf = self.xfs[original] if 0 <= original < len(self.xfs) else ""
        m = re.search(r'\sfillId="(\d+)"', xf)
        fills = re.findall(r"<fill\b[^>]*/>|<fill\b[^>]*>.*?</fill>", self.fills[2], re.S)
        k = int(m.group(1)) if m else 0
        return fills[k] if 0 <= k < len(fills) else ""

    def commit(self) -> None:
        if not self.new_xfs:
            return
        start, count, _ = self.fills
        if self.new_fills:
            self.pkg.edit(self.part, start, replace_with=re.sub(r'count="\d+"', f'count="{count + len(self.new_fills)}"', start)
                          if "count=" in start else start.replace("<fills", f'<fills count="{count + len(self.new_fills)}"', 1))
            self.pkg.edit(self.part, "</fills>", "".join(f for _, f in self.new_fills))
        start, count, _ = self.xfs_block
        self.pkg.edit(self.part, start, replace_with=re.sub(r'count="\d+"', f'count="{count + len(self.new_xfs)}"', start)
                      if "count=" in start else start.replace("<cellXfs", f'<cellXfs count="{count + len(self.new_xfs)}"', 1))
        self.pkg.edit(self.part, "</cellXfs>", "".join(self.new_xfs))


# ------------------------------------------------------------------ cells


_CELL = r'<c\b[^>]*?\sr="{ref}"[^>]*?/?>'
_WITHOUT_R = re.compile(r'<(?:c|row)(?![^>]*\sr=")[\s>/]')
_ROW_OR_CELL = re.compile(r'<row\b[^>]*?(/?)>|<c\b[^>]*?/?>')
_R = re.compile(r'\sr="([A-Z]*)(\d+)"')


def _restyled(tag: str, styles: Styles, severity: str) -> tuple[str, int]:
    """A cell's tag with its format's copy that has the fill, and its original format."""
    s = re.search(r'\ss="(\d+)"', tag)
    original = int(s.group(1)) if s else 0
    new = styles.style(original, severity)
    return (tag.replace(s.group(0), f' s="{new}"', 1) if s else re.sub(r"(/?>)$", f' s="{new}"\\1', tag, count=1)), original


def _positions(text: str):
    """(row, column, match) of every <row> (column 0) and <c> tag of sheetData, in order, a row
    or cell without its optional r following the one before it, as the format says."""
    start = text.find("<sheetData")
    end = text.find("</sheetData>", start)
    row = col = 0
    for m in _ROW_OR_CELL.finditer(text, max(start, 0), end if end >= 0 else len(text)):
        r = _R.search(m.group(0))
        if m.group(0).startswith("<row"):
            row, col = (int(r.group(2)) if r else row + 1), 0
            yield row, 0, m
        else:
            col = col_number(r.group(1)) if r and r.group(1) else col + 1
            yield row, col, m


def _edit_at(pkg: Package, part: str, text: str, pos: int, old: str, new: str) -> None:
    """Replace `old`, which starts at `pos`, through an anchor unique in the part (tags of cells
    without r repeat), and make sure the edit can be undone."""
    anchor = unique_anchor(text, pos, minimum=len(old))
    after = new + anchor[len(old):]
    if text.replace(anchor, after, 1).count(after) != 1:
        raise Unsafe(f"{part} 中的单元格无法唯一定位")
    pkg.edit(part, anchor, replace_with=after)


def _style_by_position(pkg: Package, part: str, text: str, ref: str, styles: Styles, severity: str) -> str:
    """style_cell for a sheet whose rows or cells leave out r: the cell found by counting, never
    added a second time."""
    row, col = parse_address(ref)
    row_tag = after = None
    for r, c, m in _positions(text):
        if r == row and c == col:
            tag = m.group(0)
            new_tag, original = _restyled(tag, styles, severity)
            _edit_at(pkg, part, text, m.start(), tag, new_tag)
            return styles.fill_xml(original)
        if c == 0 and r == row:
            row_tag = m
        elif (c == 0 and r > row) or (r == row and c > col):
            after = m                              # the first row or cell past the one marked
            break
    cell = f'<c r="{ref}" s="{styles.style(0, severity)}"/>'
    if row_tag is not None and row_tag.group(1):                 # <row/>
        tag = row_tag.group(0)
        _edit_at(pkg, part, text, row_tag.start(), tag, tag[:-2].rstrip() + ">" + cell + "</row>")
    elif row_tag is not None:
        stop = text.index("</row>", row_tag.end())
        at = after.start() if after is not None and after.start() < stop else stop
        _edit_at(pkg, part, text, at, "", cell)
    elif after is not None:
        _edit_at(pkg, part, text, after.start(), "", f'<row r="{row}">{cell}</row>')
    elif "</sheetData>" in text:
        pkg.edit(part, "</sheetData>", f'<row r="{row}">{cell}</row>')
    else:
        raise Unsafe(f"{part} 没有 sheetData")
    return styles.fill_xml(0)


def style_cell(pkg: Package, part: str, ref: str, styles: Styles, severity: str) -> str:
    """Give the cell a copy of its format with the severity's fill; returns its original <fill>."""
    text = pkg.text(part)
    if _WITHOUT_R.search(text):
        return _style_by_position(pkg, part, text, ref, styles, severity)
    m = re.search(_CELL.format(ref=ref), text)
    if m:
        tag = m.group(0)
        new_tag, original = _restyled(tag, styles, severity)
        pkg.edit(part, tag, replace_with=new_tag)
        return styles.fill_xml(original)
    row, col = parse_address(ref)
    cell = f'<c r="{ref}" s="{styles.style(0, severity)}"/>'
    rm = re.search(rf'<row\b[^>]*?\sr="{row}"[^>]*?(/?)>', text)
    if rm and rm.group(1):                       # <row r="8"/>
        tag = rm.group(0)
        pkg.edit(part, tag, replace_with=tag[:-2].rstrip() + ">" + cell + "</row>")
        return styles.fill_xml(0)
    if rm:
        end = text.index("</row>", rm.end())
        whole = text[rm.start():end + len("</row>")]
        if len(whole) > MAX_RECORD:
            raise Unsafe(f"{part} 第 {row} 行过长，无法安全插入单元格")
        body = whole[len(rm.group(0)):-len("</row>")]
        at = len(body)
        for c in re.finditer(r'<c\b[^>]*?\sr="([A-Z]+)\d+"', body):
            if col_number(c.group(1)) > col:
                at = c.start()
                break
        pkg.edit(part, whole, replace_with=rm.group(0) + body[:at] + cell + body[at:] + "</row>")
        return styles.fill_xml(0)
    new_row = f'<row r="{row}">{cell}</row>'
    later = next((m for m in re.finditer(r'<row\b[^>]*?\sr="(\d+)"', text) if int(m.group(1)) > row), None)
    if later:
        pkg.edit(part, unique_anchor(text, later.start()), new_row)
    elif "</sheetData>" in text:
        pkg.edit(part, "</sheetData>", new_row)
    elif "<sheetData/>" in text:
        pkg.edit(part, "<sheetData/>", replace_with=f"<sheetData>{new_row}</sheetData>")
    else:
        raise Unsafe(f"{part} 没有 sheetData")
    return styles.fill_xml(0)


# ------------------------------------------------------------------ comments


def _shape(num: int, ref: str, text: str) -> str:
    row, col = parse_address(ref)
    width, height = comment_size(text)
    cols, rows = max(3, width // 48), max(3, height // 15)
    r0, c0 = row - 1, col - 1
    return (f'<v:shape id="_x0000_s{num}" type="#_x0000_t202" style="position:absolute;margin-left:59.25pt;'
            f'margin-top:1.5pt;width:{width}pt;height:{height}pt;z-index:{num % 1024};visibility:hidden" fillcolor="#ffffe1" '
            f'o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
            f'<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div>'
            f'</v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
            f'<x:Anchor>{c0 + 1}, 15, {max(r0 - 1, 0)}, 2, {c0 + 1 + cols}, 15, {max(r0 - 1, 0) + rows}, 4</x:Anchor>'
            f'<x:AutoFill>False</x:AutoFill><x:Row>{r0}</x:Row><x:Column>{c0}</x:Column></x:ClientData></v:shape>')


def _comment(ref: str, author: int, text: str) -> str:
    return (f'<comment ref="{ref}" authorId="{author}"><text><r><rPr><sz val="9"/><color indexed="81"/>'
            f'<rFont val="宋体"/><charset val="134"/></rPr><t xml:space="preserve">{xstring(text)}</t></r></text></comment>')


def _free_number(pkg: Package, pattern: str) -> int:
    n = 1
    while any(re.fullmatch(pattern.format(n=n), name) for name in pkg.data):
        n += 1
    return n


def add_comments(pkg: Package, part: str, notes: dict[str, str]) -> set[str]:
    """Add the comments of one sheet; returns the cells left alone because they already have one."""
    rels = pkg.relationships(part)
    comments = next((r["part"] for r in rels if r.get("Type") == REL_COMMENTS and "part" in r), None)
    # the notes' drawing is the one the sheet's own <legacyDrawing> names: a header or footer
    # picture has a VML drawing of the same type, named by <legacyDrawingHF>, which is no place for notes
    own = re.search(r'<legacyDrawing\b[^>]*?\s\w+:id="([^"]+)"', pkg.text(part))
    vml = next((r["part"] for r in rels if own and r.get("Id") == own.group(1) and r.get("Type") == REL_VML
                and "part" in r), None)
    if comments and not vml:
        raise Unsafe(f"{part} 的批注没有对应的 VML 绘图")
    if vml:                                   # append to the sheet's drawing (notes, or form controls)
        vtext = pkg.text(vml)
        if vtext.count("</xml>") != 1:
            raise Unsafe(f"{vml} 的形式无法安全修改")
        if comments:
            text = pkg.text(comments)
            existing = set(re.findall(r'<comment\b[^>]*\sref="([A-Z]+\d+)"', text))
            if "</authors>" not in text or "</commentList>" not in text:
                raise Unsafe(f"{comments} 的形式无法安全修改")
            author = len(re.findall(r"<author>|<author/>", text))
        else:
            existing, author = set(), 0
        todo = {ref: note for ref, note in notes.items() if ref not in existing}
        if not todo:
            return set(notes)
        if comments:
            pkg.edit(comments, "</authors>", f"<author>{AUTHOR}</author>")
            for ref, note in todo.items():
                pkg.edit(comments, "</commentList>", _comment(ref, author, note))
        else:
            comments = _new_comments(pkg, part, todo)
        num = max([int(n) for n in re.findall(r'_x0000_s(\d+)', vtext)] + [1024]) + 1
        for ref, note in todo.items():
            pkg.edit(vml, "</xml>", _shape(num, ref, note))
            num += 1
        return set(notes) - set(todo)
    comments = _new_comments(pkg, part, notes)
    k = re.search(r"(\d+)\.xml$", comments).group(1)
    vml = f"xl/drawings/xlcheck-vmlDrawing{k}.vml"
    idmap = max([int(n) for name, data in pkg.data.items() if name.endswith(".vml")
                 for n in re.findall(rb'<o:idmap[^>]*data="(\d+)', data)] + [0]) + 1
    shapes = "".join(_shape(idmap * 1024 + i + 1, ref, note) for i, (ref, note) in enumerate(notes.items()))
    pkg.add(vml, f'<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
                 f'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit">'
                 f'<o:idmap v:ext="edit" data="{idmap}"/></o:shapelayout><v:shapetype id="_x0000_t202" coordsize="21600,21600" '
                 f'o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path gradientshapeok="t" '
                 f'o:connecttype="rect"/></v:shapetype>{shapes}</xml>')
    _relate(pkg, part, f'<Relationship Id="rIdXlcheckVml" Type="{REL_VML}" Target="../drawings/xlcheck-vmlDrawing{k}.vml"/>')
    sheet = pkg.text(part)
    positions = [m.start() for tag in _LEGACY_BEFORE for m in [re.search(rf"<{tag}\b", sheet)] if m]
    legacy = '<legacyDrawing xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rIdXlcheckVml"/>'
    if re.search(r"<legacyDrawing\b", sheet):
        raise Unsafe(f"{part} 已有 legacyDrawing")
    pkg.edit(part, unique_anchor(sheet, min(positions)) if positions else "</worksheet>", legacy)
    if not re.search(r'<Default\b[^>]*Extension="vml"', pkg.text("[Content_Types].xml"), re.I):
        pkg.edit("[Content_Types].xml", "</Types>", f'<Default Extension="vml" ContentType="{CT_VML}"/>')
    return set()


def _relate(pkg: Package, part: str, entry: str) -> None:
    """Add a relationship of `part`, creating its .rels part if it has none."""
    rels_part = pkg.rels_of(part)
    if rels_part in pkg.data:
        rid = re.search(r'Id="([^"]+)"', entry).group(1)
        if f'Id="{rid}"' in pkg.text(rels_part):
            raise Unsafe(f"{rels_part} 已含 {rid}")
        pkg.edit(rels_part, "</Relationships>", entry)
    else:
        pkg.add(rels_part, f'{DECL}<Relationships xmlns="{NS_PKG}">{entry}</Relationships>')


def _new_comments(pkg: Package, part: str, notes: dict[str, str]) -> str:
    """A comments part of xlcheck's own for a sheet that has none, related and typed."""
    k = _free_number(pkg, r"xl/comments/xlcheck-comments{n}\.xml")
    comments = f"xl/comments/xlcheck-comments{k}.xml"
    body = "".join(_comment(ref, 0, note) for ref, note in notes.items())
    pkg.add(comments, f'{DECL}<comments xmlns="{NS_MAIN}"><authors><author>{AUTHOR}</author></authors>'
                      f"<commentList>{body}</commentList></comments>")
    _relate(pkg, part, f'<Relationship Id="rIdXlcheckComments" Type="{REL_COMMENTS}" Target="../comments/xlcheck-comments{k}.xml"/>')
    pkg.edit("[Content_Types].xml", "</Types>", f'<Override PartName="/{comments}" ContentType="{CT_COMMENTS}"/>')
    return comments
