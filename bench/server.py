"""`xlcheck serve` speed, measured (prints numbers; asserts nothing).

    python bench/server.py [N]          # default N = 200 requests per run

One filled template workbook (with a wrong cell, so the diagnosis and the annotated copy are
made) is posted N times to /api/verify of a real `xlcheck serve` on loopback with 1 and 2 worker
processes: from 1 client, each request alternating with an in-process `verify_path` of the same
file (annotated, as the API does by default), so that the median latency over the in-process
median is the HTTP overhead as a ratio under the same load; then from 8 clients at once
(throughput). Prints requests per second and median and 95th-percentile latency.
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


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def stats(ms: list[float]) -> tuple[float, float]:
    ms = sorted(ms)
    return statistics.median(ms), ms[int(0.95 * (len(ms) - 1))]


def main():
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        path = generate(tmp, 1)[0]                                     # unit 0 has a wrong cell in 表三
        body = path.read_bytes()
        (tmp / "out").mkdir()
        plan = Plan(annotate=True, output=str(tmp / "out"), many=True)

        def local():
            verify_path(str(path), None, Options(), plan)

        def remote(client: httpx.Client):
            answer = client.post(server.url("/api/verify"), files=[("files", ("unit.xlsx", body))])
            assert answer.status_code == 200 and answer.json()["files"][0]["status"] == "invalid", answer.text[:300]

        print(f"{N} requests a run; a {len(body) // 1024} KB template workbook with a wrong cell, annotated copy made")
        print(f"{'workers':>7} {'clients':>7} {'req/s':>7} {'median':>9} {'p95':>9} {'in-process':>11} {'ratio':>6}")
        for jobs in (1, 2):
            server = Server(tmp / f"srv{jobs}", "--jobs", str(jobs), "--keep", "10s")
            try:
                with httpx.Client(timeout=120) as client:
                    for _ in range(10):                                # warm the workers, the connection, this process
                        remote(client)
                        local()
                    # one client: each request alternates with an in-process check, so both see the same load
                    mine, theirs = [], []
                    start = time.perf_counter()
                    for _ in range(N):
                        theirs.append(timed(lambda: remote(client)))
                        mine.append(timed(local))
                    rate = N / (time.perf_counter() - start - sum(mine) / 1000)
                median, p95 = stats(theirs)
                base, _ = stats(mine)
                print(f"{jobs:>7} {1:>7} {rate:>7.1f} {median:>7.1f}ms {p95:>7.1f}ms {base:>9.1f}ms {median / base:>5.1f}×")
                # eight clients at once: throughput
                clients = [httpx.Client(timeout=120) for _ in range(8)]
                start = time.perf_counter()
                with ThreadPoolExecutor(8) as ex:
                    lat = list(ex.map(lambda i: timed(lambda: remote(clients[i % 8])), range(N)))
                rate = N / (time.perf_counter() - start)
                for c in clients:
                    c.close()
                median, p95 = stats(lat)
                print(f"{jobs:>7} {8:>7} {rate:>7.1f} {median:>7.1f}ms {p95:>7.1f}ms")
            finally:
                server.stop()


if __name__ == "__main__":
    main()
