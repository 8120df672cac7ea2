"""Placeholders in number rows — 「/」, 「—」, 「-」, 「无」 where an author writes 'none' — are read
in their own column as `cell.placeholder` (counted 0), in every table and every format; a table
with numbers is never `table.empty`."""
import copy

import pytest

from conftest import SAMPLE
from helpers import SAMPLE_2021
from layouts import printed, to_docx, to_html
from xlcheck.check import check_file
from xlcheck.model import flatten

TITLE = "乐清市人民政府办公室2021年政府信息公开工作年度报告"
# 规章 (表二), 1.属于国家秘密 (表三) and 行政复议 (表四) rows hold zeros in the sample
PLACED = {"active.regulations.issued": "/", "active.regulations.repealed": "—", "active.regulations.in_force": "无",
          "requests.withheld_state_secret.natural_person": "-", "requests.withheld_state_secret.total": "/",
          "appeals.litigation_direct.corrected": "—"}


def _values():
    values = flatten(copy.deepcopy(SAMPLE_2021))
    assert all(values[p] == 0 for p in PLACED)
    values.update(PLACED)
    return values


def _assert_placeholders(result):
    assert result.status != "error", result.error
    assert sorted((f.rule, f.point) for f in result.findings) == sorted(("cell.placeholder", p) for p in PLACED)
    assert flatten(result.instance) == flatten(SAMPLE_2021)          # each counted 0, in its own column


def test_text_one_cell_a_line(tmp_path):
    text = SAMPLE.read_text(encoding="utf-8")
    for old, new in (("\t规章\n\t0\n\t0\n\t0\n", "\t规章\n\t/\n\t—\n\t无\n"),
                     ("\t1.属于国家秘密\n\t0\n\t0\n\t0\n\t0\n\t0\n\t0\n\t0\n", "\t1.属于国家秘密\n\t-\n\t0\n\t0\n\t0\n\t0\n\t0\n\t/\n")):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "r.txt"
    path.write_text(text, encoding="utf-8")
    result = check_file(str(path))
    assert result.status != "error", result.error
    got = sorted((f.rule, f.point) for f in result.findings)
    assert got == sorted(("cell.placeholder", p) for p in PLACED if not p.startswith("appeals."))


@pytest.mark.parametrize("fmt", ["html", "docx"])
def test_html_and_word(tmp_path, fmt):
    tables = printed("2021", _values())
    if fmt == "html":
        path = tmp_path / "r.html"
        path.write_text(to_html(TITLE, tables), encoding="utf-8")
    else:
        path = to_docx(tmp_path / "r.docx", TITLE, tables)
    _assert_placeholders(check_file(str(path)))


def test_a_table_of_placeholders_and_numbers_is_not_empty(tmp_path):
    values = flatten(copy.deepcopy(SAMPLE_2021))
    appeals = [p for p in values if p.startswith("appeals.")]
    values.update({p: "/" for p in appeals if values[p] == 0})
    path = tmp_path / "r.html"
    path.write_text(to_html(TITLE, printed("2021", values)), encoding="utf-8")
    result = check_file(str(path))
    assert "table.empty" not in {f.rule for f in result.findings}
    assert {f.rule for f in result.findings} == {"cell.placeholder"}
