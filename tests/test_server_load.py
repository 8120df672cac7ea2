"""A bounded load test on loopback: 200 requests from 20 concurrent clients, good and hostile
files mixed. Asserts correctness only (no failed request, no lost or mixed-up result, memory not
growing from the first hundred requests to the second, every folder gone after --keep); speed is
measured in bench/server.py."""
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from server_harness import EXAMPLE, GOOD, Server

KEEP = 3.0
CLIENTS = 20


@pytest.fixture
def inputs(tmp_path):
    data = GOOD.read_bytes()
    return [  # name, bytes, expected status, has an annotated copy
        ("good.xlsx", data, "ok", True),
        ("wrong.xlsx", EXAMPLE.read_bytes(), "invalid", True),
        ("empty.xlsx", b"", "error", False),
        ("truncated.xlsx", data[: len(data) // 2], "error", False),
        ("random.xlsx", bytes(range(256)) * 40, "error", False),
        ("notes.txt", "不是年报\n".encode(), "error", False),
    ]


def one(server, client, n, inputs):
    name, body, status, annotated = inputs[n % len(inputs)]
    sent = f"{n:03d}-{name}"                      # every request's file is named apart
    answer = client.post(server.url("/api/verify"), files=[("files", (sent, body))])
    assert answer.status_code == 200, (sent, answer.status_code, answer.text[:200])
    got = answer.json()["files"]
    assert len(got) == 1 and got[0]["path"] == sent and got[0]["status"] == status, (sent, got[0].get("error"))
    if annotated:
        copy = client.get(got[0]["output"])
        assert copy.status_code == 200 and copy.content[:2] == b"PK", sent
        assert f"{n:03d}-" in copy.headers["content-disposition"]
    return sent


def wave(server, inputs, numbers):
    clients = [httpx.Client(timeout=120) for _ in range(CLIENTS)]
    try:
        with ThreadPoolExecutor(CLIENTS) as pool:
            return list(pool.map(lambda n: one(server, clients[n % CLIENTS], n, inputs), numbers))
    finally:
        for c in clients:
            c.close()


def test_200_requests_from_20_clients(tmp_path, inputs):
    server = Server(tmp_path / "srv", "--jobs", "2", "--keep", f"{KEEP}s")
    try:
        first = wave(server, inputs, range(100))
        rss_first = server.rss()
        second = wave(server, inputs, range(100, 200))
        rss_second = server.rss()
        assert sorted(first + second) == sorted(f"{n:03d}-{inputs[n % len(inputs)][0]}" for n in range(200))
        assert rss_second <= rss_first * 1.10, (rss_first, rss_second)
        assert server.log().count('"POST /api/verify" 200') == 200
        deadline = time.monotonic() + KEEP + 5
        while server.folders() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert server.folders() == [] and len(server.roots()) == 1
    finally:
        assert server.stop() == 0
    assert "Traceback" not in server.log()
