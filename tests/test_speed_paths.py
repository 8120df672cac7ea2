"""The fast paths give what the slow ones gave: a LibreOffice-saved template keeps its defined
names (read from the .ods named ranges, so it is located as the template is), and cached or
precomputed reading gives the same cells and findings."""
from __future__ import annotations

import pytest

from conftest import convert
from helpers import SAMPLE_2021, write_filled
from xlcheck.check import check_file
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
