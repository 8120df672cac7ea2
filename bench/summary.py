"""Summaries linear, parent flat (issue 20 item 2), measured (prints numbers; asserts nothing).

    python bench/summary.py [N]        # default N = 20000, against 1000

(1) Writing the summary workbook of N results against 1,000: the time of N should be within 2x
    of N/1000 x the time of 1,000 (rows as they come into a write-only workbook).
(2) The parent process's peak memory over a whole `verify DIR --summary s.xlsx --no-annotate
    --jobs 2` of N files against 1,000 (target: within 25%). The files are hard links to a few
    generated workbooks (one in five wrong), so making 20,000 of them costs no disk.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from xlcheck.check import Options, check_file
from xlcheck.outputs.summary import SummaryWriter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch import generate  # noqa: E402  (bench/batch.py)

N = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
BASE = 1000


def write_time(results, n: int, folder: Path) -> float:
    start = time.perf_counter()
    writer = SummaryWriter(str(folder / f"s{n}.xlsx"))
    for i in range(n):
        r = results[i % len(results)]
        r.path = f"单位/{i:06d}.xlsx"
        writer.add(r)
    writer.close()
    return time.perf_counter() - start


PARENT = ("import atexit, resource, sys; out = sys.argv.pop(1);"
          "atexit.register(lambda: open(out, 'w').write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)));"
          "from xlcheck.cli import run; run()")


def parent_peak_mb(folder: Path, models: list[Path], n: int, work: Path) -> tuple[float, float]:
    units = folder / f"units{n}"
    units.mkdir()
    for i in range(n):
        os.link(models[i % len(models)], units / f"u{i:06d}.xlsx")
    peak = work / f"peak{n}.txt"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", PARENT, str(peak), "verify", str(units), "--no-annotate", "--jobs", "2",
                    "--summary", str(work / f"batch{n}.xlsx")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return int(peak.read_text()) / 1024, time.perf_counter() - start


def main():
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        models = generate(folder, 5)                          # bench/batch.py's workbooks, the first one wrong
        results = [check_file(str(p), None, Options()) for p in models]
        write_time(results, 200, folder)                      # warm up (imports)
        t_base = min(write_time(results, BASE, folder) for _ in range(3))
        t_n = write_time(results, N, folder)
        print(f"(1) summary workbook of {BASE} results: {t_base:6.2f} s; of {N}: {t_n:6.2f} s "
              f"= {t_n / (t_base * N / BASE):4.2f}x of {N // BASE} x {BASE} (target within 2x)")
        m_base, s_base = parent_peak_mb(folder, models, BASE, folder)
        m_n, s_n = parent_peak_mb(folder, models, N, folder)
        print(f"(2) parent peak memory, verify --summary --jobs 2: {BASE} files {m_base:6.1f} MB ({s_base:5.1f} s); "
              f"{N} files {m_n:6.1f} MB ({s_n:5.1f} s) = {(m_n / m_base - 1) * 100:+.0f}% (target within 25%)")


if __name__ == "__main__":
    main()
