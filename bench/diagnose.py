"""How long the diagnosis of one report takes (target: under 50 ms). Prints numbers; asserts nothing.

    python bench/diagnose.py [repeats]
"""
import copy
import json
import statistics
import sys
import time
from pathlib import Path

from xlcheck.model import editions as schemas
from xlcheck.check.diagnose import diagnose

ROOT = Path(__file__).resolve().parents[1]
sample = json.loads((ROOT / "examples" / "yueqing-2021.json").read_text(encoding="utf-8"))["values"]
model = schemas.edition("2021")
repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 50
cases = {
    "consistent": {},
    "one wrong part": {"requests.granted.commercial": 2},
    "one wrong total": {"requests.new.total": 25},
    "表四 group": {"appeals.reconsideration.total": 2},
    "two wrong cells": {"requests.granted.commercial": 2, "requests.unavailable_not_held.natural_person": 7},
    "three wrong cells": {"requests.granted.commercial": 2, "requests.unavailable_not_held.natural_person": 7,
                          "requests.carried_over.legal_services": 4},
}
diagnose(model, sample)          # warm the validator cache
print(f"{'case':<20} {'median ms':>10} {'max ms':>8}")
for name, changes in cases.items():
    inst = copy.deepcopy(sample)
    for point, value in changes.items():
        t, r, c = point.split(".")
        inst[t][r][c] = value
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        diagnose(model, inst)
        times.append((time.perf_counter() - t0) * 1000)
    print(f"{name:<20} {statistics.median(times):>10.2f} {max(times):>8.2f}")
