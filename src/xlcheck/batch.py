"""Many files at once: expanding folders and globs, checking in parallel processes (results in
input order) and matching last year's reports. The summary is `outputs.summary`."""
from __future__ import annotations

import glob
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Iterator

from .check import Options, Result, failed
from .errors import InputError
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
    try:
        result = verify_path(path, s["model"], s["options"], s["plan"], previous)
    except InputError as exc:
        result = failed(path, str(exc))
    except Exception as exc:       # a bug must not end the batch: report it on this file
        result = failed(path, f"{path}：内部错误（{exc.__class__.__name__}: {exc}），请报告此问题")
    return slim(result)


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
    if jobs == 1:
        _init(model_spec, options, plan, previous_file, index)
        for path in files:
            yield _one(path)
        return
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init,
                             initargs=(model_spec, options, plan, previous_file, index)) as pool:
        yield from pool.map(_one, files, chunksize=max(1, min(16, len(files) // (jobs * 4) or 1)))
