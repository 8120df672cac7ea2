"""Explained warnings (核实说明): written on the 校验结果 sheet of an annotated copy or given in an
--explanations file, read back by the next check, kept when re-marking; errors cannot be
explained away and stale explanations are reported."""
import json

import openpyxl

from conftest import SAMPLE
from helpers import SAMPLE_2021, write_filled, xlcheck

WARNING = {"active.normative_documents.in_force": 10}       # 现行有效件数 below 本年制发件数 (17)
REASON = "机构改革，原文件由新机构重新制发"
RULE, POINT = "active.in_force_below_issued", "active.normative_documents.in_force"


def _explained_copy(tmp_path, changes=WARNING, text=REASON):
    """The annotated copy of a report with the warning, its 核实说明 written in by the clerk."""
    path = write_filled(tmp_path / "年报.xlsx", SAMPLE_2021, changes=changes)
    assert xlcheck("verify", path).exit_code in (0, 1)
    copy = tmp_path / "年报.checked.xlsx"
    wb = openpyxl.load_workbook(copy)
    ws = wb["校验结果"]
    header = [c.value for c in ws[1]]
    assert header[11:] == ["核实说明", "数据项"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 3).value in (RULE, "appeals.total"))
    ws.cell(row, 12).value = text
    wb.save(copy)
    return copy


def test_an_explained_warning_is_accepted_shown_and_kept(tmp_path):
    copy = _explained_copy(tmp_path)
    assert xlcheck("verify", write_filled(tmp_path / "b.xlsx", SAMPLE_2021, changes=WARNING), "--strict",
                   "--no-annotate").exit_code == 1                 # unexplained, --strict counts it
    r = xlcheck("verify", copy, "--strict", "-o", tmp_path / "again.xlsx")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0] == "✓ 年报.checked.xlsx（乐清市人民政府办公室 2021年度）：2021 年版，0 个错误，0 个警告，1 个已说明".replace(
        "年报.checked.xlsx", str(copy))
    assert lines[1].startswith(f"  已说明  主动公开!D6  {RULE}  二、主动公开政府信息情况 › 行政规范性文件 › 现行有效件数：")
    assert lines[2] == f"      核实说明：{REASON}"
    doc = json.loads(xlcheck("verify", copy, "--format", "json", "--no-annotate").stdout)
    (f,) = doc["files"][0]["findings"]
    assert (f["rule"], f["severity"], f["explanation"]) == (RULE, "info", REASON)
    assert doc["files"][0]["counts"] == {"error": 0, "warning": 0, "info": 1}
    ws = openpyxl.load_workbook(tmp_path / "again.xlsx")["校验结果"]     # re-marked: the explanation stays
    assert [ws["B2"].value, ws["C2"].value, ws["L2"].value, ws["M2"].value] == ["已说明", RULE, REASON, POINT]


def test_the_summary_shows_explained_warnings(tmp_path):
    copy = _explained_copy(tmp_path)
    summary = tmp_path / "s.xlsx"
    xlcheck("verify", copy, "--no-annotate", "--summary", summary)
    wb = openpyxl.load_workbook(summary)
    row = list(wb["汇总"].iter_rows(min_row=2, values_only=True))[0]
    assert row[4:8] == ("通过", 0, 0, 1)
    finding = list(wb["全部问题"].iter_rows(min_row=2, values_only=True))[0]
    assert (finding[2], finding[3], finding[13]) == ("已说明", RULE, REASON)


def test_an_error_cannot_be_explained_away(tmp_path):
    copy = _explained_copy(tmp_path, changes={"appeals.reconsideration.total": 2}, text="我们认为没错")
    r = xlcheck("verify", copy, "--no-annotate")
    assert r.exit_code == 1
    assert "  错误  复议诉讼!E6  appeals.total" in r.stdout
    assert "  注意：appeals.total（复议诉讼!E6）是强制性错误，核实说明不能免除，须改正" in r.stdout.splitlines()


def test_an_explanation_whose_warning_is_gone_is_reported_stale(tmp_path):
    copy = _explained_copy(tmp_path)
    wb = openpyxl.load_workbook(copy)
    wb["主动公开"]["D6"].value = 275                               # corrected: the warning no longer occurs
    wb.save(copy)
    r = xlcheck("verify", copy, "-o", tmp_path / "again.xlsx")
    assert r.exit_code == 0
    assert f"  注意：核实说明已失效：{RULE}（{POINT}）的警告已不再出现，说明「{REASON}」未保留" in r.stdout.splitlines()
    ws = openpyxl.load_workbook(tmp_path / "again.xlsx")["校验结果"]
    assert ws["L2"].value is None and ws["K2"].value == "未发现问题"


def test_an_explanations_file_for_a_published_report(tmp_path):
    report = tmp_path / "乐清2021.txt"                               # a report that is not a workbook
    report.write_text(SAMPLE.read_text(encoding="utf-8").replace("\t275\n", "\t10\n", 1), encoding="utf-8")
    plain = json.loads(xlcheck("verify", report, "--format", "json").stdout)["files"][0]
    assert [(f["rule"], f["severity"]) for f in plain["findings"]] == [(RULE, "warning")]
    given = tmp_path / "说明.json"
    given.write_text(json.dumps([{"organ": "乐清市人民政府办公室", "rule": RULE, "point": POINT, "text": REASON},
                                 {"file": "别的.txt", "rule": RULE, "point": POINT, "text": "不是这份"}], ensure_ascii=False),
                     encoding="utf-8")
    r = xlcheck("verify", report, "--format", "json", "--explanations", given, "--strict")
    doc = json.loads(r.stdout)["files"][0]
    assert [(f["rule"], f["severity"], f.get("explanation")) for f in doc["findings"]] == [(RULE, "info", REASON)]
    assert (doc["status"], r.exit_code) == ("ok", 0)
    by_file = tmp_path / "by-file.json"
    by_file.write_text(json.dumps({"explanations": [{"file": "乐清2021.txt", "rule": RULE, "point": POINT, "text": "按文件"}]},
                                  ensure_ascii=False), encoding="utf-8")
    doc = json.loads(xlcheck("verify", report, "--format", "json", "--explanations", by_file).stdout)["files"][0]
    assert [f.get("explanation") for f in doc["findings"]] == ["按文件"]


def test_yaml_needs_pyyaml(tmp_path):
    import importlib.util
    report = tmp_path / "乐清2021.txt"
    report.write_text(SAMPLE.read_text(encoding="utf-8").replace("\t275\n", "\t10\n", 1), encoding="utf-8")
    given = tmp_path / "说明.yaml"
    given.write_text(f"- organ: 乐清市人民政府办公室\n  rule: {RULE}\n  point: {POINT}\n  text: {REASON}\n", encoding="utf-8")
    r = xlcheck("verify", report, "--explanations", given, "--strict")
    if importlib.util.find_spec("yaml") is None:
        assert (r.exit_code, r.stderr) == (2, f"xlcheck：{given}：读取 YAML 需要 PyYAML（pip install pyyaml），或改用 JSON 格式\n")
    else:
        assert r.exit_code == 0 and f"      核实说明：{REASON}" in r.stdout


def test_a_bad_explanations_file_is_a_usage_error(tmp_path):
    path = write_filled(tmp_path / "年报.xlsx", SAMPLE_2021)
    bad = tmp_path / "x.json"
    bad.write_text('[{"rule": "a.b"}]', encoding="utf-8")
    r = xlcheck("verify", path, "--explanations", bad)
    assert (r.exit_code, r.stderr) == (2, f"xlcheck：{bad}：第 1 条核实说明须有 rule、text，以及 file 或 organ\n")
