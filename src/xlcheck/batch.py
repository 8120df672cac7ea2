"""Many files at once: expanding folders and globs, checking in parallel processes (results in
input order) and matching last year's reports. The summary is `outputs.summary`."""
from __future__ import annotations

import glob
import os
import signal
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Iterator

from .check import Options, Result, failed, guarded
from .findings import printable
from .model import editions
from .sources.open import SUFFIXES
from .verify import Plan, verify_path


def _ours(name: str) -> bool:
    return ".checked." in name or name.startswith(("~$", ".~lock", ".")) or name.endswith((".bak", ".tmp"))


def expand(paths: list[str]) -> list[str]:
    """Files to check, in a stable order: folders recursively (supported files only, skipping
    xlcheck's own outputs and editors' lock files), glob patterns the shell did not expand, and
    every other path as given (so a missing file is reported, not dropped)."""
    out: list[str] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(str(f) for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES and not _ours(f.name))
            out.extend(found if found else [raw])
        elif not p.exists() and glob.has_magic(raw):
            matches = sorted(glob.glob(raw, recursive=True))
            out.extend(m for m in matches if not _ours(Path(m).name)) if matches else out.append(raw)
        else:
            out.append(raw)
    seen, unique = set(), []
    for path in out:                 # a file named twice (or through a folder and its parent) is checked once
        key = os.path.abspath(path)
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


# ------------------------------------------------------------------ workers

_STATE: dict = {}


def _init(model_spec, options: Options, plan: Plan, previous_file, index):
    _STATE.update(model=_load_model(model_spec), options=options, plan=plan, previous_file=previous_file, index=index)


def _init_worker(*initargs):
    for name in ("SIGTERM", "SIGHUP"):   # a worker ends when told to (the CLI turns these into Ctrl-C)
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    _init(*initargs)


def _load_model(spec):
    if spec is None:
        return None
    kind, value = spec
    return editions.load_schema_file(value) if kind == "path" else editions.edition(value)


def _previous_for(index):
    def find(result: Result):
        return index.find(result.path, result.organ, result.year)
    return find


def _one(path: str) -> Result:
    s = _STATE
    previous = s["previous_file"] or (_previous_for(s["index"]) if s["index"] is not None else None)
    return slim(guarded(path, lambda: verify_path(path, s["model"], s["options"], s["plan"], previous)))


def slim(result: Result) -> Result:
    """What crosses the process boundary and stays in memory for the summary."""
    result.model = None
    result.reads = {}
    result.places = {}
    result.instance = {}
    return result


def run(files: list[str], model_spec, options: Options, plan: Plan, jobs: int = 1,
        previous_file: str | None = None, index=None) -> Iterator[Result]:
    """Results in input order, as they are ready."""
    jobs = max(1, min(jobs, len(files)))
    initargs = (model_spec, options, plan, previous_file, index)
    if jobs == 1:
        _init(*initargs)
        for path in files:
            yield _one(path)
        return
    yield from _parallel(files, jobs, initargs)


DIED = "{path}：校验进程意外终止（内存不足或被终止），此文件未校验"


def _pool(jobs: int, initargs) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=initargs)


def _chunk(paths: list[str]) -> list[Result]:
    return [_one(path) for path in paths]


def _alone(path: str, initargs) -> Result:
    """`path` checked in a process of its own: a worker that dies marks only its own file."""
    with _pool(1, initargs) as pool:
        try:
            return pool.submit(_one, path).result()
        except BrokenProcessPool:
            return failed(path, DIED.format(path=printable(path)))


def _submit(pool: ProcessPoolExecutor, paths: list[str]) -> Future:
    try:
        return pool.submit(_chunk, paths)
    except BrokenProcessPool as exc:          # a worker died since the last result was taken
        future: Future = Future()
        future.set_exception(exc)
        return future


def _parallel(files: list[str], jobs: int, initargs) -> Iterator[Result]:
    """A window of chunks of files in flight, results yielded in input order. A worker that dies
    (killed, out of memory) breaks the whole pool, and which file it held is not known: the files
    of the chunks still in flight are then checked again one at a time, each in a process of its
    own, and the rest go on in a new pool."""
    size = max(1, min(16, len(files) // (jobs * 4) or 1))
    chunks = iter([files[i:i + size] for i in range(0, len(files), size)])
    window: deque = deque()
    pool = _pool(jobs, initargs)
    try:
        while True:
            while len(window) < jobs * 4 and (paths := next(chunks, None)) is not None:
                window.append((paths, _submit(pool, paths)))
            if not window:
                return
            paths, future = window.popleft()
            try:
                yield from future.result()
                continue
            except BrokenProcessPool:
                pass
            pool.shutdown(wait=True, cancel_futures=True)
            for ps, f in [(paths, future)] + list(window):
                if f.done() and not f.cancelled() and f.exception() is None:
                    yield from f.result()
                else:
                    for p in ps:
                        yield _alone(p, initargs)
            window.clear()
            pool = _pool(jobs, initargs)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
