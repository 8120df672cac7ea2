"""Hostile inputs against every reader: each attack file is built here from the sample report and
checked by the real command in a subprocess under a 1 GB address-space cap and a generous time
bound. It must come back as a clean per-file error (「文件过大」, a bomb refused) or be checked
correctly — never killed, never a traceback, never a hang."""
import json
import re
import resource
import subprocess
import sys
import zipfile
import zlib

import openpyxl
import pytest

from conftest import convert
from helpers import SAMPLE_2021, write_filled
from layouts import printed, to_docx, to_html
from xlcheck.grid import col_letter
from xlcheck.model.editions import edition
from xlcheck.model.workbook import cell_positions

CAP = 1024 ** 3
TIMEOUT = 180          # a hang, not a speed target
TITLE = "乐清市人民政府办公室2021年政府信息公开工作年度报告"
FAR = '<row r="1048576"><c r="XFD1048576"><v>7</v></c></row>'


def _cap():
    resource.setrlimit(resource.RLIMIT_AS, (CAP, CAP))


def verify(path, *extra):
    """The one file's JSON result of `xlcheck verify`, run capped."""
    proc = subprocess.run([sys.executable, "-m", "xlcheck", "verify", str(path), "--no-annotate", "--format", "json", *extra],
                          capture_output=True, text=True, timeout=TIMEOUT, preexec_fn=_cap)
    assert proc.returncode in (0, 1, 2), (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr and "内部错误" not in proc.stdout + proc.stderr, proc.stderr[-2000:]
    return json.loads(proc.stdout)["files"][0]


def assert_refused(result, *words):
    assert result["status"] == "error", result
    assert any(w in result["error"] for w in words), result["error"]
    assert "\n" not in result["error"]


def assert_checked_clean(result):
    assert result["status"] == "ok" and result["counts"]["error"] == 0, result.get("error") or result["findings"][:3]


def rewrite(path, edits: dict, add: dict | None = None):
    """Copy a zip package with members changed by `edits` (name → function of text) and added."""
    with zipfile.ZipFile(path) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    for name, fn in edits.items():
        members[name] = fn(members[name].decode("utf-8")).encode("utf-8")
    members.update(add or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def worksheets(path):
    with zipfile.ZipFile(path) as z:
        return [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]


def by_labels(path):
    """The sample workbook without its defined names: located by the printed labels only."""
    return rewrite(path, {"xl/workbook.xml": lambda t: re.sub(r"<definedNames>.*</definedNames>", "", t, flags=re.S)})


def far_cell(text):
    return text.replace("</sheetData>", FAR + "</sheetData>")


# ------------------------------------------------------------------ workbooks


def test_far_away_cell_on_every_sheet_xlchecks_own_included(tmp_path):
    path = write_filled(tmp_path / "far.xlsx", SAMPLE_2021)
    rewrite(path, {name: far_cell for name in worksheets(path)})         # _xlcheck_meta is one of them
    assert_checked_clean(verify(path))


def test_merged_area_over_the_whole_sheet_and_far_cells_located_by_labels(tmp_path):
    path = by_labels(write_filled(tmp_path / "merged.xlsx", SAMPLE_2021))

    def attack(text):
        text = far_cell(text)
        if "<mergeCells" in text:
            return re.sub(r'<mergeCells count="(\d+)">', lambda m: f'<mergeCells count="{int(m.group(1)) + 1}">'
                          '<mergeCell ref="XA1:XFD1048576"/>', text)
        return text.replace("</sheetData>", '</sheetData><mergeCells count="1"><mergeCell ref="A1048570:XFD1048576"/></mergeCells>')
    rewrite(path, {name: attack for name in worksheets(path)})
    assert_checked_clean(verify(path))


def test_a_resaved_annotated_copy_with_a_far_away_cell_is_cleared(tmp_path):
    src = write_filled(tmp_path / "r.xlsx", SAMPLE_2021, changes={"appeals.reconsideration.total": 2})
    out = tmp_path / "r.checked.xlsx"
    subprocess.run([sys.executable, "-m", "xlcheck", "verify", str(src)], capture_output=True, timeout=TIMEOUT)
    wb = openpyxl.load_workbook(out)                   # re-saved by another program, with a far-away cell
    assert wb["复议诉讼"]["E6"].comment.text.startswith("[xlcheck]")
    wb["复议诉讼"]["XFD1048576"] = 7
    wb.save(out)
    proc = subprocess.run([sys.executable, "-m", "xlcheck", "clear", str(out)], capture_output=True, text=True,
                          timeout=TIMEOUT, preexec_fn=_cap)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["主动公开", "依申请公开", "复议诉讼", "_xlcheck_meta"] and wb["复议诉讼"]["E6"].comment is None


def test_cells_spread_over_rows_and_columns_are_refused_as_too_large(tmp_path):
    path = by_labels(write_filled(tmp_path / "diagonal.xlsx", SAMPLE_2021))
    diagonal = "".join(f'<row r="{2000 + i}"><c r="{col_letter(100 + i)}{2000 + i}"><v>1</v></c></row>' for i in range(16000))
    first = worksheets(path)[0]
    rewrite(path, {first: lambda t: t.replace("</sheetData>", diagonal + "</sheetData>")})
    assert_refused(verify(path), "文件过大")


def test_more_cells_than_the_limit_are_refused_as_too_large(tmp_path):
    path = write_filled(tmp_path / "cells.xlsx", SAMPLE_2021)
    rows = "".join(f'<row r="{r}">' + "".join(f'<c r="{col_letter(c)}{r}"><v>1</v></c>' for c in range(60, 100)) + "</row>"
                   for r in range(100, 15100))
    first = worksheets(path)[0]
    rewrite(path, {first: lambda t: re.sub(r"</sheetData>", rows + "</sheetData>", t)})
    assert_refused(verify(path), "文件过大")


def test_uncached_sum_over_the_whole_sheet_is_evaluated_over_the_cells_that_exist(tmp_path):
    path = write_filled(tmp_path / "sum.xlsx", SAMPLE_2021)
    _, row, col = cell_positions(edition("2021"))["requests.new.total"]          # 新收 总计 = 26
    ref, first_part = f"{col_letter(col)}{row}", f"{col_letter(col - 6)}{row}:{col_letter(col - 1)}{row}"
    cell = re.compile(rf'(<c r="{ref}"[^>]*>)<v>26</v>')
    [part] = [n for n in worksheets(path) if cell.search(zipfile.ZipFile(path).read(n).decode())]
    rewrite(path, {part: lambda t: cell.sub(rf"\1<f>SUM({first_part},XA1:XFD1048576)</f>", t)})
    result = verify(path)
    assert result["counts"]["error"] == 0, result["findings"][:3]
    [finding] = result["findings"]
    assert finding["rule"] == "cell.formula_not_calculated" and finding["cell"] == ref and finding["found"] == 26


def test_zip_bombs_are_refused_in_every_container(tmp_path):
    with zipfile.ZipFile(tmp_path / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w") as fh:
            for _ in range(300):
                fh.write(b" " * 1024 * 1024)
    assert_refused(verify(tmp_path / "bomb.xlsx"), "压缩炸弹", "文件过大")
    many = tmp_path / "many.xlsx"
    with zipfile.ZipFile(many, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        for i in range(12000):
            z.writestr(f"xl/media/{i}.bin", b"")
    assert_refused(verify(many), "文件过大")
    word = to_docx(tmp_path / "report.docx", TITLE, printed("2021", SAMPLE_2021))
    with zipfile.ZipFile(word) as z:
        members = {n: z.read(n) for n in z.namelist()}
    big = members["word/document.xml"].replace(b"</w:body>", b"<w:p><w:r><w:t>" + b"x" * (80 * 1024 * 1024) + b"</w:t></w:r></w:p></w:body>")
    with zipfile.ZipFile(word, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in members.items():
            z.writestr(n, big if n == "word/document.xml" else data)
    assert_refused(verify(word), "文件过大", "压缩炸弹")


def test_xls_whose_cells_span_the_whole_sheet_is_refused_before_calamine_holds_it(soffice, tmp_path):
    path = write_filled(tmp_path / "far.xlsx", SAMPLE_2021)
    rewrite(path, {name: lambda t: t.replace("</sheetData>", '<row r="65536"><c r="IV65536"><v>7</v></c></row></sheetData>')
                   for name in worksheets(path)})
    xls = convert(soffice, path, "xls", tmp_path)
    assert_refused(verify(xls), "文件过大")           # calamine would hold 16,777,216 cells a sheet (and abort)
    assert_checked_clean(verify(convert(soffice, write_filled(tmp_path / "plain.xlsx", SAMPLE_2021), "xls", tmp_path)))


# ------------------------------------------------------------------ OpenDocument


@pytest.fixture(scope="module")
def sample_ods(soffice, tmp_path_factory):
    folder = tmp_path_factory.mktemp("ods")
    return convert(soffice, write_filled(folder / "sample.xlsx", SAMPLE_2021), "ods", folder)


def _ods_with(source, tmp_path, name, fn):
    target = tmp_path / name
    target.write_bytes(source.read_bytes())
    with zipfile.ZipFile(target) as z:
        members = [(i, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(target, "w") as z:
        for info, data in members:
            if info.filename == "content.xml":
                data = fn(data.decode("utf-8")).encode("utf-8")
            z.writestr(info, data, zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED)
    return target


def test_ods_repeats_are_not_materialised(sample_ods, tmp_path):
    assert_checked_clean(verify(sample_ods))
    empty = ('<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="16384"/>'
             '</table:table-row>')
    padded = _ods_with(sample_ods, tmp_path, "padded.ods", lambda t: t.replace("</table:table>", empty + "</table:table>"))
    assert_checked_clean(verify(padded))
    full = ('<table:table-row table:number-rows-repeated="100000"><table:table-cell table:number-columns-repeated="16384" '
            'office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>')
    filled = _ods_with(sample_ods, tmp_path, "filled.ods", lambda t: t.replace("<table:table-row", full + "<table:table-row", 1))
    assert_refused(verify(filled), "文件过大")


def test_ods_deeply_nested_text_is_read_once(sample_ods, tmp_path):
    depth = 60000
    nested = ('<table:table-row><table:table-cell office:value-type="string">' + "<text:p>x" * depth + "</text:p>" * depth
              + "</table:table-cell></table:table-row>")
    # the inserted row moves every cell down: the names would point one row too high, so they go
    # and the tables are found by their labels
    unnamed = lambda t: re.sub(r"<table:named-expressions>.*?</table:named-expressions>", "", t, flags=re.S)
    path = _ods_with(sample_ods, tmp_path, "nested.ods", lambda t: unnamed(t).replace("<table:table-row", nested + "<table:table-row", 1))
    assert_checked_clean(verify(path))


# ------------------------------------------------------------------ published reports


def test_html_unclosed_tags_nesting_and_many_rows(tmp_path):
    page = to_html(TITLE, printed("2021", SAMPLE_2021))
    unclosed = tmp_path / "unclosed.html"                 # </td> and </tr> may be omitted in HTML
    unclosed.write_text(page.replace("</td>", "").replace("</th>", "").replace("</tr>", ""), encoding="utf-8")
    assert_checked_clean(verify(unclosed))
    hostile = tmp_path / "hostile.html"
    hostile.write_text(page + "<div>" * 100000 + "<a " * 300000, encoding="utf-8")
    assert_checked_clean(verify(hostile))
    rows = tmp_path / "rows.html"
    rows.write_text(page + "<table>" + "<tr><td>说明</td><td>1</td></tr>" * 40000 + "</table>", encoding="utf-8")
    assert_checked_clean(verify(rows))


def test_pdf_with_too_many_pages_or_a_stream_bomb_is_refused(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter()
    for _ in range(501):
        writer.add_blank_page(width=595, height=842)
    pages = tmp_path / "pages.pdf"
    with open(pages, "wb") as fh:
        writer.write(fh)
    assert_refused(verify(pages), "文件过大")
    stream = zlib.compress(b"0 0 m " * (60 * 1024 * 1024), 9)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    body, offsets = b"%PDF-1.4\n", []
    for i, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(body)
    assert_refused(verify(bomb), "压缩炸弹", "文件过大")

