"""Published PDFs: xlcheck's reader (pypdfium2) against pdfplumber's own `extract_tables` on the same
files (issue 20, item 5: at least 5× faster). Prints numbers; asserts nothing.

    python bench/pdf.py [corpus files] [repeats]

Files: tests/data/reports/009.pdf (a real published PDF, 6 pages); LibreOffice's PDF of a template
workbook and of a Word report; and the tests' generated Word-drafted reports (tests/corpus_reports.py,
exported by LibreOffice; cached under the system's temporary folder). Needs the `pdf` and `test` extras
and LibreOffice for the generated files.
"""
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import pdfplumber                                   # noqa: E402  (the comparison)
import pypdfium2                                    # noqa: E402

from xlcheck.check import check_file               # noqa: E402
from xlcheck.sources.pdf import read_pdf            # noqa: E402

count = int(sys.argv[1]) if len(sys.argv) > 1 else 24
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
work = Path(tempfile.gettempdir()) / "xlcheck-bench-pdf"
work.mkdir(exist_ok=True)


def libreoffice_files() -> dict[str, list[Path]]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        print("LibreOffice not installed: only 009.pdf is measured")
        return {}
    from conftest import convert
    from corpus_reports import build
    from helpers import SAMPLE_2021, write_filled
    from layouts import printed, to_docx
    out = {}
    exported = work / "exported"
    exported.mkdir(exist_ok=True)
    if not (exported / "wb.pdf").exists():
        convert(soffice, write_filled(exported / "wb.xlsx", SAMPLE_2021), "pdf", exported)
        doc = to_docx(exported / "report.docx", "乐清市人民政府办公室2021年政府信息公开工作年度报告", printed("2021", SAMPLE_2021))
        convert(soffice, doc, "pdf", exported)
    out["LibreOffice exports (workbook, Word)"] = [exported / "wb.pdf", exported / "report.pdf"]
    folder, reports = build(soffice, work / "corpus", range(count))
    out[f"generated corpus ({count} Word reports)"] = [folder / f"r{r.seed:03d}.pdf" for r in reports]
    return out


def pages(path: Path) -> int:
    doc = pypdfium2.PdfDocument(str(path))
    try:
        return len(doc)
    finally:
        doc.close()


def plumber(path: Path) -> None:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_tables()


def timed(fn, path: Path) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(str(path))
        best = min(best, time.perf_counter() - t0)
    return best


groups = {"tests/data/reports/009.pdf (real, published)": [ROOT / "tests" / "data" / "reports" / "009.pdf"]}
groups.update(libreoffice_files())
check_file(str(groups[next(iter(groups))][0]))        # warm imports and the schema cache
print(f"{'files':<44} {'pages':>5} | {'xlcheck read':>12} {'check':>8} | {'pdfplumber':>10} | {'pages/s':>14} | speed-up")
print(f"{'':<44} {'':>5} | {'ms/file':>12} {'ms/file':>8} | {'ms/file':>10} | {'xlcheck · plumb':>14} |")
for name, files in groups.items():
    n = sum(pages(f) for f in files)
    ours = [timed(read_pdf, f) for f in files]
    whole = [timed(check_file, f) for f in files]
    theirs = [timed(plumber, f) for f in files]
    print(f"{name:<44} {n:>5} | {statistics.mean(ours) * 1000:>12.1f} {statistics.mean(whole) * 1000:>8.1f} | "
          f"{statistics.mean(theirs) * 1000:>10.1f} | {n / sum(ours):>6.0f} · {n / sum(theirs):>5.1f} | "
          f"{sum(theirs) / sum(ours):>5.1f}× read, {sum(theirs) / sum(whole):.1f}× whole check")
