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
import warnings
import zipfile
from pathlib import Path

from ..check.diagnose import cell_note, summary as diagnosis_summary
from ..check.explain import EXPLAINED, POINT_HEADER, RULE_HEADER, TEXT_HEADER, WHERE_HEADER
from ..errors import InputError
from ..fileio import atomic_write_bytes, backup
from ..findings import SEVERITY_TEXT, Finding, fmt_number
from ..grid import address, parse_address
from ..model.workbook import RECORD_SHEET, RESULT_SHEET
from .marks import FILLS, Styles, add_comments, style_cell
from .record import RECORD_PART, RESULT_PART, Resaved, Untrusted, read_record, record_xml, trusted
from .ooxml import CT_WORKSHEET, REL_WORKSHEET, Package, Unsafe, attr, cell_text, worksheet_xml

TAG = "[xlcheck]"
HEADERS = {lang: [first, level, RULE_HEADER[lang], *middle, WHERE_HEADER[lang], *values, TEXT_HEADER[lang], POINT_HEADER[lang]]
           for lang, first, level, middle, values in (
               ("zh", "序号", "级别", ("表", "行", "栏"), ("实际值", "应为", "差值", "说明")),
               ("en", "#", "severity", ("table", "row", "column"), ("found", "expected", "difference", "message")))}


def comment_text(findings: list[Finding]) -> str:
    """A cell's comment: each finding's message first (what a clerk reads), its rule id after."""
    return "\n\n".join(f"{TAG} {f.message}\n（{f.rule}）" for f in findings)


def suspects(diagnosis, lang: str) -> dict[tuple[str, str], str]:
    """(sheet, cell) → the diagnosis note for each cell a smallest repair would change."""
    out = {}
    if diagnosis is None or diagnosis.status != "found":
        return out
    for repair in diagnosis.repairs:
        for c in repair.changes:
            if c.sheet and c.cell:
                out.setdefault((c.sheet, c.cell), cell_note(c, repair, lang))
    return out


# ------------------------------------------------------------------ xlcheck's sheets


def _shown(v):
    if v is None or isinstance(v, (int, float)) and not isinstance(v, bool):
        return v
    return fmt_number(v) if not isinstance(v, str) else v


def _result_rows(findings: list[Finding], lang: str, styles: Styles | None, diagnosis=None):
    """The 校验结果 sheet: a header, the diagnosis (the likely wrong cell) first, then a row per
    finding; an explained warning shows 已说明 and its 核实说明, which the next check reads back
    (`check.explain`)."""
    zh = lang != "en"
    sev = SEVERITY_TEXT["zh"] if zh else {}
    rows, cell_styles, links = [HEADERS["zh" if zh else "en"]], {}, {}
    width = len(rows[0])
    if diagnosis is not None:
        lead = [""] * width
        lead[1], lead[10] = ("诊断" if zh else "diagnosis"), diagnosis_summary(diagnosis, lang)
        rows.append(lead)
        if styles is not None:
            cell_styles[address(2, 2)] = styles.style(0, "error")
    for i, f in enumerate(findings, start=1):
        where = f"{f.sheet}!{f.cell}" if f.sheet and f.cell else (f.where or "")
        level = EXPLAINED["zh" if zh else "en"] if f.explanation else sev.get(f.severity, f.severity)
        rows.append([i, level, f.rule, f.table_label, f.row_label, f.column_label, where,
                     _shown(f.found), _shown(f.expected), _shown(f.difference), f.message, f.explanation or "", f.point or ""])
        r = len(rows)
        if styles is not None and f.severity in FILLS:
            cell_styles[address(r, 2)] = styles.style(0, f.severity)
        if f.sheet and f.cell:
            links[address(r, 7)] = "'" + f.sheet.replace("'", "''") + "'!" + f.cell
    if not findings:
        rows.append(["", "", "", "", "", "", "", "", "", "", "未发现问题" if zh else "no findings"])
    return rows, cell_styles, links


# Printed landscape, fitted to the page width (as many pages down as it takes).
_FIT_WIDTH = ('<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>',
              '<pageMargins left="0.4" right="0.4" top="0.5" bottom="0.5" header="0.3" footer="0.3"/>'
              '<pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/>')


def _printed(xml: str) -> str:
    """校验结果's worksheet printed fitted to width, its tab the selected one."""
    head, end = xml.index(">", xml.index("<worksheet")) + 1, xml.rindex("</worksheet>")
    xml = xml[:head] + _FIT_WIDTH[0] + xml[head:end] + _FIT_WIDTH[1] + xml[end:]
    return xml.replace('<sheetView workbookViewId="0">', '<sheetView tabSelected="1" workbookViewId="0">', 1)


_VIEW = re.compile(r"<workbookView\b[^<>]*>")
_SELECTED = re.compile(r'<sheetView\b[^<>]*\stabSelected="1"[^<>]*>')


def _open_on_results(pkg: Package) -> None:
    """The workbook opens on 校验结果: the workbook view's active tab is set to it and the other
    sheets' tabs unselected (two selected tabs would be a group, edited together) — attribute
    rewrites recorded like every edit. A workbook with several windows (or none) is left as it is."""
    wb = pkg.workbook_part()
    views = _VIEW.findall(pkg.text(wb))
    sheets = pkg.sheets()
    index = next((i for i, s in enumerate(sheets) if s["name"] == RESULT_SHEET), None)
    if len(views) != 1 or index is None:
        return
    tag = views[0]
    new = (re.sub(r'\sactiveTab="\d+"', f' activeTab="{index}"', tag) if 'activeTab="' in tag
           else tag.replace("<workbookView", f'<workbookView activeTab="{index}"', 1))
    if new != tag:
        pkg.edit(wb, tag, replace_with=new)
    for s in sheets:
        part = s["part"]
        if part == RESULT_PART or part not in pkg.data:
            continue
        text = pkg.text(part)
        for selected in set(_SELECTED.findall(text)):
            if text.count(selected) == 1:
                pkg.edit(part, selected, replace_with=selected.replace(' tabSelected="1"', ' tabSelected="0"'))


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


# ------------------------------------------------------------------ marking and clearing


def clear_package(pkg: Package) -> int:
    """Undo every recorded mark; returns the number of cells that were marked. The record is
    checked first (`record.trusted`): a record asking for anything xlcheck could not have done is
    refused and nothing is touched."""
    rows = read_record(pkg, RECORD_SHEET)
    if rows is None:
        return 0
    edits, parts = trusted(pkg, rows)
    failed = [e for e in reversed(edits) if not pkg.undo(e)]
    if failed:
        raise Resaved(f"标注记录与文件内容不一致（{failed[0].part}）：文件已被其他程序另存")
    for part in parts:
        pkg.remove(part)
    pkg.edits, pkg.created = [], []
    return sum(1 for r in rows if r and r[0] and not r[0].startswith("#"))


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
    styles = Styles(pkg)
    per_sheet: dict[str, dict[str, str]] = {}
    marked = []
    for (sheet, ref), items in by_cell.items():
        part = sheets[sheet]
        severity = "error" if (sheet, ref) in notes or any(f.severity == "error" for f in items) else "warning"
        marked.append((sheet, ref, style_cell(pkg, part, ref, styles, severity)))
        text = "\n\n".join(t for t in (notes.get((sheet, ref)), comment_text(items)) if t)
        per_sheet.setdefault(part, {})[ref] = text
    skipped = set()
    for part, texts in per_sheet.items():
        skipped |= {(part, ref) for ref in add_comments(pkg, part, texts)}
    marked = [(sheet, ref, fill, "" if (sheets[sheet], ref) in skipped else "1") for sheet, ref, fill in marked]
    rows, cell_styles, links = _result_rows(findings, lang, styles, diagnosis)
    styles.commit()
    _add_sheet(pkg, RESULT_SHEET, RESULT_PART, None, hidden=False)
    _add_sheet(pkg, RECORD_SHEET, RECORD_PART, None, hidden=True)
    pkg.add(RESULT_PART, _printed(worksheet_xml(rows, (6, 8, 26, 24, 30, 16, 16, 10, 10, 8, 90, 40, 30), cell_styles, links,
                                                freeze=True)))
    _open_on_results(pkg)
    pkg.data[RECORD_PART] = record_xml(pkg, marked).encode("utf-8")
    pkg.infos.append(zipfile.ZipInfo(RECORD_PART, date_time=(1980, 1, 1, 0, 0, 0)))
    pkg.created.append(RECORD_PART)
    return len(by_cell)


# Parts openpyxl drops or re-serialises: a re-saved copy holding any is not cleared through openpyxl.
# A worksheet's <extLst> (sparklines, x14 conditional formats and data validations, slicers) is
# dropped by openpyxl whatever it holds.
_EXTENSIONS = re.compile(rb"<(?:\w+:)?extLst\b")
_OPENPYXL_LOSES = ("xl/charts/", "xl/drawings/drawing", "xl/pivot", "xl/threadedComments", "xl/media/",
                   "xl/ctrlProps/", "xl/activeX/", "xl/slicers/", "xl/timelines/", "customUI/", "xl/persons/")


def _one_cell(ref) -> bool:
    """Whether a recorded reference is one cell of a sheet (A1 to XFD1048576)."""
    try:
        row, col = parse_address(ref) if isinstance(ref, str) else (0, 0)
    except ValueError:
        return False
    return 1 <= row <= 1048576 and 1 <= col <= 16384


def clear_resaved(raw: bytes, xlsm: bool = False) -> bytes:
    """Clear marks from a copy another program (Excel, WPS, openpyxl) has re-saved since it was
    marked: the recorded edits no longer apply, so remove xlcheck's comments, give the recorded
    cells their fills back and drop xlcheck's sheets through openpyxl — only when the package
    holds nothing openpyxl would lose."""
    pkg = Package.open(raw)
    lost = sorted({p for name in pkg.data for p in _OPENPYXL_LOSES if name.startswith(p)})
    lost += sorted(f"{name} 中的扩展内容（迷你图等）" for name in pkg.data
                   if name.startswith("xl/worksheets/") and _EXTENSIONS.search(pkg.data[name]))
    if lost:
        raise Unsafe(f"文件在标注后已被其他程序另存，且含有 {lost[0]} 等内容，清除旧标注会损坏它")
    from openpyxl import load_workbook          # deferred (start-up time): only a re-saved copy needs openpyxl
    from openpyxl.styles import PatternFill
    from openpyxl.xml.functions import fromstring
    try:
        with warnings.catch_warnings():         # openpyxl warns on stderr about what it cannot read
            warnings.simplefilter("ignore")
            wb = load_workbook(io.BytesIO(raw), keep_vba=xlsm, keep_links=True)
    except Exception as exc:                    # openpyxl's parsers on a damaged part raise anything
        raise Unsafe(f"文件在标注后已被改写，且 openpyxl 无法读取它（{exc.__class__.__name__}）") from None
    if RECORD_SHEET in wb.sheetnames:
        for row in wb[RECORD_SHEET].iter_rows(min_row=2, values_only=True):
            if row and row[0] in wb.sheetnames and _one_cell(row[1]):
                cell = wb[row[0]][row[1]]
                try:                            # the record is the workbook's: any fill it holds may be broken
                    cell.fill = PatternFill.from_tree(fromstring(row[2])) if row[2] else PatternFill()
                except Exception:
                    cell.fill = PatternFill()
        del wb[RECORD_SHEET]
    for ws in wb.worksheets:
        # the cells that exist (openpyxl's own mapping): iter_rows would visit every position up to
        # the last used cell, seventeen billion with one cell at XFD1048576
        for cell in list(ws._cells.values()):
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


def findings_workbook(findings: list[Finding], lang: str = "zh", diagnosis=None) -> bytes:
    """A new workbook holding only the findings sheet: what is written when the input cannot be
    marked safely."""
    from openpyxl import Workbook               # deferred (start-up time): only an unsafe package needs it
    wb = Workbook()
    ws = wb.active
    ws.title = RESULT_SHEET
    rows, _, _ = _result_rows(findings, lang, None, diagnosis)
    for row in rows:
        ws.append([cell_text(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def annotate_file(source: Path, target: Path, findings: list[Finding], lang: str = "zh", diagnosis=None) -> tuple[Path, str | None]:
    """Write the annotated copy; returns (path written, warning). When the package cannot be
    marked safely, the findings go to `<name>.findings.xlsx` instead and the warning says why."""
    raw = Path(source).read_bytes()
    try:
        xlsm = Path(source).suffix.lower() in (".xlsm", ".xltm")
        return atomic_write_bytes(target, annotate_bytes(raw, findings, lang, diagnosis, xlsm)), None
    except Unsafe as exc:
        other = Path(target).with_name(Path(source).stem + ".findings.xlsx")
        written = atomic_write_bytes(other, findings_workbook(findings, lang, diagnosis))
        return written, f"无法安全地在原工作簿上标注（{exc}），问题清单另存为 {written.name}"
    except (zipfile.BadZipFile, KeyError) as exc:
        raise InputError(f"{source}：无法写入标注（{exc.__class__.__name__}）") from None


def clear_file(source: Path, target: Path, keep_backup: bool = False) -> int:
    """Write `source` without its marks to `target` (keeping `target.bak` first when asked, and
    only once the marks could be cleared); returns the number of cells that were marked."""
    raw = Path(source).read_bytes()
    try:
        pkg, n = _open_cleared(raw, Path(source).suffix.lower() in (".xlsm", ".xltm"))
    except Untrusted as exc:
        raise InputError(f"{source}：{exc}；未作任何改动") from None
    except Unsafe as exc:
        raise InputError(f"{source}：{exc}") from None
    if keep_backup:
        backup(target)
    atomic_write_bytes(target, pkg.bytes())
    return n
