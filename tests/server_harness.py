"""The real `xlcheck serve` in a subprocess on a free loopback port, for the server tests: started
with its own temporary root (TMPDIR), stopped with Ctrl-C (SIGINT), its log kept."""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "yueqing-2021-with-errors.xlsx"
GOOD = ROOT / "examples" / "yueqing-2021.xlsx"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, tmp: Path, *args: str, env: dict | None = None):
        self.tmp = tmp
        tmp.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp / "server.log"
        environ = {k: v for k, v in os.environ.items() if k != "XLCHECK_TOKEN"}
        # xlwings' remote engine is free for noncommercial and government use; the tests enable it
        environ.update({"TMPDIR": str(tmp), "XLWINGS_LICENSE_KEY": "noncommercial", **(env or {})})
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "xlcheck", "serve", "--port", str(self.port), *args],
                                     stdout=self._log, stderr=subprocess.STDOUT, env=environ, cwd=tmp)
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(self.base + "/static/style.css", timeout=2)
                break
            except httpx.TransportError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"the server did not start:\n{self.log()}")
                time.sleep(0.1)

    def url(self, path: str) -> str:
        return self.base + path

    def log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def roots(self) -> list[Path]:
        return sorted(self.tmp.glob("xlcheck-serve-*"))

    def folders(self) -> list[Path]:
        return [p for root in self.roots() for p in root.iterdir()]

    def processes(self) -> list[int]:
        """The server and its worker processes."""
        pids, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            for task in Path(f"/proc/{pid}/task").glob("*"):
                try:
                    todo += [int(c) for c in (task / "children").read_text().split()]
                except OSError:
                    pass
        return pids

    def rss(self) -> int:
        """Resident memory of the server and its workers, in bytes."""
        total = 0
        for pid in self.processes():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            total += next(int(l.split()[1]) for l in status.splitlines() if l.startswith("VmRSS:")) * 1024
        return total

    def stop(self) -> int:
        """Ctrl-C, as an office's operator stops it; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return self.proc.returncode
