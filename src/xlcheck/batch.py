"""Many files at once: expanding folders and globs, checking in parallel processes (results in
input order) and matching last year's reports. The summary is `outputs.summary`."""
from __future__ import annotations

import glob
import os
import signal
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, NamedTuple

from .check import Options, Result, failed, guarded
from .outputs.report import json_file, text_lines
from .findings import printable
from .model import editions
from .sources.open import SUFFIXES, UNREADABLE
from .verify import Plan, verify_path

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor


def _ours(name: str) -> bool:
    """xlcheck's own outputs and temporary files, backups, editors' lock files, hidden files."""
    return ".checked." in name or name.startswith(("~$", ".~lock", ".")) or name.endswith((".bak", ".tmp")) \
        or name.endswith(".findings.xlsx")


def _source_present(f: Path) -> bool:
    """Whether an annotated copy's own input sits beside it (then the copy is not checked again;
    a copy sent without its input — with a unit's 核实说明, say — is checked)."""
    stem = f.name.split(".checked.")[0]
    return any(p.stem == stem and p.suffix.lower() in SUFFIXES for p in f.parent.glob(glob.escape(stem) + ".*"))


@dataclass(eq=False)      # never compared by value: no __eq__ to generate at start-up
class Expansion:
    files: list[str] = field(default_factory=list)       # to check, in a stable order
    skipped: list[tuple[str, str]] = field(default_factory=list)   # (path, why) of files a folder held and not checked
    own: int = 0                                          # xlcheck's outputs, lock and hidden files: counted, not listed
    named: set = field(default_factory=set)               # files named on the command line (not found in a folder)


def _why_not(f: Path) -> str:
    suffix = f.suffix.lower()
    return UNREADABLE.get(suffix) or f"不是 xlcheck 能读取的文件类型（{suffix or '无扩展名'}）"


def expand_all(paths: list[str]) -> Expansion:
    """Files to check, in a stable order: folders recursively (supported files; every other file
    is listed as skipped with the reason, xlcheck's own outputs and lock files counted), glob
    patterns the shell did not expand, and every other path as given (so a missing file is
    reported, not dropped). A folder with nothing to check is listed as skipped."""
    out = Expansion()
    found: list[str] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            checkable = []
            for f in sorted(p.rglob("*")):
                if not f.is_file():
                    continue
                if _ours(f.name) and not (".checked." in f.name and not _source_present(f)):
                    out.own += 1
                elif f.suffix.lower() in SUFFIXES:
                    checkable.append(str(f))
                else:
                    out.skipped.append((str(f), _why_not(f)))
            found.extend(checkable)
            if not checkable:
                out.skipped.append((raw, "目录中没有可校验的文件"))
        elif not p.exists() and glob.has_magic(raw):
            matches = sorted(glob.glob(raw, recursive=True))
            found.extend(m for m in matches if not _ours(Path(m).name)) if matches else found.append(raw)
        else:
            found.append(raw)
            out.named.add(raw)
    seen = set()
    for path in found:               # a file named twice (or through a folder and its parent) is checked once
        key = os.path.abspath(path)
        if key not in seen:
            seen.add(key)
            out.files.append(path)
    return out


def expand(paths: list[str]) -> list[str]:
    """The files `expand_all` would check."""
    return expand_all(paths).files


# ------------------------------------------------------------------ workers

_STATE: dict = {"busy": False}


class Render(NamedTuple):
    """What a worker makes of a result besides the result itself, so the parent only writes."""
    fmt: str = "text"          # text | json
    lang: str = "zh"
    color: bool = False
    verbose: bool = False
    summary: bool = False
    live: bool = False         # a person watches: each file goes to a worker alone, its line printed when it is done


class Done(NamedTuple):
    """A file's result as rendered where it was checked: what the parent prints and writes, and
    no findings to keep."""
    path: str
    status: str
    not_report: bool
    error: str | None
    text: list[str]
    json: str | None
    rows: tuple | None          # the summary's row and findings rows (outputs.summary.rows_of)


def rendered(result: Result, render: Render) -> Done:
    if render.summary:
        from .outputs.summary import rows_of                  # deferred: start-up time (one file writes no summary)
    text = text_lines(result, render.lang, render.color, render.verbose) if render.fmt == "text" else []
    return Done(result.path, result.status, result.not_report, result.error, text,
                json_file(result) if render.fmt == "json" else None, rows_of(result) if render.summary else None)


def _init(model_spec, options: Options, plan: Plan, previous_file, index, render=None):
    _STATE.update(model=_load_model(model_spec), options=options, plan=plan, previous_file=previous_file, index=index,
                  render=render)


def _stop(signum, frame):
    """In a worker: a signal while a file is being checked ends that check as Ctrl-C does (its
    temporary output removed on the way out), then the worker; an idle worker just ends. A
    further signal while that cleanup runs is let pass: the pool terminates every worker once
    one has exited, and that would break the cleanup off, leaving the temporary file."""
    if not _STATE["busy"]:
        os._exit(128 + signum)
    if not _STATE.get("stopping"):
        _STATE["stopping"] = True
        raise KeyboardInterrupt


def _init_worker(*initargs):
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _stop)
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


def _one(path: str) -> Result | Done:
    s = _STATE
    previous = s["previous_file"] or (_previous_for(s["index"]) if s["index"] is not None else None)
    result = slim(guarded(path, lambda: verify_path(path, s["model"], s["options"], s["plan"], previous)))
    return rendered(result, s["render"]) if s["render"] is not None else result


def slim(result: Result) -> Result:
    """What crosses the process boundary and stays in memory for the summary."""
    result.model = None
    result.reads = {}
    result.places = {}
    result.instance = {}
    return result


def run(files: list[str], model_spec, options: Options, plan: Plan, jobs: int = 1,
        previous_file: str | None = None, index=None, render: Render | None = None) -> Iterator[Result | Done]:
    """Results in input order, as they are ready (each as a `Done` when `render` says how)."""
    jobs = max(1, min(jobs, len(files)))
    initargs = (model_spec, options, plan, previous_file, index, render)
    if jobs == 1:
        _init(*initargs)
        for path in files:
            yield _one(path)
        return
    yield from _parallel(files, jobs, initargs)


DIED = "{path}：校验进程意外终止（内存不足或被终止），此文件未校验"


def _pool(jobs: int, initargs) -> ProcessPoolExecutor:
    from concurrent.futures import ProcessPoolExecutor    # deferred: start-up time (multiprocessing, ~30 ms; one file needs none)
    return ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=initargs)


def _chunk(paths: list[str]) -> list[Result | Done]:
    _STATE["busy"] = True
    try:
        return [_one(path) for path in paths]
    except KeyboardInterrupt:          # told to stop (`_stop`): the file's temporary output is gone
        os._exit(130)
    finally:
        _STATE["busy"] = False


def _alone(path: str, initargs) -> Result | Done:
    """`path` checked in a process of its own: a worker that dies marks only its own file."""
    from concurrent.futures.process import BrokenProcessPool   # deferred: start-up time, as in _pool
    with _pool(1, initargs) as pool:
        try:
            return pool.submit(_one, path).result()
        except BrokenProcessPool:
            result = failed(path, DIED.format(path=printable(path)))
            return rendered(result, initargs[-1]) if initargs[-1] is not None else result


def _submit(pool: ProcessPoolExecutor, paths: list[str]) -> Future:
    from concurrent.futures import Future                      # deferred: start-up time, as in _pool
    from concurrent.futures.process import BrokenProcessPool
    try:
        return pool.submit(_chunk, paths)
    except BrokenProcessPool as exc:          # a worker died since the last result was taken
        future: Future = Future()
        future.set_exception(exc)
        return future


def _halt(pool: ProcessPoolExecutor) -> None:
    """Stop every worker now (an interrupted run): each ends the file it holds as on Ctrl-C."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            process.terminate()
        except (OSError, AttributeError):
            pass


def _parallel(files: list[str], jobs: int, initargs) -> Iterator[Result | Done]:
    """A window of chunks of files in flight, results yielded in input order. A worker that dies
    (killed, out of memory) breaks the whole pool, and which file it held is not known: the files
    of the chunks still in flight are then checked again one at a time, each in a process of its
    own, and the rest go on in a new pool."""
    from concurrent.futures.process import BrokenProcessPool   # deferred: start-up time, as in _pool
    live = initargs[-1] is not None and initargs[-1].live
    size = 1 if live else max(1, min(16, len(files) // (jobs * 4) or 1))   # chunks: ~12% faster, results by the chunk
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
    except BaseException:              # Ctrl-C, SIGTERM, or the consumer closed the stream
        _halt(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
