"""A report printed with the 2021 labels but the 2019 edition's single （六）其他处理 row (as organs
that kept last year's table printed it): one edition.mixed finding, the （六） row's numbers used in
the arithmetic, each missing 2021 sub-row reported once — and no finding twice, in any corpus."""
import json
import re

import pytest

from conftest import REPORTS, SAMPLE
from helpers import xlcheck
from xlcheck.check import check_file

SUBROWS = re.compile(r"\t（六）其他处理\n\t1\.申请人无正当理由.*?\t3\.其他\n(?:\t0\n){7}\n", re.S)


def mixed(tmp_path, total_row, carried_forward):
    text = SAMPLE.read_text(encoding="utf-8")
    text, n = SUBROWS.subn("\t（六）其他处理\n\t1\n\t0\n\t0\n\t0\n\t0\n\t0\n\t1\n\n", text)
    assert n == 1
    old_total = "\t（七）总计\n\t24\n\t5\n\t0\n\t0\n\t0\n\t0\n\t29\n"
    old_forward = "\t四、结转下年度继续办理\n\t1\n\t1\n\t0\n\t0\n\t0\n\t0\n\t2\n"
    assert old_total in text and old_forward in text
    text = text.replace(old_total, total_row).replace(old_forward, carried_forward)
    path = tmp_path / "mixed.txt"
    path.write_text(text, encoding="utf-8")
    return check_file(str(path))


def test_a_consistent_mixed_report_checks_as_printed(tmp_path):
    result = mixed(tmp_path, "\t（七）总计\n\t25\n\t5\n\t0\n\t0\n\t0\n\t0\n\t30\n",
                   "\t四、结转下年度继续办理\n\t0\n\t1\n\t0\n\t0\n\t0\n\t0\n\t1\n")
    assert [(f.rule, f.row) for f in result.findings] == [
        ("edition.mixed", None), ("layout.missing_row", "other_no_correction"),
        ("layout.missing_row", "other_unpaid_fee"), ("layout.missing_row", "other_misc")]
    assert result.instance["requests"]["other_no_correction"]["total"] == 1


def test_the_printed_row_takes_part_in_the_arithmetic(tmp_path):
    result = mixed(tmp_path, "\t（七）总计\n\t24\n\t5\n\t0\n\t0\n\t0\n\t0\n\t29\n",
                   "\t四、结转下年度继续办理\n\t1\n\t1\n\t0\n\t0\n\t0\n\t0\n\t2\n")
    broken = sorted((f.rule, f.point, f.found, f.expected) for f in result.findings if f.rule.startswith("requests."))
    assert broken == [("requests.results_total", "requests.results_total.natural_person", 24, 25),
                      ("requests.results_total", "requests.results_total.total", 29, 30)]


CORPUS = sorted(p for p in REPORTS.iterdir() if p.suffix in (".txt", ".pdf"))


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_no_finding_is_reported_twice(path):
    result = xlcheck("verify", path, "--format", "json", "--no-annotate")
    for doc in json.loads(result.stdout)["files"]:
        seen = [json.dumps(f, ensure_ascii=False, sort_keys=True) for f in doc["findings"]]
        assert len(seen) == len(set(seen)), [s for s in seen if seen.count(s) > 1][:2]
