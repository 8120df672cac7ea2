"""Batch speed and memory, measured (prints numbers; asserts nothing).

    python bench/batch.py [N]          # default N = 1000 workbooks

Generates N filled template workbooks, no two alike (one in five with a wrong cell), and
prints per-file medians (in-process) for:
  (a) checking without annotation          vs (c) opening with python-calamine   (target: within 3x;
      the check reads .xlsx in pure Python whether python-calamine is installed or not, so this
      is also the figure of the Pyodide path, target 4x; the line after it says so)
  (b) checking and writing the annotated copy vs (c) openpyxl load + save         (target: within 2x)
then the wall time of whole CLI runs, `xlcheck --version`, and the peak memory of a batch run
over 100 and over N files (target: within 20% of each other).
"""
from __future__ import annotations

import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from xlcheck.model import editions as schemas
from xlcheck.check import Options
from xlcheck.sources.open import read_source
from xlcheck.model import flatten
from xlcheck.outputs.template import Options as TOptions, build_workbook, fill, workbook_bytes
from xlcheck.verify import Plan, verify_path

ROOT = Path(__file__).resolve().parents[1]
N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
XLCHECK = [sys.executable, "-m", "xlcheck"]


def generate(folder: Path, n: int) -> list[Path]:
    """N workbooks, no two alike: each unit's tables are the sample's scaled by its own factor
    (sums, balances and comparisons survive scaling), under its own organ name; one in five has
    one cell of 表三 raised."""
    data = json.loads((ROOT / "examples" / "yueqing-2021.json").read_text(encoding="utf-8"))
    model = schemas.edition("2021")
    flat = flatten(data["values"])
    rng = random.Random(1)
    paths = []
    for i in range(n):
        scale = 1 + i % 37
        values = {k: v * scale for k, v in flat.items()}
        if i % 5 == 0:
            point = rng.choice([p for p in flat if p.startswith("requests.")])
            values[point] += rng.randint(1, 5)
        wb = build_workbook(model, TOptions(year=2024, organ=f"单位{i:04d}"))
        fill(wb, model, values)
        path = folder / f"unit{i:04d}.xlsx"
        path.write_bytes(workbook_bytes(wb))
        paths.append(path)
    return paths


def medians_ms(fns: dict, paths) -> dict:
    """Per-file median of each function, the functions alternating file by file (so a change of
    load on the machine falls on all sides alike)."""
    times = {k: [] for k in fns}
    for p in paths:
        for key, fn in fns.items():
            t0 = time.perf_counter()
            fn(p)
            times[key].append((time.perf_counter() - t0) * 1000)
    return {k: statistics.median(v) for k, v in times.items()}


def calamine_open(p):
    from python_calamine import CalamineWorkbook
    wb = CalamineWorkbook.from_path(str(p))
    for name in wb.sheet_names:
        wb.get_sheet_by_name(name).to_python()


def openpyxl_load(p):
    import openpyxl
    openpyxl.load_workbook(p)


def openpyxl_load_save(p):
    import openpyxl
    wb = openpyxl.load_workbook(p)
    wb.save(io.BytesIO())


def peak_rss_mb(args) -> float:
    code = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def wall(args) -> float:
    t0 = time.perf_counter()
    subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main():
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        out = Path(tmp) / "out"
        folder.mkdir()
        out.mkdir()
        paths = generate(folder, N)
        sample = paths[: min(len(paths), 300)]
        opts = Options()
        for p in paths[:10]:                                                    # warm caches, a wrong cell among them
            verify_path(str(p), None, opts, Plan(annotate=False))
        compiled_only = sum(1 for m in sys.modules if m.split(".")[0] in ("python_calamine", "xlwings")) == 0
        m = medians_ms({"a": lambda p: verify_path(str(p), None, opts, Plan(annotate=False)),
                        "read": lambda p: read_source(str(p)), "cal": calamine_open}, sample)
        a, read, floor_cal = m["a"], m["read"], m["cal"]
        m = medians_ms({"b": lambda p: verify_path(str(p), None, opts, Plan(annotate=True, output=str(out), many=True)),
                        "load": openpyxl_load, "save": openpyxl_load_save}, sample[:100])
        b, floor_load, floor_save = m["b"], m["load"], m["save"]
        print(f"files: {N} (one in five with a wrong cell); per-file medians over {len(sample)} files (b: 100), "
              f"in-process, alternating file by file")
        print(f"  (a) check, no annotation        {a:7.2f} ms   {a / floor_cal:5.1f}x calamine open (target 3x; pure Python 4x)")
        print(f"      pure Python (neither python-calamine nor xlwings imported by it): {'yes' if compiled_only else 'no'}")
        print(f"      of which reading the cells {read:7.2f} ms   {read / floor_cal:5.1f}x calamine open")
        print(f"  (b) check + annotated copy      {b:7.2f} ms   {b / floor_save:5.1f}x openpyxl load+save (target 2x)")
        print(f"  (c) python-calamine open        {floor_cal:7.2f} ms")
        print(f"      openpyxl load               {floor_load:7.2f} ms")
        print(f"      openpyxl load + save        {floor_save:7.2f} ms")
        cli = XLCHECK + ["verify", str(folder), "--no-annotate", "--format", "json"]
        for jobs in (1, os.cpu_count() or 1):
            seconds = wall(cli + ["--jobs", str(jobs)])
            print(f"  CLI verify --no-annotate --format json, --jobs {jobs}: {seconds:6.2f} s in all, {seconds / N * 1000:6.2f} ms a file")
        seconds = wall(XLCHECK + ["verify", str(folder), "--format", "json", "-o", str(out), "--jobs", "1"])
        print(f"  CLI verify with annotation, --jobs 1: {seconds:6.2f} s in all, {seconds / N * 1000:6.2f} ms a file")
        version = statistics.median(wall([sys.executable, "-m", "xlcheck", "--version"]) for _ in range(7))
        print(f"  xlcheck --version               {version * 1000:7.0f} ms (target < 300 ms)")
        small = Path(tmp) / "small"
        small.mkdir()
        for p in paths[:100]:
            os.link(p, small / p.name)
        m100 = peak_rss_mb(XLCHECK + ["verify", str(small), "--no-annotate", "--format", "json", "--jobs", "1"])
        mall = peak_rss_mb(XLCHECK + ["verify", str(folder), "--no-annotate", "--format", "json", "--jobs", "1"])
        print(f"  peak memory, 100 files          {m100:7.1f} MB")
        print(f"  peak memory, {N} files         {mall:7.1f} MB   ({(mall / m100 - 1) * 100:+.0f}%, target within 20%)")


if __name__ == "__main__":
    main()
