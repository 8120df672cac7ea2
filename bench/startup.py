"""One file, one process, measured (prints numbers; asserts nothing).

    python bench/startup.py [ROUNDS]        # default 15 rounds

What the Excel button and scripts pay: the wall time of `xlcheck verify FILE.xlsx --no-annotate`
as a whole process against `python -c pass` on the same interpreter (target: within 6x), and
`xlcheck --version` (target: under 0.3 s), alternating the commands round by round, medians;
then what the largest imports on that path cost on their own, to show where the time goes.
The modules are byte-compiled first, as an installed wheel is (PYTHONDONTWRITEBYTECODE is
unset for the runs), so no run pays for compiling them.
"""
from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import xlcheck
from formats import sample_values, template_xlsx       # bench/formats.py: the sample report as a template

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 15
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def medians(commands: dict[str, list[str]]) -> dict[str, float]:
    times: dict[str, list[float]] = {k: [] for k in commands}
    for _ in range(ROUNDS):
        for key, cmd in commands.items():
            t0 = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
            times[key].append(time.perf_counter() - t0)
    return {k: statistics.median(v) * 1000 for k, v in times.items()}


def main():
    compileall.compile_dir(str(Path(xlcheck.__file__).parent), quiet=1)
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        path = template_xlsx(Path(tmp), sample_values())
        m = medians({"pass": [py, "-c", "pass"],
                     "verify": [py, "-m", "xlcheck", "verify", str(path), "--no-annotate"],
                     "version": [py, "-m", "xlcheck", "--version"]})
        print(f"whole process, medians over {ROUNDS} alternating rounds")
        print(f"  python -c pass                          {m['pass']:6.0f} ms")
        print(f"  xlcheck verify FILE.xlsx --no-annotate  {m['verify']:6.0f} ms   {m['verify'] / m['pass']:5.1f}x python -c pass (target 6x)")
        print(f"  xlcheck --version                       {m['version']:6.0f} ms   (target < 300 ms)")
        parts = ["click", "concurrent.futures.process", "xlcheck.check", "xlcheck.verify", "xlcheck.batch", "jsonschema"]
        costs = medians({p: [py, "-c", f"import {p}"] for p in ["pass"] + parts})
        print("  importing alone, beyond python -c pass:")
        for p in parts:
            print(f"    {p:30s} {costs[p] - costs['pass']:6.0f} ms")


if __name__ == "__main__":
    main()
