"""Reading the tables wherever they are: other workbook layouts, .xls/.ods, and published
reports as text, HTML and Word, each read to the same instance."""
import json

import openpyxl
import pytest

from conftest import SAMPLE, convert
from helpers import SAMPLE_2021, write_filled, zero_instance, xlcheck
from layouts import printed, to_docx, to_html, to_sheet
from xlcheck.check import check_file
from xlcheck.model import flatten

TITLE = "乐清市人民政府办公室2021年政府信息公开工作年度报告"
PROSE = "2021年，我办共按时办理答复政府信息公开申请31件（包括年度新收26件，上年结转继续办理5件），其中被提起复议1件，被提起诉讼3件。"


def instance_of(result):
    return {p: r.value for p, r in result.reads.items()}


def assert_reads_sample(result, edition_values=SAMPLE_2021):
    assert result.status != "error", result.error
    assert instance_of(result) == flatten(edition_values)


def _save(wb, path):
    wb.save(path)
    return path


def test_all_tables_on_one_sheet_elsewhere_on_it(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "年报统计表"
    ws["B1"] = TITLE
    row = 4
    for key, (caption, cells) in printed("2021", SAMPLE_2021).items():
        row = to_sheet(ws, row, 3, caption, cells) + 3          # tables from column C, blank rows between
    result = check_file(str(_save(wb, tmp_path / "one-sheet.xlsx")))
    assert_reads_sample(result)
    assert result.findings == [] and (result.year, result.organ) == (2021, "乐清市人民政府办公室")


def test_tables_at_other_positions_with_multirow_merged_headers_and_a_blank_column(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active["A1"] = "本工作簿由某省系统导出"
    tables = printed("2021", SAMPLE_2021)
    for i, (key, (caption, cells)) in enumerate(tables.items()):
        ws = wb.create_sheet(f"表{i + 2}")
        to_sheet(ws, 7 + i * 3, 5 + i, caption, cells, blank_col=0 if key == "requests" else None)
    result = check_file(str(_save(wb, tmp_path / "spread.xlsx")))
    assert_reads_sample(result)
    assert result.findings == []
    # the findings land on the cells where the numbers are
    ws = wb["表3"]
    ws.cell(ws.max_row, 5 + 1 + 4 + 6).value = 3            # 四、结转下年度继续办理 · 总计
    result = check_file(str(_save(wb, tmp_path / "spread-bad.xlsx")))
    rules = {(f.rule, f.sheet, f.cell) for f in result.findings}
    assert ("requests.row_total", "表3", ws.cell(ws.max_row, 16).coordinate) in rules


def _altered(text):
    text = str(text)
    return (text.replace("（", "(").replace("）", ")").replace("不予公开", "不予\n公开")
            .replace("本年制发件数", "本年制发\n件数").replace("规章", "  规 章 "))


def test_labels_with_line_breaks_half_width_brackets_and_spaces(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    row = 2
    for key, (caption, cells) in printed("2021", SAMPLE_2021, label=_altered).items():
        row = to_sheet(ws, row, 1, caption, cells) + 1
    result = check_file(str(_save(wb, tmp_path / "altered.xlsx")))
    assert_reads_sample(result)
    assert result.findings == []          # whitespace and full/half-width forms are not alterations


def test_an_altered_label_is_a_warning_naming_the_printed_one(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    row = 1
    relabel = lambda t: {"行政规范性文件": "规范性文件", "现行有效件数": "现行有效件"}.get(t, t)
    for key, (caption, cells) in printed("2021", SAMPLE_2021, label=relabel).items():
        row = to_sheet(ws, row, 1, caption, cells) + 1
    result = check_file(str(_save(wb, tmp_path / "relabel.xlsx")))
    assert_reads_sample(result)
    altered = [f for f in result.findings if f.rule == "layout.label_altered"]
    assert {f.detail["zh"] for f in altered} == {"标签「规范性文件」与规定格式的「行政规范性文件」不一致",
                                                 "标签「现行有效件」与规定格式的「现行有效件数」不一致"}
    assert {f.rule for f in result.findings} == {"layout.label_altered"}


def test_extra_and_missing_rows(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    row = 1
    tables = printed("2021", SAMPLE_2021)
    for key, (caption, cells) in tables.items():
        if key == "requests":
            cells = [c for c in cells if c[4] != "2.重复申请" and not (c[0] == 19 and c[1] >= 3)]
        row = to_sheet(ws, row, 1, caption, cells) + 1
    ws.append(["合计", 1, 2, 3])          # not a row of any table: outside, so not reported
    result = check_file(str(_save(wb, tmp_path / "rows.xlsx")))
    missing = [f for f in result.findings if f.rule == "layout.missing_row"]
    assert [f.row for f in missing] == ["rejected_duplicate"] and missing[0].severity == "error"
    assert "没有找到数据行「2.重复申请」" in missing[0].message


def test_a_row_the_format_lacks_is_reported(tmp_path):
    text = SAMPLE.read_text(encoding="utf-8").replace(
        "\t（四）无法\n提供", "\t合计\n\t0\n\t0\n\t0\n\t0\n\t0\n\t0\n\t0\n\n\t\n\t（四）无法\n提供", 1)
    path = tmp_path / "extra.txt"
    path.write_text(text, encoding="utf-8")
    result = check_file(str(path))
    assert [(f.rule, f.severity) for f in result.findings] == [("layout.extra_row", "warning")]
    assert "合计" in result.findings[0].message


# ------------------------------------------------------------ published reports


def test_sample_report_text_verifies_clean():
    result = xlcheck("verify", str(SAMPLE), "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["files"][0]["findings"] == [] and doc["files"][0]["status"] == "ok"
    assert check_file(str(SAMPLE)).year == 2021


def test_sample_as_text_html_and_docx_give_the_same_instance(tmp_path):
    from_text = check_file(str(SAMPLE))
    assert_reads_sample(from_text)
    tables = printed("2021", SAMPLE_2021)
    page = tmp_path / "report.html"
    page.write_text(to_html(TITLE, tables, PROSE), encoding="utf-8")
    from_html = check_file(str(page))
    assert instance_of(from_html) == instance_of(from_text)
    assert from_html.findings == [] and from_html.year == 2021
    word = to_docx(tmp_path / "report.docx", TITLE, tables, PROSE)
    from_docx = check_file(str(word))
    assert instance_of(from_docx) == instance_of(from_text)
    assert from_docx.findings == []


def test_html_with_escaped_quotes_as_pages_embed_it(tmp_path):
    html = to_html(TITLE, printed("2021", SAMPLE_2021)).replace('"', '\\"').replace("'", '\\"')
    page = tmp_path / "escaped.html"
    page.write_text(html, encoding="utf-8")
    assert_reads_sample(check_file(str(page)))


def test_filled_template_from_a_report(tmp_path):
    out = tmp_path / "filled.xlsx"
    text = SAMPLE.read_text(encoding="utf-8").replace("\t16\n\t1\n\t0\n\t0\n\t0\n\t0\n\t17", "\t16\n\t1\n\t0\n\t0\n\t0\n\t0\n\t18", 1)
    src = tmp_path / "r.txt"
    src.write_text(text, encoding="utf-8")
    result = xlcheck("verify", str(src), "-o", str(out), "--format", "json")
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    assert doc["files"][0]["output"] == str(out)
    wb = openpyxl.load_workbook(out)
    names = {n: list(wb.defined_names[n].destinations)[0] for n in ("requests.granted.total", "requests.new.natural_person")}
    sheet, ref = names["requests.granted.total"]
    assert wb[sheet][ref.replace("$", "")].value == 18
    assert "\n（requests.row_total）" in wb[sheet][ref.replace("$", "")].comment.text
    sheet, ref = names["requests.new.natural_person"]
    assert wb[sheet][ref.replace("$", "")].value == 20
    finding = next(f for f in doc["files"][0]["findings"] if f["rule"] == "requests.row_total")
    assert finding["line"] and (finding["sheet"], finding["cell"]) == ("依申请公开", "J8")


def _mutate(tmp_path, old, new, count=1):
    text = SAMPLE.read_text(encoding="utf-8")
    assert text.count(old) >= count
    path = tmp_path / "m.txt"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return {(f.rule, f.point) for f in check_file(str(path)).findings}


def test_mutation_wrong_total(tmp_path):
    got = _mutate(tmp_path, "\t16\n\t1\n\t0\n\t0\n\t0\n\t0\n\t17", "\t16\n\t1\n\t0\n\t0\n\t0\n\t0\n\t18")
    assert got == {("requests.row_total", "requests.granted.total"), ("requests.results_total", "requests.results_total.total")}


def test_mutation_broken_balance(tmp_path):
    got = _mutate(tmp_path, "\t四、结转下年度继续办理\n\t1\n\t1\n\t0\n\t0\n\t0\n\t0\n\t2", "\t四、结转下年度继续办理\n\t2\n\t1\n\t0\n\t0\n\t0\n\t0\n\t3")
    assert got == {("requests.balance", "requests.carried_forward.natural_person"),
                   ("requests.balance", "requests.carried_forward.total")}


def test_mutation_prose_disagrees(tmp_path):
    got = _mutate(tmp_path, "年度新收26件", "年度新收25件")
    assert got == {("narrative.mismatch", "requests.new.total")}
    got = _mutate(tmp_path, "被提起诉讼3件", "被提起诉讼4件")
    assert got == {("narrative.mismatch", "appeals.litigation_direct.total")}


@pytest.mark.parametrize("sentence, point", [
    ("本年度新收政府信息公开申请27件。", "requests.new.total"),
    ("上年结转政府信息公开申请6件。", "requests.carried_over.total"),
    ("结转下年度继续办理政府信息公开申请3件。", "requests.carried_forward.total"),
    ("被申请行政复议2件。", "appeals.reconsideration.total"),
    ("被提起行政诉讼5件。", "appeals.litigation_direct.total"),
    ("共办理政府信息公开申请30件。", "requests.new.total"),
])
def test_prose_phrasings(tmp_path, sentence, point):
    got = _mutate(tmp_path, "六、其他需要报告的事项\n", f"六、其他需要报告的事项\n{sentence}\n")
    assert got == {("narrative.mismatch", point)}


def test_prose_that_agrees_or_says_nothing_is_no_finding(tmp_path):
    assert _mutate(tmp_path, "六、其他需要报告的事项\n", "六、其他需要报告的事项\n被申请行政复议1件，结转下年度继续办理2件。\n") == set()


def test_2022_report_in_the_2019_edition_is_outdated(tmp_path):
    values = zero_instance("2019")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "某区人民政府2022年政府信息公开工作年度报告"
    row = 3
    for key, (caption, cells) in printed("2019", values).items():
        row = to_sheet(ws, row, 1, caption, cells) + 1
    result = check_file(str(_save(wb, tmp_path / "old.xlsx")))
    assert result.edition == "2019" and result.year == 2022
    assert [f.rule for f in result.findings] == ["edition.outdated"]
    assert result.findings[0].severity == "error" and result.status == "invalid"


def test_mixed_editions(tmp_path):
    text = SAMPLE.read_text(encoding="utf-8").replace("\t本年废止件数", "\t本年新公开数量", 1)
    path = tmp_path / "mixed.txt"
    path.write_text(text, encoding="utf-8")
    result = check_file(str(path))
    assert "edition.mixed" in {f.rule for f in result.findings}


def test_a_table_that_cannot_be_found_is_a_finding_not_zeros(tmp_path):
    text = SAMPLE.read_text(encoding="utf-8")
    cut = text[: text.index("四、政府信息公开行政复议")] + text[text.index("五、存在的主要问题"):]
    path = tmp_path / "cut.txt"
    path.write_text(cut, encoding="utf-8")
    result = check_file(str(path))
    missing = [f for f in result.findings if f.rule == "layout.missing_row"]
    assert len(missing) == 1 and "四、政府信息公开行政复议、行政诉讼情况" in missing[0].message
    assert not any(p.startswith("appeals.") for p in result.reads)


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_xls_and_ods_saved_by_libreoffice(soffice, tmp_path, fmt):
    src = write_filled(tmp_path / "src.xlsx", SAMPLE_2021, changes={"appeals.reconsideration.total": 2})
    converted = convert(soffice, src, fmt, tmp_path)
    result = xlcheck("verify", str(converted), "--format", "json")
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    (f,) = doc["files"]
    assert f["status"] == "invalid" and [x["rule"] for x in f["findings"]] == ["appeals.total"]
    out = tmp_path / "src.checked.xlsx"
    assert f["output"] == str(out)
    wb = openpyxl.load_workbook(out)
    assert "\n（appeals.total）" in wb["复议诉讼"]["E6"].comment.text


def test_xlsm_keeps_its_macros(tmp_path):
    import zipfile
    src = write_filled(tmp_path / "m.xlsx", SAMPLE_2021, changes={"appeals.reconsideration.total": 2})
    xlsm = tmp_path / "m.xlsm"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(xlsm, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
                data = data.replace(b"<Default Extension=\"xml\"", b"<Default Extension=\"bin\" ContentType=\"application/vnd.ms-office.vbaProject\"/><Default Extension=\"xml\"")
            if item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b"<Relationship Id=\"rIdVBA\" Type=\"http://schemas.microsoft.com/office/2006/relationships/vbaProject\" Target=\"vbaProject.bin\"/></Relationships>")
            zout.writestr(item, data)
        zout.writestr("xl/vbaProject.bin", b"VBA-PROJECT-BYTES")
    result = xlcheck("verify", str(xlsm))
    assert result.exit_code == 1
    out = tmp_path / "m.checked.xlsm"
    with zipfile.ZipFile(out) as z:
        assert z.read("xl/vbaProject.bin") == b"VBA-PROJECT-BYTES"


def test_labels_spanning_columns_without_merged_areas(tmp_path):
    """As a live workbook is seen through the remote engine: no merge information at all."""
    wb = openpyxl.Workbook()
    ws = wb.active
    row = 1
    values = dict(flatten(SAMPLE_2021), **{"requests.granted.research": None, "requests.granted.social_welfare": None})
    for key, (caption, cells) in printed("2021", values).items():
        row = to_sheet(ws, row, 1, caption, cells, merge=False) + 1
    result = check_file(str(_save(wb, tmp_path / "nomerge.xlsx")))
    expected = dict(flatten(SAMPLE_2021), **{"requests.granted.research": 0, "requests.granted.social_welfare": 0})
    assert instance_of(result) == expected
    assert {(f.rule, f.point) for f in result.findings} == {("cell.blank", "requests.granted.research"),
                                                          ("cell.blank", "requests.granted.social_welfare")}


def test_digits_run_together_are_reported_not_guessed(tmp_path):
    from conftest import REPORTS
    result = check_file(str(REPORTS / "002.txt"))
    assert result.status == "error" and "连在一起" in result.error and "其他对外管理服务事项100153" in result.error


def test_word_binary_files_are_refused_with_save_as_docx(soffice, tmp_path):
    """A Word 97–2003 file written by LibreOffice — under its own suffix, as WPS 文字's .wps, or
    misnamed .xls — is refused with what to do, not a message about .xls or a library error."""
    docx = to_docx(tmp_path / "report.docx", TITLE, printed("2021", SAMPLE_2021))
    doc = convert(soffice, docx, "doc", tmp_path)
    for name in ("年报.doc", "年报.wps", "年报.xls"):
        path = tmp_path / name
        path.write_bytes(doc.read_bytes())
        result = xlcheck("verify", path, "--format", "json")
        assert result.exit_code == 2
        (f,) = json.loads(result.stdout)["files"]
        assert (f["status"], f["error"]) == (
            "error", f"{path}：这是 Word 97–2003 或 WPS 文字的二进制文件，无法读取其中的表格；请另存为 .docx 后再校验")
