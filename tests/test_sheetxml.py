"""The worksheet scanner reads exactly what the expat parser reads, or gives up.

Every test compares the two on the same part: workbooks written by openpyxl, XlsxWriter and
LibreOffice (the forms the scanner exists for, where it must not give up), and hand-written
parts in forms it must refuse (prefixed elements, a DTD, comments, CDATA, unusual attribute
order, UTF-16), where the result still has to be right because expat takes over.
"""
from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings, strategies as st
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from xlcheck.errors import InputError
from xlcheck.grid import Sheet
from xlcheck.sources.sheetxml import (NotPlain, parse_shared_strings, parse_sheet, read_sheet, scan_shared_strings,
                                      scan_sheet)

# texts that need escaping, references, line ends, CJK, leading/trailing spaces
TEXTS = st.one_of(
    st.sampled_from(["规章", "a & b", "<tag>", 'say "hi"', "it's", "x\r\ny", "tab\there", "  padded  ", "无", "/", "1,234", "３件"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
)
VALUES = st.one_of(st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False, width=32),
                   st.booleans(), TEXTS, st.none())


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def _both(part: bytes, strings: list[str]) -> tuple[Sheet, Sheet]:
    scanned, parsed = Sheet("s"), Sheet("s")
    scan_sheet(part, scanned, strings)
    parse_sheet(part, parsed, strings)
    return scanned, parsed


def _same(part: bytes, strings: list[str] | None = None) -> Sheet:
    scanned, parsed = _both(part, strings or [])
    assert scanned.cells == parsed.cells
    assert scanned.merged == parsed.merged
    return scanned


def _openpyxl_book(cells: dict[tuple[int, int], object]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for (r, c), v in cells.items():
        ws.cell(r, c, v)
    ws.merge_cells("H1:I2")
    ws["J1"] = "=SUM(A1:A3)"                  # a formula never calculated: no cached value
    ws["J2"] = CellRichText(["粗", TextBlock(InlineFont(b=True), "体 & more")])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _xlsxwriter_book(cells: dict[tuple[int, int], object]) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    for (r, c), v in cells.items():
        if v is None:
            ws.write_blank(r - 1, c - 1, None, wb.add_format({"bold": True}))
        elif isinstance(v, str):
            ws.write_string(r - 1, c - 1, v)
        else:
            ws.write(r - 1, c - 1, v)
    ws.write_formula("J1", "=SUM(A1:A3)", None, 6)
    ws.write_formula("J2", '=IF(A1>0,"是 & 否","")', None, "是 & 否")
    ws.write_rich_string("J3", "普通", wb.add_format({"bold": True}), "粗 <b>")
    ws.merge_range("H1:I2", "合并", None)
    wb.close()
    return buf.getvalue()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.tuples(st.integers(1, 30), st.integers(1, 6)), VALUES, max_size=25))
def test_openpyxl_parts_are_scanned_the_same(cells):
    parts = _parts(_openpyxl_book(cells))
    sheet = _same(parts["xl/worksheets/sheet1.xml"])
    assert sheet.cells[(1, 10)].formula == "SUM(A1:A3)" and not sheet.cells[(1, 10)].cached
    assert (1, 8, 2, 9) in sheet.merged


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.tuples(st.integers(1, 30), st.integers(1, 6)), VALUES, max_size=25))
def test_xlsxwriter_parts_with_shared_strings_are_scanned_the_same(cells):
    parts = _parts(_xlsxwriter_book(cells))
    strings = scan_shared_strings(parts["xl/sharedStrings.xml"])
    assert strings == parse_shared_strings(parts["xl/sharedStrings.xml"])
    sheet = _same(parts["xl/worksheets/sheet1.xml"], strings)
    assert sheet.cells[(2, 10)].value == "是 & 否" and sheet.cells[(2, 10)].formula == 'IF(A1>0,"是 & 否","")'
    assert sheet.cells[(3, 10)].value == "普通粗 <b>"
    for (r, c), v in cells.items():
        if isinstance(v, str) and v:
            assert sheet.cells[(r, c)].value == v          # XlsxWriter writes a \r as _x000D_


def test_a_part_saved_by_libreoffice_is_scanned_the_same(soffice, tmp_path):
    from conftest import convert
    source = tmp_path / "in.xlsx"
    source.write_bytes(_xlsxwriter_book({(1, 1): 5, (2, 1): "文字 & <>", (3, 1): 2.5, (4, 2): True}))
    out = convert(soffice, source, "xlsx", tmp_path / "lo")
    parts = _parts(out.read_bytes())
    strings = scan_shared_strings(parts["xl/sharedStrings.xml"])
    sheet = _same(parts["xl/worksheets/sheet1.xml"], strings)
    assert sheet.cells[(2, 1)].value == "文字 & <>" and sheet.cells[(1, 10)].value == 6


HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
X = 'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


@pytest.mark.parametrize("xml, expected", [
    (f'{HEAD}<x:worksheet {X}><x:sheetData><x:row r="1"><x:c r="A1"><x:v>7</x:v></x:c></x:row></x:sheetData></x:worksheet>', 7),
    (f'{HEAD}<worksheet {MAIN}><sheetData><row r="1"><c t="n" r="A1"><v>7</v></c></row></sheetData></worksheet>', 7),
    (f'{HEAD}<worksheet {MAIN}><!-- <c r="A1"><v>1</v></c> --><sheetData><row r="1"><c r="A1"><v>7</v></c></row></sheetData></worksheet>', 7),
    (f'{HEAD}<worksheet {MAIN}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[a<b]]></t></is></c></row></sheetData></worksheet>', "a<b"),
    (f'{HEAD}<worksheet {MAIN}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><r><rPr><b/><color rgb="FF0000"/></rPr><t>粗</t></r><rPh sb="0" eb="1"><t>ふりがな</t></rPh></is></c></row></sheetData></worksheet>', "粗"),
    (f'{HEAD}<worksheet {MAIN}><sheetData>\n  <row r="1">\n    <c r="A1">\n      <v>7</v>\n    </c>\n  </row>\n</sheetData></worksheet>', 7),
    (f'<?xml version="1.0" encoding="UTF-16"?><worksheet {MAIN}><sheetData><row r="1"><c r="A1"><v>7</v></c></row></sheetData></worksheet>', 7),
    (f'{HEAD}<worksheet {MAIN}><sheetData><row r="1"><c r="A1" s="1"><is><t>no type, no value</t></is></c><c r="B1" t="str"><f>A1&amp;"x"</f><v>&#x4E00;&amp;</v></c></row></sheetData></worksheet>', None),
])
def test_other_forms_read_the_same_whoever_reads_them(xml, expected):
    data = xml.encode("utf-16") if 'encoding="UTF-16"' in xml else xml.encode("utf-8")
    via_read, parsed = Sheet("s"), Sheet("s")
    read_sheet(data, via_read, [])
    parse_sheet(data, parsed, [])
    assert via_read.cells == parsed.cells
    if expected is not None:
        assert parsed.cells[(1, 1)].value == expected
    else:
        assert parsed.cells[(1, 2)].value == "一&" and parsed.cells[(1, 2)].formula == 'A1&"x"'
        assert (1, 1) not in parsed.cells


@pytest.mark.parametrize("xml", [
    f'{HEAD}<x:worksheet {X}><x:sheetData><x:row r="1"><x:c r="A1"><x:v>7</x:v></x:c></x:row></x:sheetData></x:worksheet>',
    f'{HEAD}<worksheet {MAIN}><sheetData><row r="1"><c t="n" r="A1"><v>7</v></c></row></sheetData></worksheet>',
    f'{HEAD}<worksheet {MAIN}><!-- c --><sheetData/></worksheet>',
    f'{HEAD}<worksheet {MAIN}><sheetData><row r="1"><c r="A1"><v>7</v></c>',
    f'{HEAD}<worksheet {MAIN}><sheetData><row r="1"><c r="A1"><v>&undefined;</v></c></row></sheetData></worksheet>',
])
def test_the_scanner_gives_up_rather_than_guess(xml):
    with pytest.raises(NotPlain):
        scan_sheet(xml.encode(), Sheet("s"), [])


def test_a_dtd_is_refused_by_both():
    xml = (f'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
           f'<worksheet {MAIN}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row></sheetData></worksheet>')
    with pytest.raises(NotPlain):
        scan_sheet(xml.encode(), Sheet("s"), [])
    with pytest.raises(InputError):
        read_sheet(xml.encode(), Sheet("s"), [])


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)
       | st.sampled_from(["_x0000_t202", "a\rb", "_x005F_x000D_", "\x01\x1f", "#_x0000_t202 "]))
def test_strings_xlcheck_writes_read_back_as_written(text):
    """The record of marks holds XML fragments such as VML's "#_x0000_t202": written as Excel
    escapes strings, every text (control characters, carriage returns, literal _xHHHH_) must
    come back unchanged, through either reader."""
    from xlcheck.outputs.ooxml import worksheet_xml
    text = text or "x"                      # an empty string is no cell at all
    part = worksheet_xml([[text]]).encode("utf-8")
    sheet = _same(part)
    assert sheet.cells[(1, 1)].value == text


def test_unclosed_strings_are_refused_not_searched_to_the_end():
    """Each unclosed <is> or <si> stops at its cell or item: the scanner stays linear on broken
    or hostile parts (an unbounded search here made 20,000 such cells take minutes)."""
    from xml.parsers.expat import ExpatError
    n = 3000
    cells = "".join(f'<c r="A{i}" t="inlineStr"><is><t>x</t></c>' for i in range(1, n))
    part = f'{HEAD}<worksheet {MAIN}><sheetData><row r="1">{cells}</row></sheetData></worksheet>'.encode()
    with pytest.raises(NotPlain):
        scan_sheet(part, Sheet("s"), [])
    with pytest.raises(ExpatError):
        read_sheet(part, Sheet("s"), [])
    with pytest.raises(NotPlain):
        scan_shared_strings(f'{HEAD}<sst {MAIN}>{"<si><t>a</t>" * n}</sst>'.encode())


_XML_TEXT = st.lists(st.sampled_from(list("ab 1.-_x05F\r\n\t规") + ["&amp;", "&lt;", "&gt;", "&#x4E00;", "&#13;", "_x000D_"]),
                     max_size=8).map("".join)


@st.composite
def _raw_cell(draw, col):
    ref = f"{col}1"
    attrs = draw(st.sampled_from(['', ' s="3"']))
    kind = draw(st.sampled_from([None, "n", "s", "str", "inlineStr", "b", "e", "d"]))
    if kind:
        attrs += f' t="{kind}"'
    attrs += draw(st.sampled_from(['', ' cm="1"', ' ph="1"']))
    children = []
    formula = draw(st.sampled_from([None, "plain", "empty", "shared"]))
    if formula == "plain":
        children.append(f"<f>{draw(_XML_TEXT)}</f>")
    elif formula == "empty":
        children.append("<f></f>")
    elif formula == "shared":
        children.append('<f t="shared" si="0"/>')
    v = draw(st.one_of(st.none(), st.sampled_from(["0", "1", "2", "12.5", "-3", "1e3", ""]), _XML_TEXT))
    if v is not None:
        children.append(f"<v>{v}</v>")
    if draw(st.booleans()):
        runs = draw(st.lists(_XML_TEXT, max_size=3))
        children.append("<is>" + "".join(f"<r><rPr><b/></rPr><t>{t}</t></r>" for t in runs) + "</is>")
    if not children and draw(st.booleans()):
        return f'<c r="{ref}"{attrs}/>'
    sep = draw(st.sampled_from(["", "\n  "]))
    return f'<c r="{ref}"{attrs}>{sep}{sep.join(children)}{sep}</c>'


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from("ABCDEFGH"), min_size=1, max_size=8, unique=True).flatmap(
    lambda cols: st.tuples(*[_raw_cell(c) for c in sorted(cols)])))
def test_any_cell_form_reads_as_expat_reads_it(cells):
    part = f'{HEAD}<worksheet {MAIN}><sheetData><row r="1">{"".join(cells)}</row></sheetData></worksheet>'.encode()
    strings = ["s0", "s1", "s2"]

    def outcome(read):
        sheet = Sheet("s")
        try:
            read(part, sheet, strings)
        except (ValueError, IndexError) as exc:      # a shared-string index that is not one
            return type(exc)
        return sheet.cells

    scanned = outcome(scan_sheet) if _scannable(part) else None
    if scanned is not None:
        assert scanned == outcome(parse_sheet)


def _scannable(part: bytes) -> bool:
    try:
        scan_sheet(part, Sheet("s"), ["s0", "s1", "s2"])
    except NotPlain:
        return False
    except (ValueError, IndexError):
        pass
    return True


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(
    _XML_TEXT.map(lambda t: f"<t>{t}</t>"),
    st.lists(_XML_TEXT, min_size=1, max_size=3).map(lambda runs: "".join(f'<r><rPr><sz val="11"/></rPr><t xml:space="preserve">{t}</t></r>' for t in runs)),
    _XML_TEXT.map(lambda t: f'<t>{t}</t><rPh sb="0" eb="1"><t>ルビ</t></rPh><phoneticPr fontId="1"/>'),
    st.just("<t/>")), max_size=6))
def test_any_shared_string_reads_as_expat_reads_it(items):
    part = f'{HEAD}<sst {MAIN} count="{len(items)}">{"".join(f"<si>{i}</si>" for i in items)}</sst>'.encode()
    assert scan_shared_strings(part) == parse_shared_strings(part)
