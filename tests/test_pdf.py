"""Published reports as PDF: tables and prose read out of the PDF itself."""
import json

import pytest

from conftest import REPORTS, convert
from helpers import SAMPLE_2021, write_filled, xlcheck
from layouts import printed, to_docx
from xlcheck.check import check_file
from xlcheck.model import flatten

pytest.importorskip("pypdfium2", reason="the pdf extra is not installed")
HUAIAN = REPORTS / "009.pdf"


def _row(*v):
    return dict(zip(["natural_person", "commercial", "research", "social_welfare", "legal_services", "other_org", "total"], v))


# 淮安市人民政府 2024, as a person reads the numbers off 009.txt (pdftotext -layout of the PDF)
HUAIAN_2024 = {
    "active": {"regulations": {"issued": 1, "repealed": 0, "in_force": 11},
               "normative_documents": {"issued": 8, "repealed": 26, "in_force": 66},
               "licensing": {"decisions": 447228}, "penalties": {"decisions": 3985758},
               "coercive_measures": {"decisions": 88283}, "fees": {"amount": 96171.6}},
    "requests": {
        "new": _row(3001, 53, 0, 0, 61, 4, 3119), "carried_over": _row(34, 0, 0, 0, 0, 0, 34),
        "granted": _row(1288, 21, 0, 0, 50, 3, 1362), "partially_granted": _row(447, 7, 0, 0, 0, 0, 454),
        "withheld_state_secret": _row(2, 0, 0, 0, 0, 0, 2), "withheld_prohibited_by_law": _row(30, 1, 0, 0, 0, 0, 31),
        "withheld_three_safeties": _row(5, 0, 0, 0, 0, 0, 5), "withheld_third_party": _row(6, 0, 0, 0, 0, 0, 6),
        "withheld_internal_affairs": _row(7, 1, 0, 0, 0, 0, 8), "withheld_deliberative": _row(12, 0, 0, 0, 0, 0, 12),
        "withheld_enforcement_files": _row(9, 0, 0, 0, 0, 0, 9), "withheld_inquiry": _row(105, 0, 0, 0, 0, 0, 105),
        "unavailable_not_held": _row(746, 12, 0, 0, 10, 1, 769), "unavailable_needs_creation": _row(11, 0, 0, 0, 0, 0, 11),
        "unavailable_unclear": _row(1, 0, 0, 0, 0, 0, 1),
        "rejected_petition": _row(56, 6, 0, 0, 0, 0, 62), "rejected_duplicate": _row(25, 0, 0, 0, 0, 0, 25),
        "rejected_publication": _row(0, 0, 0, 0, 0, 0, 0), "rejected_excessive": _row(0, 0, 0, 0, 0, 0, 0),
        "rejected_confirmation": _row(1, 0, 0, 0, 0, 0, 1),
        "other_no_correction": _row(67, 3, 0, 0, 1, 0, 71), "other_unpaid_fee": _row(6, 0, 0, 0, 0, 0, 6),
        "other_misc": _row(108, 2, 0, 0, 0, 0, 110),
        "results_total": _row(2932, 53, 0, 0, 61, 4, 3050), "carried_forward": _row(103, 0, 0, 0, 0, 0, 103),
    },
    "appeals": {"reconsideration": {"upheld": 72, "corrected": 64, "other": 178, "pending": 37, "total": 351},
                "litigation_direct": {"upheld": 13, "corrected": 4, "other": 8, "pending": 1, "total": 26},
                "litigation_after_reconsideration": {"upheld": 12, "corrected": 1, "other": 1, "pending": 6, "total": 20}},
}


def values(result):
    return {p: r.value for p, r in result.reads.items()}


def test_huaian_2024_reads_every_data_point_and_checks_clean():
    result = check_file(str(HUAIAN))
    assert result.status == "ok", result.error
    assert values(result) == flatten(HUAIAN_2024)
    assert result.findings == []
    assert (result.year, result.organ, result.edition) == (2024, "淮安市人民政府", "2021")


def test_pdf_to_filled_template(tmp_path):
    out = tmp_path / "filled.xlsx"
    result = xlcheck("verify", str(HUAIAN), "-o", str(out), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["files"][0]["output"] == str(out)
    again = check_file(str(out))
    assert values(again) == flatten(HUAIAN_2024) and again.findings == []


def test_pdf_from_a_workbook_reads_to_the_same_instance(soffice, tmp_path):
    src = write_filled(tmp_path / "wb.xlsx", SAMPLE_2021)
    pdf = convert(soffice, src, "pdf", tmp_path)
    assert values(check_file(str(pdf))) == values(check_file(str(src))) == flatten(SAMPLE_2021)


def test_pdf_from_a_word_file_reads_the_tables_and_the_prose(soffice, tmp_path):
    prose = "本年度新收政府信息公开申请27件，上年结转5件。"              # the table says 26
    doc = to_docx(tmp_path / "report.docx", "乐清市人民政府办公室2021年政府信息公开工作年度报告", printed("2021", SAMPLE_2021), prose)
    pdf = convert(soffice, doc, "pdf", tmp_path)
    from_pdf, from_docx = check_file(str(pdf)), check_file(str(doc))
    assert values(from_pdf) == values(from_docx) == flatten(SAMPLE_2021)
    assert [(f.rule, f.point, f.found, f.expected) for f in from_pdf.findings] == [("narrative.mismatch", "requests.new.total", 27, 26)]


def test_a_scanned_pdf_has_no_text_to_read(tmp_path):
    from PIL import Image
    scan = tmp_path / "scan.pdf"
    Image.new("RGB", (600, 800), "white").save(scan)
    result = xlcheck("verify", str(scan), "--format", "json")
    assert result.exit_code == 2
    doc = json.loads(result.stdout)["files"][0]
    assert doc["status"] == "error" and "没有文字层" in doc["error"]


def test_an_encrypted_pdf_is_refused(tmp_path):
    from pypdf import PdfReader, PdfWriter
    writer = PdfWriter()
    for page in PdfReader(HUAIAN).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    locked = tmp_path / "locked.pdf"
    with open(locked, "wb") as fh:
        writer.write(fh)
    result = xlcheck("verify", str(locked))
    assert result.exit_code == 2
    assert result.output == f"✗ {locked}：PDF 已加密（设有打开密码），无法读取其中的文字\n"


def test_pages_drawn_inside_form_xobjects_read_the_same(tmp_path):
    """Stamping and merging tools wrap a page's content in a form XObject: its rulings are read
    through the form's matrix."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw
    src, dst = pdfium.PdfDocument(str(HUAIAN)), pdfium.PdfDocument.new()
    for i in range(len(src)):
        xobject = raw.FPDF_NewXObjectFromPage(dst, src, i)
        page = dst.new_page(*src[i].get_size())
        raw.FPDFPage_InsertObject(page, raw.FPDF_NewFormObjectFromXObject(xobject))
        raw.FPDFPage_GenerateContent(page)
        raw.FPDF_CloseXObject(xobject)
    wrapped = tmp_path / "wrapped.pdf"
    dst.save(str(wrapped))
    result = check_file(str(wrapped))
    assert values(result) == flatten(HUAIAN_2024) and result.findings == []


def test_a_page_ruled_more_densely_than_any_table_is_refused(tmp_path):
    """Finding the tables compares rulings pairwise: bounded, a page ruled by 190 × 140 dotted lines
    (some 40,000 separate dashes) is refused with the one message for a source over a limit."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw
    doc = pdfium.PdfDocument.new()
    page = doc.new_page(595, 842)
    path = raw.FPDFPageObj_CreateNewPath(20, 20)
    dashes = [((x, y), (x + 1, y)) for y in range(20, 780, 4) for x in range(20, 580, 5)]
    dashes += [((x, y), (x, y + 1)) for x in range(22, 580, 4) for y in range(22, 780, 5)]
    for (x0, y0), (x1, y1) in dashes:
        raw.FPDFPath_MoveTo(path, x0, y0)
        raw.FPDFPath_LineTo(path, x1, y1)
    raw.FPDFPath_SetDrawMode(path, raw.FPDF_FILLMODE_NONE, True)
    raw.FPDFPage_InsertObject(page, path)
    raw.FPDFPage_GenerateContent(page)
    dense = tmp_path / "dense.pdf"
    doc.save(str(dense))
    result = xlcheck("verify", str(dense), "--format", "json")
    assert result.exit_code == 2
    assert "文件过大" in json.loads(result.stdout)["files"][0]["error"]
