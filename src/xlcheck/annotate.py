"""Marking a workbook from findings, and clearing the marks again — on the package itself.

Each cell with a finding gets a comment (author ``xlcheck``, text starting with ``[xlcheck]``,
the rule id and the message, its box sized to the text) and a fill (red for errors, yellow for
warnings); a sheet ``校验结果`` lists every finding with a link to its cell. Only what marking
needs is added to the package (see `ooxml`): comment parts and their legacy drawing, the
relationships and content types for them, fills and cell formats in the styles, the ``s``
attribute of marked cells, and xlcheck's two sheets. Every change is recorded in the hidden sheet
``_xlcheck`` so that re-marking and clearing undo it exactly; every other member is copied byte
for byte. A cell that already has a comment (the user's, or a threaded comment) keeps it
untouched and is only filled; its finding is listed on ``校验结果``.
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from .errors import InputError
from .findings import Finding, fmt_number
from .ooxml import (CT_COMMENTS, CT_VML, CT_WORKSHEET, DECL, NS_MAIN, NS_PKG, REL_COMMENTS, REL_VML, REL_WORKSHEET,
                    Edit, Package, Unsafe, attr, esc, unique_anchor, worksheet_xml)
from .sources.grid import address, col_number, parse_address

AUTHOR = "xlcheck"
TAG = "[xlcheck]"
RESULT_SHEET = "校验结果"
RECORD_SHEET = "_xlcheck"
FILLS = {"error": "FFFFC7CE", "warning": "FFFFEB9C"}
USER_SEPARATOR = "\n——— 原批注 ———\n"
HEADERS = {"zh": ["序号", "级别", "规则", "表", "行", "栏", "单元格", "实际值", "应为", "差值", "说明"],
           "en": ["#", "severity", "rule", "table", "row", "column", "cell", "found", "expected", "difference", "message"]}
RESULT_PART = "xl/worksheets/xlcheck-results.xml"
RECORD_PART = "xl/worksheets/xlcheck-record.xml"
MAX_RECORD = 30000
_LEGACY_BEFORE = ("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts", "extLst")


def comment_text(findings: list[Finding]) -> str:
    return "\n\n".join(f"{TAG} {f.rule}\n{f.message}" for f in findings)


def comment_size(text: str, chars_per_line: int = 32) -> tuple[int, int]:
    """(width, height) in points for a comment box that shows all of `text`: CJK characters
    count double, each wrapped line gets 12 pt."""
    lines = 0
    for line in text.split("\n"):
        units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in line)
        lines += max(1, -(-units // (chars_per_line * 2)))
    return chars_per_line * 10 + 12, min(12 * lines + 12, 900)


def suspects(diagnosis, lang: str) -> dict[tuple[str, str], str]:
    """(sheet, cell) → the diagnosis note for each cell a smallest repair would change."""
    from .diagnose import cell_note
    out = {}
    if diagnosis is None or diagnosis.status != "found":
        return out
    for repair in diagnosis.repairs:
        for c in repair.changes:
            if c.sheet and c.cell:
                out.setdefault((c.sheet, c.cell), cell_note(c, repair, lang))
    return out


# ------------------------------------------------------------------ styles


class _Styles:
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


def _style_cell(pkg: Package, part: str, ref: str, styles: _Styles, severity: str) -> str:
    """Give the cell a copy of its format with the severity's fill; returns its original <fill>."""
    text = pkg.text(part)
    m = re.search(_CELL.format(ref=ref), text)
    if m:
        tag = m.group(0)
        s = re.search(r'\ss="(\d+)"', tag)
        original = int(s.group(1)) if s else 0
        new = styles.style(original, severity)
        new_tag = tag.replace(s.group(0), f' s="{new}"', 1) if s else re.sub(r"(/?>)$", f' s="{new}"\\1', tag, count=1)
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
            f'<rFont val="宋体"/><charset val="134"/></rPr><t xml:space="preserve">{esc(text)}</t></r></text></comment>')


def _free_number(pkg: Package, pattern: str) -> int:
    n = 1
    while any(re.fullmatch(pattern.format(n=n), name) for name in pkg.data):
        n += 1
    return n


def _comments(pkg: Package, part: str, notes: dict[str, str]) -> set[str]:
    """Add the comments of one sheet; returns the cells left alone because they already have one."""
    rels = pkg.relationships(part)
    comments = next((r["part"] for r in rels if r.get("Type") == REL_COMMENTS and "part" in r), None)
    vml = next((r["part"] for r in rels if r.get("Type") == REL_VML and "part" in r), None)
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
    legacy = f'<legacyDrawing xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rIdXlcheckVml"/>'
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


# ------------------------------------------------------------------ xlcheck's sheets


def _shown(v):
    if v is None or isinstance(v, (int, float)) and not isinstance(v, bool):
        return v
    return fmt_number(v) if not isinstance(v, str) else v


def _result_rows(findings: list[Finding], lang: str, styles: _Styles | None):
    sev = {"error": "错误", "warning": "警告", "info": "提示"} if lang != "en" else {}
    rows, cell_styles, links = [HEADERS["en" if lang == "en" else "zh"]], {}, {}
    for i, f in enumerate(findings, start=1):
        where = f"{f.sheet}!{f.cell}" if f.sheet and f.cell else (f.where or "")
        rows.append([i, sev.get(f.severity, f.severity), f.rule, f.table_label, f.row_label, f.column_label, where,
                     _shown(f.found), _shown(f.expected), _shown(f.difference), f.message])
        r = len(rows)
        if styles is not None and f.severity in FILLS:
            cell_styles[address(r, 2)] = styles.style(0, f.severity)
        if f.sheet and f.cell:
            links[address(r, 7)] = "'" + f.sheet.replace("'", "''") + "'!" + f.cell
    if not findings:
        rows.append(["", "", "", "", "", "", "", "", "", "", "未发现问题" if lang != "en" else "no findings"])
    return rows, cell_styles, links


def _add_sheet(pkg: Package, name: str, part: str, content: str | None, hidden: bool) -> None:
    wb = pkg.workbook_part()
    if any(s["name"] == name for s in pkg.sheets()):
        raise Unsafe(f"工作簿中已有名为「{name}」的工作表（不是 xlcheck 生成的）")
    sheet_id = max([int(s["sheetId"]) for s in pkg.sheets()] + [0]) + 1
    rid = "rIdXlcheckRecord" if hidden else "rIdXlcheckResults"
    state = ' state="hidden"' if hidden else ""
    pkg.edit(wb, "</sheets>", f'<sheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
                              f'name={attr(name)} sheetId="{sheet_id}"{state} r:id="{rid}"/>')
    rels = pkg.rels_of(wb)
    target = part[len("xl/"):] if wb.startswith("xl/") else "/" + part
    pkg.edit(rels, "</Relationships>", f'<Relationship Id="{rid}" Type="{REL_WORKSHEET}" Target="{target}"/>')
    pkg.edit("[Content_Types].xml", "</Types>", f'<Override PartName="/{part}" ContentType="{CT_WORKSHEET}"/>')
    if content is not None:
        pkg.add(part, content)


def _record_xml(pkg: Package, cells: list[tuple[str, str, str]]) -> str:
    rows = [["sheet | kind", "cell | part", "fill | before", "note | after"]]
    rows += [[sheet, ref, fill, ""] for sheet, ref, fill in cells]      # as the live path records cells
    for e in pkg.edits:
        if len(e.before) > MAX_RECORD or len(e.after) > MAX_RECORD:
            raise Unsafe(f"{e.part} 的改动过大，无法记录")
        rows.append(["#edit", e.part, e.before, e.after])
    rows += [["#part", name, "", ""] for name in pkg.created + [RECORD_PART]]
    return worksheet_xml(rows)


# ------------------------------------------------------------------ marking and clearing


def _record(pkg: Package) -> list[list[str]] | None:
    part = next((s["part"] for s in pkg.sheets() if s["name"] == RECORD_SHEET), None)
    if not part or part not in pkg.data:
        return None
    from .sources.xlsx import read_xlsx
    with zipfile.ZipFile(io.BytesIO(pkg.bytes())) as z:
        grid = read_xlsx("<package>", z)
    sheet = grid.sheet(RECORD_SHEET)
    return [[("" if v is None else str(v)) for v in row] for row in (sheet.rows() if sheet else [])][1:]


def clear_package(pkg: Package) -> int:
    """Undo every recorded mark; returns the number of cells that were marked."""
    rows = _record(pkg)
    if rows is None:
        return 0
    edits = [Edit(r[1], r[2], r[3]) for r in rows if r and r[0] == "#edit"]
    parts = [r[1] for r in rows if r and r[0] == "#part"]
    failed = [e for e in reversed(edits) if not pkg.undo(e)]
    if failed:
        raise Resaved(f"标注记录与文件内容不一致（{failed[0].part}）：文件已被其他程序另存")
    for part in parts:
        pkg.remove(part)
    pkg.edits, pkg.created = [], []
    return sum(1 for r in rows if r and not r[0].startswith("#"))


def mark_package(pkg: Package, findings: list[Finding], lang: str = "zh", diagnosis=None) -> int:
    """Clear earlier marks, then mark. Returns the number of cells marked."""
    clear_package(pkg)
    sheets = {s["name"]: s["part"] for s in pkg.sheets()}
    notes = {k: v for k, v in suspects(diagnosis, lang).items() if k[0] in sheets}
    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.sheet in sheets and f.cell:
            by_cell.setdefault((f.sheet, f.cell), []).append(f)
    for key in notes:
        by_cell.setdefault(key, [])
    styles = _Styles(pkg)
    per_sheet: dict[str, dict[str, str]] = {}
    marked = []
    for (sheet, ref), items in by_cell.items():
        part = sheets[sheet]
        severity = "error" if (sheet, ref) in notes or any(f.severity == "error" for f in items) else "warning"
        marked.append((sheet, ref, _style_cell(pkg, part, ref, styles, severity)))
        text = "\n\n".join(t for t in (notes.get((sheet, ref)), comment_text(items)) if t)
        per_sheet.setdefault(part, {})[ref] = text
    for part, texts in per_sheet.items():
        _comments(pkg, part, texts)
    rows, cell_styles, links = _result_rows(findings, lang, styles)
    styles.commit()
    _add_sheet(pkg, RESULT_SHEET, RESULT_PART, None, hidden=False)
    _add_sheet(pkg, RECORD_SHEET, RECORD_PART, None, hidden=True)
    pkg.add(RESULT_PART, worksheet_xml(rows, (6, 8, 26, 24, 30, 16, 16, 10, 10, 8, 90), cell_styles, links, freeze=True))
    pkg.data[RECORD_PART] = _record_xml(pkg, marked).encode("utf-8")
    pkg.infos.append(zipfile.ZipInfo(RECORD_PART, date_time=(1980, 1, 1, 0, 0, 0)))
    pkg.created.append(RECORD_PART)
    return len(by_cell)


class Resaved(Unsafe):
    """The marks were recorded, but another program has re-saved the file since."""


# Parts openpyxl drops or re-serialises: a re-saved copy holding any is not cleared through openpyxl.
_OPENPYXL_LOSES = ("xl/charts/", "xl/drawings/drawing", "xl/pivot", "xl/threadedComments", "xl/media/",
                   "xl/ctrlProps/", "xl/activeX/", "xl/slicers/", "xl/timelines/", "customUI/", "xl/persons/")


def clear_resaved(raw: bytes, xlsm: bool = False) -> bytes:
    """Clear marks from a copy another program (Excel, WPS, openpyxl) has re-saved since it was
    marked: the recorded edits no longer apply, so remove xlcheck's comments, give the recorded
    cells their fills back and drop xlcheck's sheets through openpyxl — only when the package
    holds nothing openpyxl would lose."""
    pkg = Package.open(raw)
    lost = sorted({p for name in pkg.data for p in _OPENPYXL_LOSES if name.startswith(p)})
    if lost:
        raise Unsafe(f"文件在标注后已被其他程序另存，且含有 {lost[0]} 等内容，清除旧标注会损坏它")
    from openpyxl import load_workbook
    from openpyxl.styles import PatternFill
    from openpyxl.xml.functions import fromstring
    wb = load_workbook(io.BytesIO(raw), keep_vba=xlsm, keep_links=True)
    if RECORD_SHEET in wb.sheetnames:
        for row in wb[RECORD_SHEET].iter_rows(min_row=2, values_only=True):
            if row and row[0] in wb.sheetnames and row[1]:
                cell = wb[row[0]][row[1]]
                try:
                    cell.fill = PatternFill.from_tree(fromstring(row[2])) if row[2] else PatternFill()
                except Exception:
                    cell.fill = PatternFill()
        del wb[RECORD_SHEET]
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.comment is not None and cell.comment.text.startswith(TAG):
                    cell.comment = None
    if RESULT_SHEET in wb.sheetnames:
        del wb[RESULT_SHEET]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _open_cleared(raw: bytes, xlsm: bool) -> tuple[Package, int]:
    pkg = Package.open(raw)
    try:
        return pkg, clear_package(pkg)
    except Resaved:
        pkg = Package.open(clear_resaved(raw, xlsm))
        return pkg, 0


def annotate_bytes(raw: bytes, findings: list[Finding], lang: str = "zh", diagnosis=None, xlsm: bool = False) -> bytes:
    pkg, _ = _open_cleared(raw, xlsm)
    mark_package(pkg, findings, lang, diagnosis)
    return pkg.bytes()


def findings_workbook(findings: list[Finding], lang: str = "zh") -> bytes:
    """A new workbook holding only the findings sheet: what is written when the input cannot be
    marked safely."""
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = RESULT_SHEET
    rows, _, _ = _result_rows(findings, lang, None)
    for row in rows:
        ws.append([("'" + v) if isinstance(v, str) and v.startswith("=") else v for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def annotate_file(source: Path, target: Path, findings: list[Finding], lang: str = "zh", diagnosis=None) -> tuple[Path, str | None]:
    """Write the annotated copy; returns (path written, warning). When the package cannot be
    marked safely, the findings go to `<name>.findings.xlsx` instead and the warning says why."""
    from .fileio import atomic_write_bytes
    raw = Path(source).read_bytes()
    try:
        xlsm = Path(source).suffix.lower() in (".xlsm", ".xltm")
        return atomic_write_bytes(target, annotate_bytes(raw, findings, lang, diagnosis, xlsm)), None
    except Unsafe as exc:
        other = Path(target).with_name(Path(source).stem + ".findings.xlsx")
        written = atomic_write_bytes(other, findings_workbook(findings, lang))
        return written, f"无法安全地在原工作簿上标注（{exc}），问题清单另存为 {written.name}"
    except (zipfile.BadZipFile, KeyError) as exc:
        raise InputError(f"{source}：无法写入标注（{exc.__class__.__name__}）") from None


def clear_file(source: Path, target: Path) -> int:
    from .fileio import atomic_write_bytes
    raw = Path(source).read_bytes()
    try:
        pkg, n = _open_cleared(raw, Path(source).suffix.lower() in (".xlsm", ".xltm"))
    except Unsafe as exc:
        raise InputError(f"{source}：{exc}") from None
    atomic_write_bytes(target, pkg.bytes())
    return n
