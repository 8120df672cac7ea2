"""One file, one process, measured (prints numbers; asserts nothing).

    python bench/startup.py [ROUNDS]        # default 21 rounds

What the Excel button and scripts pay: the wall time of `xlcheck verify FILE.xlsx --no-annotate`
as a whole process (the console script beside this interpreter, else `python -m xlcheck`) against
`python -c pass` on the same interpreter (target: within 6x), and `xlcheck --version` (target:
under 0.3 s), alternating the commands round by round, medians. Beside them, the floor any
click command that reads an .xlsx with the standard library stands on: `import click` alone, and
with zipfile, xml.etree and json. The modules are byte-compiled first, as an installed wheel is
(PYTHONDONTWRITEBYTECODE is unset for the runs), so no run pays for compiling them.
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

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 21
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
FLOOR = "import click, zipfile, xml.etree.ElementTree, json"


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
    script = Path(py).with_name("xlcheck")
    command = [str(script)] if script.exists() else [py, "-m", "xlcheck"]
    with tempfile.TemporaryDirectory() as tmp:
        path = template_xlsx(Path(tmp), sample_values())
        m = medians({"pass": [py, "-c", "pass"],
                     "click": [py, "-c", "import click"],
                     "floor": [py, "-c", FLOOR],
                     "verify": command + ["verify", str(path), "--no-annotate"],
                     "version": command + ["--version"]})
    x = {k: v / m["pass"] for k, v in m.items()}
    print(f"whole process, medians over {ROUNDS} alternating rounds ({' '.join(Path(c).name for c in command)})")
    print(f"  python -c pass                           {m['pass']:6.1f} ms")
    print(f"  xlcheck verify FILE.xlsx --no-annotate   {m['verify']:6.1f} ms  {x['verify']:5.2f}x python -c pass (target 6x)")
    print(f"  xlcheck --version                        {m['version']:6.1f} ms  (target < 300 ms)")
    print("  the floor under any click command reading an .xlsx with the standard library:")
    print(f"    python -c 'import click'               {m['click']:6.1f} ms  {x['click']:5.2f}x")
    print(f"    python -c '{FLOOR}'")
    print(f"                                           {m['floor']:6.1f} ms  {x['floor']:5.2f}x")
    print(f"  xlcheck's own share (verify - floor)     {m['verify'] - m['floor']:6.1f} ms  {x['verify'] - x['floor']:5.2f}x")


if __name__ == "__main__":
    main()
