"""Speed by source format, measured (prints numbers; asserts nothing).

    python bench/formats.py [ROUNDS]        # default 40 rounds

Builds the sample report (examples/yueqing-2021.json) once in each format xlcheck reads — the
template .xlsx, the same workbook saved by LibreOffice as .ods (and .xls, .html, .pdf, and the
page as .docx, where LibreOffice and the optional readers are installed), a workbook with the
tables laid out by hand (no defined names, read by its labels) — and takes two published reports
of tests/data (a real 6-page PDF and a .txt), then checks each without
annotation, in-process, alternating the formats round by round, and prints the per-file median,
the ratio to the template .xlsx and files per second on one core. Targets (issue 20): .ods within
2x, the label-located workbook within 2x of the template .xlsx.
"""
from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from xlcheck.check import Options
from xlcheck.model import editions as schemas, flatten
from xlcheck.model.layout import place
from xlcheck.outputs.template import Options as TOptions, build_workbook, fill, workbook_bytes
from xlcheck.verify import Plan, verify_path

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 40


def sample_values() -> dict:
    return flatten(json.loads((ROOT / "examples" / "yueqing-2021.json").read_text(encoding="utf-8"))["values"])


def template_xlsx(folder: Path, values: dict) -> Path:
    model = schemas.edition("2021")
    wb = build_workbook(model, TOptions(year=2021, organ="乐清市人民政府办公室"))
    fill(wb, model, values)
    path = folder / "template.xlsx"
    path.write_bytes(workbook_bytes(wb))
    return path


def by_hand_xlsx(folder: Path, values: dict) -> Path:
    """All tables on one sheet, one under another two columns in, merged as printed, no names."""
    import openpyxl
    model = schemas.edition("2021")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "年报"
    ws.cell(1, 1, "乐清市人民政府办公室2021年政府信息公开工作年度报告")
    top = 3
    for table in model.tables:
        ws.cell(top, 3, table.label)
        top += 1
        height = 0
        for p in place(table):
            text = values.get(p.text) if p.kind == "point" else p.text
            ws.cell(top + p.row, 3 + p.col, text)
            if p.rowspan > 1 or p.colspan > 1:
                ws.merge_cells(start_row=top + p.row, start_column=3 + p.col,
                               end_row=top + p.row + p.rowspan - 1, end_column=3 + p.col + p.colspan - 1)
            height = max(height, p.row + p.rowspan)
        top += height + 2
    path = folder / "by-hand.xlsx"
    wb.save(path)
    return path


def soffice_convert(path: Path, fmt: str, folder: Path) -> Path | None:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        return None
    subprocess.run([exe, f"-env:UserInstallation=file://{folder / 'lo-profile'}", "--headless", "--convert-to", fmt,
                    "--outdir", str(folder), str(path)], capture_output=True, timeout=300)
    out = folder / (path.stem + "." + fmt.split(":")[0])
    return out if out.exists() else None


def sources(folder: Path) -> dict[str, Path]:
    values = sample_values()
    xlsx = template_xlsx(folder, values)
    found = {"xlsx (template)": xlsx, "xlsx (by hand, labels)": by_hand_xlsx(folder, values)}
    for label, fmt in (("ods (LibreOffice)", "ods"), ("xls (LibreOffice)", "xls"), ("html (LibreOffice)", "html"),
                       ("pdf (LibreOffice)", "pdf")):
        out = soffice_convert(xlsx, fmt, folder)
        if out is not None:
            found[label] = out
    if "html (LibreOffice)" in found:          # the page as a Word file, through LibreOffice Writer
        out = soffice_convert(found["html (LibreOffice)"], "docx:MS Word 2007 XML", folder)
        if out is not None:
            found["docx (LibreOffice)"] = out
    reports = ROOT / "tests" / "data" / "reports"
    found["pdf (published, 淮安 2024)"] = reports / "009.pdf"
    found["txt (published report)"] = reports / "yueqing-2021-report.txt"
    return found


def main():
    opts, plan = Options(), Plan(annotate=False)
    with tempfile.TemporaryDirectory() as tmp:
        found = sources(Path(tmp))
        usable = {}
        for label, path in found.items():
            result = verify_path(str(path), None, opts, plan)          # warm caches; drop what cannot be read here
            if result.status == "error":
                print(f"  {label:26s} skipped: {result.findings[0].message('zh') if result.findings else 'error'}")
                continue
            usable[label] = path
        times: dict[str, list[float]] = {label: [] for label in usable}
        for _ in range(ROUNDS):
            for label, path in usable.items():
                t0 = time.perf_counter()
                verify_path(str(path), None, opts, plan)
                times[label].append(time.perf_counter() - t0)
        base = statistics.median(times["xlsx (template)"])
        print(f"check without annotation, per-file median over {ROUNDS} alternating rounds, in-process (one core)")
        for label, ts in times.items():
            m = statistics.median(ts)
            print(f"  {label:26s} {m * 1000:8.2f} ms  {m / base:6.2f}x template  {1 / m:7.0f} files/s  "
                  f"100,000 on 16 cores: {100_000 * m / 16 / 60:6.1f} min")


if __name__ == "__main__":
    main()
