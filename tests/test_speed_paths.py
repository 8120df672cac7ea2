"""The fast paths give what the slow ones gave: a LibreOffice-saved template keeps its defined
names (read from the .ods named ranges, so it is located as the template is), and cached or
precomputed reading gives the same cells and findings."""
from __future__ import annotations

import pytest

from conftest import convert
from helpers import SAMPLE_2021, write_filled
from xlcheck.check import check_file
from xlcheck.model import flatten
from xlcheck.sources.open import read_source


@pytest.fixture(scope="module")
def saved(soffice, tmp_path_factory):
    folder = tmp_path_factory.mktemp("saved")
    xlsx = write_filled(folder / "t.xlsx", SAMPLE_2021, changes={"requests.new.total": 99})
    return xlsx, convert(soffice, xlsx, "ods", folder)


def test_ods_saved_by_libreoffice_keeps_the_templates_names(saved):
    xlsx, ods = saved
    names = read_source(str(xlsx)).names
    assert names and read_source(str(ods)).names == names       # workbook-level, one cell each; no print areas


def test_ods_located_by_names_finds_what_the_xlsx_finds(saved):
    xlsx, ods = saved
    a, b = check_file(str(xlsx)), check_file(str(ods))
    assert [f.to_json() for f in a.findings] == [f.to_json() for f in b.findings] and a.findings
    assert a.places == b.places


def _by_hand(path, values):
    """All three tables on one sheet, as printed, no defined names."""
    import openpyxl
    from layouts import printed, to_sheet
    wb = openpyxl.Workbook()
    top = 2
    for caption, cells in printed("2021", values).values():
        top = to_sheet(wb.active, top, 2, caption, cells) + 2
    wb.save(path)
    return path


def test_label_located_workbook_normalises_each_label_once_per_process(tmp_path):
    from xlcheck.locate import labels, rows
    from xlcheck.model import editions
    first = check_file(str(_by_hand(tmp_path / "a.xlsx", SAMPLE_2021)))
    assert first.status == "ok"
    before = rows._norm.cache_info()
    second = check_file(str(_by_hand(tmp_path / "b.xlsx", SAMPLE_2021)))
    assert second.status == "ok" and second.places == first.places
    after = rows._norm.cache_info()
    assert after.hits > before.hits and after.misses == before.misses       # every label seen before
    table = editions.edition("2021").tables[0]
    assert labels.layout_rows(table) is labels.layout_rows(table)           # placed once


def test_label_located_workbook_finds_what_the_template_finds(tmp_path):
    wrong = check_file(str(write_filled(tmp_path / "t.xlsx", SAMPLE_2021, changes={"requests.new.total": 99})))
    flat = flatten(SAMPLE_2021)
    flat["requests.new.total"] = 99
    hand = check_file(str(_by_hand(tmp_path / "h.xlsx", flat)))
    assert [(f.rule, f.point, f.severity) for f in hand.findings] == [(f.rule, f.point, f.severity) for f in wrong.findings]
    assert hand.findings
