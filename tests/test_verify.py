"""`xlcheck verify` end to end: build workbooks, run the CLI, read the outputs back."""
import json

import openpyxl
import pytest

from helpers import SAMPLE_2021, write_filled, zero_instance, xlcheck


def run(*args):
    return xlcheck("verify", *args)


def run_json(*args):
    result = run(*args, "--format", "json")
    return result, json.loads(result.stdout)


def comments(path):
    """{(sheet, cell): comment text} of every comment in the workbook."""
    wb = openpyxl.load_workbook(path)
    return {(ws.title, c.coordinate): c.comment.text for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.comment}


def test_sample_numbers_verify_clean(tmp_path):
    src = write_filled(tmp_path / "乐清2021.xlsx", SAMPLE_2021)
    result, doc = run_json(src)
    assert result.exit_code == 0, result.output
    (f,) = doc["files"]
    assert (f["status"], f["edition"], f["findings"]) == ("ok", "2021", [])
    assert f["output"] == str(tmp_path / "乐清2021.checked.xlsx")


# (rule, changes, edition, {(rule, cell)} every finding expected, the cell of `rule`, found, expected)
RULE_CASES = [
    ("requests.row_total", {"requests.granted.total": 18}, "2021",
     {("requests.row_total", "J8"), ("requests.results_total", "J29")}, "J8", 18, 17),
    ("requests.results_total", {"requests.results_total.natural_person": 25}, "2021",
     {("requests.results_total", "D29"), ("requests.row_total", "J29"), ("requests.balance", "D30")}, "D29", 25, 24),
    ("requests.balance", {"requests.carried_forward.natural_person": 2}, "2021",
     {("requests.balance", "D30"), ("requests.row_total", "J30")}, "D30", 2, 1),
    ("appeals.total", {"appeals.reconsideration.total": 2}, "2021", {("appeals.total", "E6")}, "E6", 2, 1),
    ("active.in_force_below_issued", {"active.normative_documents.in_force": 10}, "2021",
     {("active.in_force_below_issued", "D6")}, "D6", 10, 17),
    ("cell.type", {"active.fees.amount": "abc"}, "2021", {("cell.type", "B16")}, "B16", "abc", None),
    ("cell.blank", {"active.licensing.decisions": None}, "2021", {("cell.blank", "B9")}, "B9", 0, None),
    ("cell.placeholder", {"active.penalties.decisions": "/"}, "2021", {("cell.placeholder", "B12")}, "B12", 0, None),
    ("cell.text_number", {"requests.new.total": "２６"}, "2021", {("cell.text_number", "J6")}, "J6", 26, None),
    ("active.published_above_total", {"active.normative_documents.newly_published": 9,
                                      "active.normative_documents.total_published": 5}, "2019",
     {("active.published_above_total", "C6")}, "C6", 9, 5),
    ("active.items_negative", {"active.licensing.prior_items": 2, "active.licensing.change": -5}, "2019",
     {("active.items_negative", "B9")}, "B9", -3, 0),
]


@pytest.mark.parametrize("rule, changes, edition, expected, cell, found, want", RULE_CASES, ids=[c[0] for c in RULE_CASES])
def test_one_wrong_cell_gives_exactly_the_expected_finding(tmp_path, rule, changes, edition, expected, cell, found, want):
    base = SAMPLE_2021 if edition == "2021" else zero_instance("2019")
    src = write_filled(tmp_path / "r.xlsx", base, edition=edition, year=2021 if edition == "2021" else 2020, changes=changes)
    result, doc = run_json(src)
    findings = doc["files"][0]["findings"]
    assert {(f["rule"], f["cell"]) for f in findings} == expected
    (hit,) = [f for f in findings if f["rule"] == rule]
    assert (hit["cell"], hit["found"], hit["expected"]) == (cell, found, want)
    severity = hit["severity"]
    assert result.exit_code == (1 if any(f["severity"] == "error" for f in findings) else 0)
    # read the annotated copy back: the comment and the fill are on exactly that cell
    out = doc["files"][0]["output"]
    marks = comments(out)
    sheet = hit["sheet"]
    assert marks[(sheet, cell)].startswith("[xlcheck] ") and f"\n（{rule}）" in marks[(sheet, cell)]
    ruled = {c for (_, c), text in marks.items() if any(f"\n（{r}）" in text for r, _ in expected)}
    assert ruled == {c for _, c in expected}
    wb = openpyxl.load_workbook(out)
    assert wb[sheet][cell].fill.fgColor.rgb == ("FFFFC7CE" if severity == "error" else "FFFFEB9C")


def test_row_total_message_in_chinese_and_english(tmp_path):
    src = write_filled(tmp_path / "m.xlsx", SAMPLE_2021, changes={"requests.new.total": 25})
    _, doc = run_json(src, "--no-annotate")
    hit = next(f for f in doc["files"][0]["findings"] if f["rule"] == "requests.row_total")
    assert "总计应为 26（= 20 + 6 + 0 + 0 + 0 + 0），实际为 25，差 -1" in hit["message"]
    assert hit["row_label"] == "一、本年新收政府信息公开申请数量" and hit["column_label"] == "总计"
    assert [(o["cell"], o["value"]) for o in hit["operands"]] == [("D6", 20), ("E6", 6), ("F6", 0), ("G6", 0), ("H6", 0), ("I6", 0)]
    assert hit["difference"] == -1
    _, doc = run_json(src, "--no-annotate", "--lang", "en")
    hit = next(f for f in doc["files"][0]["findings"] if f["rule"] == "requests.row_total")
    assert "should be 26 (= 20 + 6 + 0 + 0 + 0 + 0), found 25, difference -1" in hit["message"]


def test_balance_message_names_the_printed_rows(tmp_path):
    src = write_filled(tmp_path / "b.xlsx", SAMPLE_2021, changes={"requests.carried_forward.natural_person": 2,
                                                                  "requests.carried_forward.total": 3})
    _, doc = run_json(src, "--no-annotate")
    (hit,) = [f for f in doc["files"][0]["findings"] if f["rule"] == "requests.balance" and f["cell"] == "D30"]
    assert "四、结转下年度继续办理应为 1（= 20 + 5 − 24），实际为 2，差 +1" in hit["message"]
    assert {o["point"] for o in hit["operands"]} == {"requests.new.natural_person", "requests.carried_over.natural_person",
                                                    "requests.results_total.natural_person"}


def test_table_empty_is_reported_once_instead_of_blank_warnings(tmp_path):
    blanks = {f"appeals.{r}.{c}": None for r in ("reconsideration", "litigation_direct", "litigation_after_reconsideration")
              for c in ("upheld", "corrected", "other", "pending", "total")}
    src = write_filled(tmp_path / "e.xlsx", SAMPLE_2021, changes=blanks)
    result, doc = run_json(src, "--no-annotate")
    findings = doc["files"][0]["findings"]
    assert [(f["rule"], f["cell"]) for f in findings] == [("table.empty", "A6")]
    # about the table, not its first cell's row and column, and the table named once
    assert (findings[0]["table"], findings[0]["row"], findings[0]["column"]) == ("appeals", None, None)
    assert findings[0]["message"] == ("四、政府信息公开行政复议、行政诉讼情况：整张表没有填写（所有单元格为空或为占位符；没有的应填 0）")
    assert result.exit_code == 1


def test_all_zeros_is_a_valid_answer(tmp_path):
    src = write_filled(tmp_path / "z.xlsx", zero_instance("2021"))
    result, doc = run_json(src, "--no-annotate")
    assert result.exit_code == 0 and doc["files"][0]["findings"] == []


def test_uncalculated_sum_formulas_are_warned_and_evaluated(tmp_path):
    # openpyxl writes formulas without cached values, like any program that does not calculate
    src = write_filled(tmp_path / "f.xlsx", SAMPLE_2021, formulas=True,
                       changes={"requests.results_total.natural_person": "=SUM(D8:D28)"})
    result, doc = run_json(src, "--no-annotate")
    findings = doc["files"][0]["findings"]
    assert findings and {f["rule"] for f in findings} == {"cell.formula_not_calculated"}
    assert result.exit_code == 0
    j6 = next(f for f in findings if (f["sheet"], f["cell"]) == ("依申请公开", "J6"))
    assert j6["found"] == 26 and "SUM(D6:I6)" in j6["message"]
    # a wrong part under a formula total is still caught on the total
    src = write_filled(tmp_path / "g.xlsx", SAMPLE_2021, formulas=True, changes={"requests.new.total": "=D6*2"})
    _, doc = run_json(src, "--no-annotate")
    j6 = [f for f in doc["files"][0]["findings"] if (f["sheet"], f["cell"]) == ("依申请公开", "J6")]
    assert [f["rule"] for f in j6] == ["cell.formula_not_calculated"] and "未校验" in j6[0]["message"]


def test_warnings_alone_exit_0_and_strict_makes_them_errors(tmp_path):
    src = write_filled(tmp_path / "w.xlsx", SAMPLE_2021, changes={"active.licensing.decisions": None})
    assert run(src, "--no-annotate").exit_code == 0
    assert run(src, "--no-annotate", "--strict").exit_code == 1


def test_severity_override_from_the_command_line(tmp_path):
    src = write_filled(tmp_path / "s.xlsx", SAMPLE_2021, changes={"appeals.reconsideration.total": 2})
    assert run(src, "--no-annotate").exit_code == 1
    _, doc = run_json(src, "--no-annotate", "--severity", "appeals.total=warning")
    assert doc["files"][0]["findings"][0]["severity"] == "warning"
    _, doc = run_json(src, "--no-annotate", "--severity", "appeals.total=off")
    assert doc["files"][0]["findings"] == []
    assert run(src, "--severity", "appeals.total=fatal").exit_code == 2


def test_console_summary_in_chinese(tmp_path):
    src = write_filled(tmp_path / "c.xlsx", SAMPLE_2021, changes={"appeals.reconsideration.total": 2})
    result = run(src, "--no-annotate")
    assert result.exit_code == 1
    assert "1 个错误，0 个警告" in result.output
    assert "复议诉讼!E6" in result.output and "appeals.total" in result.output
    assert "\x1b[" not in result.output        # no colour when stdout is not a terminal


def test_several_files_each_on_its_own_and_exit_code_is_the_highest(tmp_path):
    good = write_filled(tmp_path / "good.xlsx", SAMPLE_2021)
    bad = write_filled(tmp_path / "bad.xlsx", SAMPLE_2021, changes={"appeals.reconsideration.total": 2})
    result, doc = run_json(good, bad, tmp_path / "missing.xlsx", "--no-annotate")
    assert [f["status"] for f in doc["files"]] == ["ok", "invalid", "error"]
    assert result.exit_code == 2
    result, doc = run_json(good, bad, "--no-annotate")
    assert result.exit_code == 1


# ------------------------------------------------------------ outputs and the input file


def test_input_is_never_modified_and_annotated_copy_is_beside_it(tmp_path):
    src = write_filled(tmp_path / "in.xlsx", SAMPLE_2021, changes={"appeals.reconsideration.total": 2})
    before = src.read_bytes()
    run(src)
    assert src.read_bytes() == before
    assert (tmp_path / "in.checked.xlsx").exists()
    run(src, "--no-annotate")
    assert src.read_bytes() == before
    out = tmp_path / "chosen.xlsx"
    run(src, "-o", out)
    assert out.exists() and "\n（appeals.total）" in comments(out)[("复议诉讼", "E6")]
    assert not list(tmp_path.glob(".*.tmp"))      # no temporary files left behind


def test_no_annotate_writes_nothing(tmp_path):
    src = write_filled(tmp_path / "n.xlsx", SAMPLE_2021, changes={"appeals.reconsideration.total": 2})
    run(src, "--no-annotate")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n.xlsx"]


def test_in_place_keeps_a_backup(tmp_path):
    src = write_filled(tmp_path / "p.xlsx", SAMPLE_2021, changes={"appeals.reconsideration.total": 2})
    before = src.read_bytes()
    result = run(src, "--in-place")
    assert result.exit_code == 1
    assert (tmp_path / "p.xlsx.bak").read_bytes() == before
    assert "\n（appeals.total）" in comments(src)[("复议诉讼", "E6")]


def test_reannotation_replaces_own_marks_and_keeps_the_users(tmp_path):
    src = write_filled(tmp_path / "u.xlsx", SAMPLE_2021, changes={"appeals.reconsideration.total": 2,
                                                                  "requests.granted.total": 18})
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill
    wb = openpyxl.load_workbook(src)
    wb["复议诉讼"]["A3"].comment = Comment("用户自己的批注", "张三")       # a cell xlcheck never marks
    wb["复议诉讼"]["E6"].comment = Comment("已与法制科核对", "李四")       # a cell xlcheck marks
    wb["复议诉讼"]["E6"].fill = PatternFill("solid", fgColor="FF00B0F0")
    wb["主动公开"]["B5"].fill = PatternFill("solid", fgColor="FF92D050")
    wb.save(src)
    first = tmp_path / "u.checked.xlsx"
    run(src)
    marks = comments(first)
    assert marks[("复议诉讼", "A3")] == "用户自己的批注"
    assert marks[("复议诉讼", "E6")] == "已与法制科核对"          # the user's comment is never touched …
    wb = openpyxl.load_workbook(first)
    assert wb["复议诉讼"]["E6"].fill.fgColor.rgb == "FFFFC7CE"          # … the cell is filled …
    assert "复议诉讼!E6" in [r[6] for r in wb["校验结果"].iter_rows(values_only=True)]   # … and the finding listed
    # fix one error in the annotated copy and verify it again, in place
    wb = openpyxl.load_workbook(first)
    wb["复议诉讼"]["E6"] = 1
    wb.save(first)
    run(first, "--in-place")
    marks = comments(first)
    assert marks[("复议诉讼", "E6")] == "已与法制科核对"
    assert marks[("复议诉讼", "A3")] == "用户自己的批注"
    ours = {k for k, t in marks.items() if t.startswith("[xlcheck]")}
    assert ours == {("依申请公开", "J8"), ("依申请公开", "J29")}                 # once each
    assert marks[("依申请公开", "J8")].count("（requests.row_total）") == 1
    wb = openpyxl.load_workbook(first)
    assert wb["复议诉讼"]["E6"].fill.fgColor.rgb == "FF00B0F0"
    assert wb["主动公开"]["B5"].fill.fgColor.rgb == "FF92D050"
    assert wb.sheetnames.count("校验结果") == 1
    ws = wb["依申请公开"]
    assert ws.protection.sheet and ws.data_validations.dataValidation
    assert "requests.new.natural_person" in wb.defined_names
    results = list(wb["校验结果"].iter_rows(min_row=2, values_only=True))
    assert results[0][1] == "诊断"                        # the diagnosis leads
    assert [r[6] for r in results[1:]] == ["依申请公开!J8", "依申请公开!J29"]
    assert wb["校验结果"]["G3"].hyperlink.location == "'依申请公开'!J8"


def test_clear_removes_every_mark(tmp_path):
    src = write_filled(tmp_path / "c.xlsx", SAMPLE_2021, changes={"appeals.reconsideration.total": 2})
    run(src)
    out = tmp_path / "c.checked.xlsx"
    result = xlcheck("clear", str(out))
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    assert "校验结果" not in wb.sheetnames and "_xlcheck" not in wb.sheetnames
    assert comments(out) == {}
    assert wb["复议诉讼"]["E6"].fill.fgColor.rgb == "00000000"


# ------------------------------------------------------------ bad input


def _bad_inputs(tmp_path):
    from helpers import SAMPLE_2021
    good = write_filled(tmp_path / "good.xlsx", SAMPLE_2021)
    (tmp_path / "empty.xlsx").write_bytes(b"")
    (tmp_path / "random.xlsx").write_bytes(bytes(range(256)) * 40)
    data = good.read_bytes()
    (tmp_path / "truncated.xlsx").write_bytes(data[: len(data) // 2])
    (tmp_path / "table.xlsx").write_text("名称,数量\n新收,26\n", encoding="utf-8")
    import zipfile
    with zipfile.ZipFile(tmp_path / "word.xlsx", "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    wb = openpyxl.Workbook()
    wb.active["A1"] = "与统计表无关的内容"
    wb.save(tmp_path / "unrelated.xlsx")
    import io
    from msoffcrypto.format.ooxml import OOXMLFile
    enc = io.BytesIO()
    OOXMLFile(open(good, "rb")).encrypt("secret", enc)
    (tmp_path / "locked.xlsx").write_bytes(enc.getvalue())
    (tmp_path / "folder.xlsx").mkdir()
    return {
        "empty.xlsx": "文件为空", "random.xlsx": "不是 Excel 工作簿", "truncated.xlsx": "损坏或不完整",
        "table.xlsx": "CSV", "word.xlsx": "Word 文档", "unrelated.xlsx": "没有找到统计表",
        "locked.xlsx": "密码", "missing.xlsx": "文件不存在", "folder.xlsx": "目录",
    }


def test_every_bad_input_gets_one_chinese_line_and_the_batch_goes_on(tmp_path):
    expected = _bad_inputs(tmp_path)
    args = [tmp_path / name for name in expected] + [tmp_path / "good.xlsx"]
    result = run(*args, "--no-annotate")
    assert result.exit_code == 2
    lines = result.output.splitlines()
    for name, reason in expected.items():
        mine = [l for l in lines if name in l]
        assert len(mine) == 1, (name, mine)
        assert reason in mine[0], (name, mine[0])
    assert any("good.xlsx" in l and "未发现问题" in l for l in lines)
    _, doc = run_json(*args, "--no-annotate")
    # an empty folder is listed as not checked (「目录中没有可校验的文件」), not as a file
    assert [f["status"] for f in doc["files"]] == ["error"] * (len(expected) - 1) + ["ok"]
    assert doc["skipped"] == [{"path": str(tmp_path / "folder.xlsx"), "reason": "目录中没有可校验的文件"}]


def test_zip_bomb_is_refused_before_parsing(tmp_path):
    import zipfile
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    result = run(bomb)
    assert result.exit_code == 2 and "压缩炸弹" in result.output


def test_usage_problems_exit_2(tmp_path):
    src = write_filled(tmp_path / "x.xlsx", SAMPLE_2021)
    assert run(src, "--in-place", "--no-annotate").exit_code == 2
    assert run(src, src, "-o", tmp_path / "nodir" / "o.xlsx").exit_code == 2
    assert run(src, "--edition", "1999").exit_code == 2


def test_a_custom_schema_without_xlchecks_own_rules_gets_their_shipped_severity(tmp_path):
    """A province's schema lists only its own rules; a report whose table has labels but no
    numbers is `table.empty` at the severity the shipped editions give it (it used to end in
    「内部错误（KeyError: 'table.empty'）」)."""
    from test_template import INVENTED
    schema = tmp_path / "fruit.schema.json"
    schema.write_text(json.dumps(INVENTED, ensure_ascii=False), encoding="utf-8")
    report = tmp_path / "fruit.txt"
    report.write_text("2025年水果情况统计报告\n\n品种 | 春季 | 秋季\n苹果\n梨\n合计\n", encoding="utf-8")
    result = xlcheck("verify", report, "--schema", schema, "--format", "json")
    assert result.exit_code == 1, result.output
    (f,) = json.loads(result.stdout)["files"][0]["findings"]
    assert (f["rule"], f["severity"], f["table"], f["table_label"]) == ("table.empty", "error", "fruit", "一、水果情况")
