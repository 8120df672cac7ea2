"""`xlcheck serve` speed, measured (prints numbers; asserts nothing).

    python bench/server.py [N]          # default N = 200 requests per run

One filled template workbook (with a wrong cell, so the diagnosis and the annotated copy are
made) is checked in-process with `verify_path` (annotated, as the API does by default), then
posted N times to /api/verify of a real `xlcheck serve` on loopback with 1 and 2 worker
processes, from 1 client (one request at a time: the latency a clerk sees) and from 8 clients at
once (throughput). Prints requests per second, median and 95th-percentile latency, and the median
latency as a ratio of the in-process time: the HTTP overhead.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from batch import generate                      # noqa: E402  (bench/batch.py: the generated workbooks)
from server_harness import Server               # noqa: E402  (tests/: the real server in a subprocess)
from xlcheck.check import Options                # noqa: E402
from xlcheck.verify import Plan, verify_path     # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200


def in_process_ms(path: Path, out: Path, runs: int = 50) -> float:
    plan = Plan(annotate=True, output=str(out), many=True)
    verify_path(str(path), None, Options(), plan)                      # warm
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        verify_path(str(path), None, Options(), plan)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def load(server: Server, body: bytes, n: int, clients: int) -> tuple[float, list[float]]:
    pool = [httpx.Client(timeout=120) for _ in range(clients)]

    def one(i: int) -> float:
        start = time.perf_counter()
        answer = pool[i % clients].post(server.url("/api/verify"), files=[("files", ("unit.xlsx", body))])
        elapsed = time.perf_counter() - start
        assert answer.status_code == 200 and answer.json()["files"][0]["status"] == "invalid", answer.text[:300]
        return elapsed

    for i in range(clients * 2):                                       # warm every worker and connection
        one(i)
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as ex:
        latencies = list(ex.map(one, range(n)))
    wall = time.perf_counter() - start
    for c in pool:
        c.close()
    return n / wall, latencies


def main():
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        path = generate(tmp, 1)[0]                                     # unit 0 has a wrong cell in 表三
        body = path.read_bytes()
        (tmp / "out").mkdir()
        base = in_process_ms(path, tmp / "out")
        print(f"in-process verify_path (annotated): {base:.1f} ms per file ({len(body) // 1024} KB workbook)")
        print(f"{'workers':>7} {'clients':>7} {'req/s':>7} {'median':>9} {'p95':>9} {'median/in-process':>18}")
        for jobs in (1, 2):
            server = Server(tmp / f"srv{jobs}", "--jobs", str(jobs), "--keep", "10s")
            try:
                for clients in (1, 8):
                    rate, lat = load(server, body, N, clients)
                    lat_ms = sorted(x * 1000 for x in lat)
                    median = statistics.median(lat_ms)
                    p95 = lat_ms[int(0.95 * (len(lat_ms) - 1))]
                    print(f"{jobs:>7} {clients:>7} {rate:>7.1f} {median:>7.1f}ms {p95:>7.1f}ms {median / base:>17.1f}×")
            finally:
                server.stop()


if __name__ == "__main__":
    main()
