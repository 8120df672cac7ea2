"""Issue 18, item 8: Word-drafted reports of widely varied layouts (tests/corpus_reports.py), exported
by LibreOffice to PDF and HTML, read to every cell and to exactly the findings the same numbers give
in a template workbook; the year and organ from every title form."""
import pytest

from corpus_reports import build
from helpers import write_filled
from xlcheck.check import check_file
from xlcheck.model import flatten

pytest.importorskip("pypdfium2", reason="the pdf extra is not installed")
pytest.importorskip("docx", reason="the reports extra is not installed")
SEEDS = range(64)


@pytest.fixture(scope="session")
def corpus(soffice, tmp_path_factory):
    folder, reports = build(soffice, tmp_path_factory.getbasetemp().parent / "xlcheck-corpus", SEEDS)
    oracle = tmp_path_factory.mktemp("oracle")
    expected = {}
    for r in reports:
        wb = write_filled(oracle / f"r{r.seed}.xlsx", r.values, edition=r.edition, year=r.year, organ=r.organ)
        expected[r.seed] = sorted((f.rule, f.point, f.found, f.expected) for f in check_file(str(wb)).findings)
    return folder, {r.seed: r for r in reports}, expected


@pytest.mark.parametrize("fmt", ["pdf", "html", "docx"])
@pytest.mark.parametrize("seed", SEEDS)
def test_every_cell_and_exactly_the_findings(corpus, seed, fmt):
    folder, reports, expected = corpus
    report = reports[seed]
    result = check_file(str(folder / f"r{seed:03d}.{fmt}"))
    assert result.status != "error", result.error
    assert result.edition == report.edition
    assert flatten(result.instance) == report.numbers
    assert sorted((f.rule, f.point, f.found, f.expected) for f in result.findings) == expected[seed]
    assert (result.year, result.organ) == (report.year, report.organ)
