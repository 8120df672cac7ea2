"""Lossless in the corners of the format: a sheet with a header or footer picture, cells and rows
without their optional r, and a re-saved copy holding what openpyxl would drop."""
import json
import re
import zipfile

import openpyxl
from click.testing import CliRunner

from helpers import SAMPLE_2021, write_filled
from xlcheck.cli import cli

SHEET = "xl/worksheets/sheet3.xml"            # 复议诉讼; E6 is 行政复议 总计
WRONG = {"appeals.reconsideration.total": 2}
HF_VML = ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
          'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="1"/>'
          '</o:shapelayout><v:shape id="CH" o:spid="_x0000_s1025" type="#_x0000_t75" style="position:absolute;'
          'margin-left:0;margin-top:0;width:60pt;height:30pt;z-index:1"><v:imagedata o:relid="rId1" o:title="logo"/>'
          '<o:lock v:ext="edit" rotation="t"/></v:shape></xml>')
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_VML = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing"


def members(path):
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def write(path, data):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in data.items():
            z.writestr(zipfile.ZipInfo(n, date_time=(1980, 1, 1, 0, 0, 0)), d)


def verify(*args):
    result = CliRunner().invoke(cli, ["verify", *map(str, args), "--format", "json"])
    assert "Traceback" not in result.output, result.output
    return json.loads(result.stdout)["files"][0]


def clear_gives_back(path, original):
    result = CliRunner().invoke(cli, ["clear", str(path)])
    assert result.exit_code == 0, result.output
    assert members(path) == original


def test_notes_of_a_sheet_with_a_header_picture_go_to_its_own_legacy_drawing(tmp_path):
    src = write_filled(tmp_path / "hf.xlsx", SAMPLE_2021, changes=WRONG)
    data = members(src)
    sheet = data[SHEET].decode()
    assert "legacyDrawing" not in sheet and "headerFooter" not in sheet
    data[SHEET] = sheet.replace("</worksheet>", '<headerFooter><oddHeader>&amp;C&amp;G</oddHeader></headerFooter>'
                                f'<legacyDrawingHF xmlns:r="{NS_R}" r:id="rIdHF1"/></worksheet>').encode()
    rels = "xl/worksheets/_rels/sheet3.xml.rels"
    entry = f'<Relationship Id="rIdHF1" Type="{REL_VML}" Target="../drawings/vmlDrawingHF1.vml"/>'
    data[rels] = (data[rels].decode().replace("</Relationships>", entry + "</Relationships>") if rels in data else
                  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
                  f'"http://schemas.openxmlformats.org/package/2006/relationships">{entry}</Relationships>').encode()
    data["xl/drawings/vmlDrawingHF1.vml"] = HF_VML.encode()
    types = data["[Content_Types].xml"].decode()
    if 'Extension="vml"' not in types:
        types = types.replace("</Types>", '<Default Extension="vml" ContentType="application/vnd.openxmlformats-'
                                          'officedocument.vmlDrawing"/></Types>')
    data["[Content_Types].xml"] = types.encode()
    write(src, data)
    original = members(src)

    assert verify(src)["status"] == "invalid"
    marked = members(tmp_path / "hf.checked.xlsx")
    assert marked["xl/drawings/vmlDrawingHF1.vml"] == original["xl/drawings/vmlDrawingHF1.vml"]   # the header's drawing untouched
    text = marked[SHEET].decode()
    assert text.count("<legacyDrawingHF ") == 1 and 'r:id="rIdHF1"/>' in text
    [rid] = re.findall(r'<legacyDrawing\b[^>]*?\s\w+:id="([^"]+)"', text)
    [target] = re.findall(rf'Id="{rid}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="{rid}"', marked[rels].decode())
    vml = "xl/drawings/" + [t for t in target if t][0].rsplit("/", 1)[1]
    assert vml != "xl/drawings/vmlDrawingHF1.vml"
    assert "<x:Row>5</x:Row><x:Column>4</x:Column>" in marked[vml].decode()                 # E6's note
    assert text.index("<legacyDrawing ") < text.index("<legacyDrawingHF ")                  # the schema's order
    ws = openpyxl.load_workbook(tmp_path / "hf.checked.xlsx")["复议诉讼"]
    assert ws["E6"].comment.text.startswith("[xlcheck] 可能填错：应为 1") and "appeals.total" in ws["E6"].comment.text
    clear_gives_back(tmp_path / "hf.checked.xlsx", original)


def _without_r(sheet: str) -> str:
    """The sheet with every r left out where the format allows it: on a row that follows the
    one before it, and on a cell that follows the one before it in its row."""
    out, last_row, last_col = [], 0, 0

    def row(m):
        nonlocal last_row, last_col
        r = int(m.group(2))
        keep = r != last_row + 1
        last_row, last_col = r, 0
        return m.group(0) if keep else m.group(1) + m.group(3)

    def cell(m):
        nonlocal last_col
        letters = m.group(2)
        col = 0
        for ch in letters:
            col = col * 26 + ord(ch) - 64
        keep = col != last_col + 1
        last_col = col
        return m.group(0) if keep else m.group(1) + m.group(4)

    for piece in re.split(r"(<row\b[^>]*>)", sheet):
        if piece.startswith("<row"):
            out.append(re.sub(r'(<row\b[^>]*?)\sr="(\d+)"([^>]*>)', row, piece))
        else:
            out.append(re.sub(r'(<c\b[^>]*?)\sr="([A-Z]+)(\d+)"([^>]*>)', cell, piece))
    return "".join(out)


def test_cells_without_r_are_read_in_order_and_marked_once(tmp_path):
    plain = write_filled(tmp_path / "plain.xlsx", SAMPLE_2021, changes=WRONG)
    expected = verify(plain, "--no-annotate")["findings"]
    src = tmp_path / "nor.xlsx"
    data = members(plain)
    data[SHEET] = _without_r(data[SHEET].decode()).encode()
    text = data[SHEET].decode()
    assert 'r="E6"' not in text and re.search(r"<row(?![^>]*\sr=)[\s>]", text) and re.search(r"<c(?![^>]*\sr=)[\s>]", text)
    write(src, data)
    original = members(src)

    result = verify(src)
    assert result["findings"] == expected and [f["cell"] for f in expected] == ["E6"]
    marked = members(tmp_path / "nor.checked.xlsx")[SHEET].decode()
    assert marked.count("<c") == original[SHEET].decode().count("<c")            # no cell added twice
    ws = openpyxl.load_workbook(tmp_path / "nor.checked.xlsx")["复议诉讼"]
    assert ws["E6"].value == 2 and ws["E6"].fill.fgColor.rgb == "FFFFC7CE"
    assert ws["E6"].comment.text.startswith("[xlcheck] 可能填错：应为 1") and "appeals.total" in ws["E6"].comment.text
    clear_gives_back(tmp_path / "nor.checked.xlsx", original)


SPARKLINES = ('<extLst><ext uri="{05C60535-1F16-4fd2-B633-F4F36F0B64E0}" '
              'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:sparklineGroups '
              'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><x14:sparklineGroup><x14:sparklines>'
              '<x14:sparkline><xm:f>复议诉讼!B6:E6</xm:f><xm:sqref>F6</xm:sqref></x14:sparkline></x14:sparklines>'
              '</x14:sparklineGroup></x14:sparklineGroups></ext></extLst>')


def test_a_resaved_copy_with_sparklines_is_not_cleared_through_openpyxl(tmp_path):
    src = write_filled(tmp_path / "r.xlsx", SAMPLE_2021, changes=WRONG)
    out = tmp_path / "r.checked.xlsx"
    verify(src)
    openpyxl.load_workbook(out).save(out)            # re-saved by another program: the record no longer applies
    data = members(out)
    sheet = next(n for n in data if n.startswith("xl/worksheets/sheet") and "复议诉讼!" not in data[n].decode()
                 and b"<sheetData" in data[n])
    data[sheet] = data[sheet].replace(b"</worksheet>", SPARKLINES.encode() + b"</worksheet>")
    write(out, data)
    before = out.read_bytes()
    result = CliRunner().invoke(cli, ["verify", str(out), "--in-place"])
    assert result.exit_code == 1, result.output
    assert "无法安全地在原工作簿上标注" in result.output and "迷你图" in result.output
    assert out.read_bytes() == before                                     # the sparklines are still there
    findings = tmp_path / "r.checked.findings.xlsx"
    wb = openpyxl.load_workbook(findings)
    assert [r[2] for r in wb["校验结果"].iter_rows(min_row=2, values_only=True)] == [None, "appeals.total"]   # the diagnosis leads
