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


def _cases():
    for seed in SEEDS:
        for fmt in ("pdf", "html", "docx"):
            yield pytest.param(seed, fmt, id=f"{seed}-{fmt}")


@pytest.fixture(scope="session")
def corpus(soffice, tmp_path_factory):
    folder, reports = build(soffice, tmp_path_factory.getbasetemp().parent / "xlcheck-corpus", SEEDS)
    oracle = tmp_path_factory.mktemp("oracle")
    expected = {}
    for r in reports:
        wb = write_filled(oracle / f"r{r.seed}.xlsx", r.values, edition=r.edition, year=r.year, organ=r.organ)
        expected[r.seed] = sorted((f.rule, f.point, f.found, f.expected) for f in check_file(str(wb)).findings)
    return folder, {r.seed: r for r in reports}, expected


@pytest.mark.parametrize("seed, fmt", list(_cases()))
def test_every_cell_and_exactly_the_findings(corpus, seed, fmt):
    folder, reports, expected = corpus
    report = reports[seed]
    result = check_file(str(folder / f"r{seed:03d}.{fmt}"))
    assert result.status != "error", result.error
    assert result.edition == report.edition
    assert flatten(result.instance) == report.numbers
    assert sorted((f.rule, f.point, f.found, f.expected) for f in result.findings) == expected[seed]
    assert (result.year, result.organ) == (report.year, report.organ)


def test_the_corpus_breaks_tables_at_pages_in_every_way(corpus, monkeypatch):
    """Passing means something: the corpus's PDFs hold tables continued on a new page, repeated
    headers, rows broken by the page and merged group cells running over the break, many times."""
    from collections import Counter

    from xlcheck.sources import pdfstitch
    from xlcheck.sources.pdf import read_pdf
    folder, reports, _ = corpus
    seen = Counter()

    def counted(name, fn, changed):
        def wrapper(*args):
            before = [len(r) for r in args[-1]] if isinstance(args[-1], list) else []
            out = fn(*args)
            seen[name] += changed(before, args, out)
            return out
        monkeypatch.setattr(pdfstitch, name, wrapper)

    counted("_drop_repeated_header", pdfstitch._drop_repeated_header, lambda b, a, out: len(out) < len(b))
    counted("_continue_spans", pdfstitch._continue_spans, lambda b, a, out: bool(a[-1]) and len(a[-1][0]) < b[0])
    counted("_glue", pdfstitch._glue, lambda b, a, out: bool(out))
    counted("_columns_meet", pdfstitch._columns_meet, lambda b, a, out: bool(out))
    for seed in reports:
        read_pdf(str(folder / f"r{seed:03d}.pdf"))
    assert len(seen) == 4 and min(seen.values()) >= 10, seen     # 94 · 32 · 25 · 32 when written
