"""Many reports at once: folders, summaries, last year's report, parallel runs."""
import csv
import json

import openpyxl
import pytest

from helpers import SAMPLE_2021, write_filled, xlcheck
from xlcheck.batch import expand


def run(*args):
    return xlcheck("verify", *args)


def _folder(tmp_path):
    units = tmp_path / "units"
    (units / "乡镇").mkdir(parents=True)
    write_filled(units / "甲局2024.xlsx", SAMPLE_2021, year=2024, organ="甲局")
    write_filled(units / "乡镇" / "乙镇2024.xlsx", SAMPLE_2021, year=2024, organ="乙镇", changes={"appeals.reconsideration.total": 2})
    (units / "丙办2024.xlsx").write_bytes(b"not a workbook at all")
    (units / "说明.md").write_text("not checked", encoding="utf-8")
    (units / "~$甲局2024.xlsx").write_bytes(b"lock")
    return units


def test_a_folder_gives_summary_rows_and_the_highest_exit_code(tmp_path):
    units = _folder(tmp_path)
    summary = tmp_path / "汇总.xlsx"
    result = run(units, "--summary", summary, "--jobs", "1")
    assert result.exit_code == 2
    wb = openpyxl.load_workbook(summary)
    rows = list(wb["汇总"].iter_rows(values_only=True))
    assert rows[0][:7] == ("文件", "机关", "报告年度", "版本", "状态", "错误数", "警告数")
    by_file = {r[0].split("/")[-1]: r for r in rows[1:]}
    assert set(by_file) == {"丙办2024.xlsx", "甲局2024.xlsx", "乙镇2024.xlsx", "说明.md"}
    assert by_file["说明.md"][4:10] == ("未校验", None, None, None, None, "不是 xlcheck 能读取的文件类型（.md）")
    assert by_file["甲局2024.xlsx"][1:7] == ("甲局", 2024, "2021", "通过", 0, 0)
    assert by_file["乙镇2024.xlsx"][1:7] == ("乙镇", 2024, "2021", "有错误", 1, 0)
    assert "复议诉讼!E6" in by_file["乙镇2024.xlsx"][9]
    assert by_file["丙办2024.xlsx"][4] == "无法校验" and "不是 Excel 工作簿" in by_file["丙办2024.xlsx"][9]
    link = wb["汇总"].cell([r[0] for r in rows].index(by_file["乙镇2024.xlsx"][0]) + 1, 12)
    assert link.value.endswith("乙镇2024.checked.xlsx") and link.hyperlink.target == "units/乡镇/乙镇2024.checked.xlsx"
    details = list(wb["全部问题"].iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[3], r[8]) for r in details] == [("乙镇", "appeals.total", "E6")]
    # annotated copies are not picked up as inputs next time
    again = run(units, "--no-annotate", "--format", "json")
    assert len(json.loads(again.stdout)["files"]) == 3


def test_csv_summary_escapes_formulas(tmp_path):
    from conftest import SAMPLE
    units = tmp_path / "u"
    units.mkdir()
    text = SAMPLE.read_text(encoding="utf-8").replace("乐清市人民政府办公室\n", '=HYPERLINK("x")\n', 1)
    wrong = "\t16\n\t1\n\t0\n\t0\n\t0\n\t0\n\t17"
    assert wrong in text
    (units / "a.txt").write_text(text.replace(wrong, wrong[:-2] + "18", 1), encoding="utf-8")
    out = tmp_path / "s.csv"
    run(units, "--summary", out, "--no-annotate")
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[1][1] == "'=HYPERLINK(\"x\")"
    findings = list(csv.reader((tmp_path / "s-findings.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert findings[1][1] == "'=HYPERLINK(\"x\")"
    assert [(r[3], r[9], r[10], r[11]) for r in findings[1:]] == [("requests.row_total", "18", "17", "1"),
                                                                  ("requests.results_total", "29", "30", "-1")]
    assert findings[2][12].startswith("三、") and rows[1][9].startswith("第 ")


def test_jobs_2_and_jobs_1_give_identical_json(tmp_path):
    units = _folder(tmp_path)
    for i in range(4):
        write_filled(units / f"extra{i}.xlsx", SAMPLE_2021, changes={"requests.granted.total": 17 + i})
    one = run(units, "--no-annotate", "--format", "json", "--jobs", "1")
    two = run(units, "--no-annotate", "--format", "json", "--jobs", "2")
    assert json.loads(one.stdout) == json.loads(two.stdout)
    assert one.stdout == two.stdout and one.exit_code == two.exit_code == 2
    assert [f["path"] for f in json.loads(one.stdout)["files"]] == expand([str(units)])


def test_previous_catches_a_mismatched_carried_over_on_the_exact_cells(tmp_path):
    last = write_filled(tmp_path / "2023.xlsx", SAMPLE_2021, year=2023)            # 结转下年度: 1, 1, 0 … 2
    changes = {"requests.carried_over.natural_person": 1, "requests.carried_over.commercial": 1, "requests.carried_over.total": 2,
               "requests.new.natural_person": 24, "requests.new.commercial": 5, "requests.new.total": 29}
    good = write_filled(tmp_path / "2024.xlsx", SAMPLE_2021, year=2024, changes=changes)
    result = run(good, "--previous", last, "--format", "json", "--no-annotate")
    doc = json.loads(result.stdout)["files"][0]
    assert doc["continuity"]["status"] == "assessed"
    assert [f["rule"] for f in doc["findings"] if f["rule"] == "continuity.carried_over"] == []
    bad = write_filled(tmp_path / "2024b.xlsx", SAMPLE_2021, year=2024)            # 上年结转 5, 0 … 5: wrong
    result = run(bad, "--previous", last, "--format", "json")
    doc = json.loads(result.stdout)["files"][0]
    hits = [f for f in doc["findings"] if f["rule"] == "continuity.carried_over"]
    assert [(f["cell"], f["found"], f["expected"]) for f in hits] == [("D7", 5, 1), ("E7", 0, 1), ("J7", 5, 2)]
    assert hits[0]["operands"] == [{"point": "requests.carried_forward.natural_person", "sheet": "依申请公开", "cell": "D30",
                                    "value": 1, "file": str(last)}]
    assert result.exit_code == 1
    wb = openpyxl.load_workbook(doc["output"])
    assert "\n（continuity.carried_over）" in wb["依申请公开"]["D7"].comment.text


def test_previous_dir_matches_by_organ_then_by_name_and_says_not_assessed(tmp_path):
    now, before = tmp_path / "2024", tmp_path / "2023"
    now.mkdir(), before.mkdir()
    write_filled(before / "上年-甲.xlsx", SAMPLE_2021, year=2023, organ="甲局")
    write_filled(before / "乙镇年报2023.xlsx", SAMPLE_2021, year=2023, organ="")
    write_filled(now / "甲局年报.xlsx", SAMPLE_2021, year=2024, organ="甲局")
    write_filled(now / "乙镇年报2024.xlsx", SAMPLE_2021, year=2024, organ="")
    write_filled(now / "丙办.xlsx", SAMPLE_2021, year=2024, organ="丙办")
    result = run(now, "--previous-dir", before, "--format", "json", "--no-annotate")
    files = {f["path"].split("/")[-1]: f for f in json.loads(result.stdout)["files"]}
    assert files["甲局年报.xlsx"]["continuity"]["previous"].endswith("上年-甲.xlsx")
    assert files["乙镇年报2024.xlsx"]["continuity"]["previous"].endswith("乙镇年报2023.xlsx")
    none = files["丙办.xlsx"]
    assert none["continuity"]["status"] == "not_assessed"
    infos = [f for f in none["findings"] if f["severity"] == "info"]
    assert {f["rule"] for f in infos} == {"continuity.carried_over", "continuity.in_force"}
    assert all("未校验" in f["message"] for f in infos)
    text = run(now, "--previous-dir", before, "--no-annotate").output
    assert "上年对比：未校验" in text


def test_globs_and_several_paths(tmp_path):
    a = write_filled(tmp_path / "a.xlsx", SAMPLE_2021)
    b = write_filled(tmp_path / "b.xlsx", SAMPLE_2021)
    assert expand([str(tmp_path / "*.xlsx")]) == [str(a), str(b)]
    assert expand([str(tmp_path / "missing.xlsx")]) == [str(tmp_path / "missing.xlsx")]
    result = run(tmp_path / "*.xlsx", "--no-annotate", "--format", "json")
    assert len(json.loads(result.stdout)["files"]) == 2 and result.exit_code == 0


def test_an_empty_folder_is_an_input_problem(tmp_path):
    (tmp_path / "empty").mkdir()
    result = run(tmp_path / "empty")
    assert result.exit_code == 2 and "目录" in result.output


def test_a_second_signal_does_not_break_the_cleanup_of_the_first(monkeypatch):
    """A worker told to stop while it writes a file removes its temporary file on the way out. The
    pool sends a second SIGTERM to every worker once one has exited (its manager thread then
    terminates the rest): arriving during that cleanup, it must not interrupt it, or the
    temporary file is left behind."""
    import signal
    from xlcheck import batch
    monkeypatch.setitem(batch._STATE, "busy", True)
    monkeypatch.setitem(batch._STATE, "stopping", False)
    monkeypatch.setattr(batch.os, "_exit", lambda code: pytest.fail(f"an idle worker's exit ({code}) while busy"))
    with pytest.raises(KeyboardInterrupt):
        batch._stop(signal.SIGINT, None)          # the first: the file being written is abandoned
    try:
        batch._stop(signal.SIGTERM, None)         # the second, during the cleanup: changes nothing
    except KeyboardInterrupt:
        pytest.fail("the second signal interrupted the cleanup of the first")
