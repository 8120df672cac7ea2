"""The worker processes that do the checking, so that the event loop only moves bytes: one slow
PDF occupies one worker while the page, downloads and other checks go on. Each task is a plain
function of the application layer (verify, summary, template, xlwings) run in a worker."""
from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path

from ..batch import run as run_batch
from ..check import Options, Result, failed
from ..errors import InputError
from ..verify import Plan

TASKS_PER_WORKER = 1000            # a worker is replaced after this many tasks, so no leak can accumulate


def _init() -> None:
    # Ctrl-C reaches the whole process group: only the server process answers it (it shuts the
    # pool down); a worker that took it too would print a traceback mid-check.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class Pool:
    def __init__(self, jobs: int):
        self.jobs = jobs
        self._executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        # spawn: the server process has threads (the event loop's, uvicorn's), which fork would copy mid-state
        return ProcessPoolExecutor(max_workers=self.jobs, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_init, max_tasks_per_child=TASKS_PER_WORKER)

    async def run(self, fn, *args):
        loop = asyncio.get_running_loop()
        executor = self._executor
        try:
            return await loop.run_in_executor(executor, fn, *args)
        except BrokenProcessPool:
            if executor is self._executor:   # a worker died (killed, out of memory): start afresh for the next task
                self._executor = self._start()
            raise

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


# ------------------------------------------------------------------ tasks (run in a worker)

def check(path: str, spec: tuple[str, str] | None, options: Options, plan: Plan, previous: str | None) -> Result:
    """One uploaded file through the batch runner, as `xlcheck verify` checks it (errors caught,
    the result slimmed for the trip back); `spec` names the edition or custom schema, as the CLI's."""
    return next(run_batch([path], spec, options, plan, 1, previous))


def broken(path: str) -> Result:
    return failed(path, f"{path}：校验进程意外退出（文件可能过于复杂），请稍后重试或联系管理员")


@contextmanager
def _cwd(path: Path):
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def summary(folder: str, name: str, results: list[Result]) -> str:
    """The summary workbook of a request, written in its folder. Each result's `output` is the
    name its annotated copy downloads as, and the summary is written from inside the folder, so
    its links are those bare names: they work where the clerk saves the downloads together.
    (Only a worker may change its working directory: it runs one task at a time.)"""
    from ..outputs.summary import write_summary        # deferred (start-up time): openpyxl
    with _cwd(Path(folder)):
        write_summary(name, results)
    return str(Path(folder) / name)


def template(year: int, organ: str) -> tuple[bytes, str]:
    """The blank workbook of a report year, and the edition's title."""
    from ..model.editions import edition_for_year      # deferred (start-up time): openpyxl
    from ..outputs.template import Options as TemplateOptions, build_workbook, workbook_bytes
    model = edition_for_year(year)
    return workbook_bytes(build_workbook(model, TemplateOptions(year=year, organ=organ))), model.title


def xlwings(payload: dict) -> tuple[int, dict]:
    """The actions answering an xlwings Office.js payload: the workbook checked and marked by
    `verify_book` through xlwings' remote engine, as an xlwings Server endpoint answers."""
    try:
        import xlwings as xw                            # deferred (start-up time): xlwings' remote engine
        from ..excel import verify_book
        book = xw.Book(json=payload)
        verify_book(book)
        return 200, book.json()
    except InputError as exc:
        return 422, {"error": str(exc)}
    except Exception as exc:          # a payload the engine cannot take, or no licence key: a message, not a traceback
        if "licen" in f"{exc.__class__.__name__} {exc}".lower():
            return 503, {"error": "服务器未配置 xlwings 远程引擎的许可证：启动前设置环境变量 XLWINGS_LICENSE_KEY"
                                  "（政府机关和非商业用途可设为 noncommercial）"}
        return 400, {"error": f"无法读取 xlwings 发送的工作簿数据（{exc.__class__.__name__}）"}
