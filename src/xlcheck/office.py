"""One `verify` run over a file or a folder of many, as a supervising office runs it.

Every file a folder held is accounted for (checked, or listed as not checked with the reason);
each file's result is printed when it is done, in input order, with a progress line of n/N and
the file awaited; `--quiet` prints only the files that need attention and the closing counts;
the summary is written row by row as results come (nothing is kept per file in this process:
the workers render the text, the JSON and the summary rows). Ctrl-C or SIGTERM stops the
workers, closes the JSON document, writes the summary of the files done so far marked as partial,
and says how far the run got.
"""
from __future__ import annotations

import shutil
import signal
import sys
from collections import Counter
from typing import NamedTuple

import click

from .batch import Expansion, Render, run as run_batch
from .check import Options
from .errors import Terminated
from .findings import printable
from .outputs.report import json_text
from .verify import Plan


class Show(NamedTuple):
    fmt: str = "text"
    lang: str = "zh"
    quiet: bool = False
    verbose: bool = False


class Progress:
    """One line on the terminal's stderr: n/N and the file being awaited, cleared before a
    result is printed."""

    def __init__(self, total: int, lang: str):
        self.total, self.label = total, "校验中" if lang != "en" else "checking"

    def show(self, done: int, current: str) -> None:
        width = shutil.get_terminal_size((80, 20)).columns
        text = f"{self.label} {done}/{self.total} {printable(current)}"
        sys.stderr.write("\r\x1b[K" + text[:max(10, width - 1)])
        sys.stderr.flush()

    def clear(self) -> None:
        sys.stderr.write("\r\x1b[K")
        sys.stderr.flush()


class Signals:
    """While a run goes on, SIGINT, SIGTERM and SIGHUP end it as `Terminated` — but one that
    arrives while a result is being printed or a summary row written is held until that is done,
    so nothing is left half-written (a write-only workbook's sheet writer would be broken by it)."""

    NAMES = ("SIGINT", "SIGTERM", "SIGHUP")

    def __init__(self):
        self.held, self.pending, self.old = False, None, {}

    def _arrived(self, signum, frame):
        if self.held:
            self.pending = signum
        else:
            raise Terminated(signum)

    def __enter__(self):
        for name in self.NAMES:
            try:
                self.old[name] = signal.signal(getattr(signal, name), self._arrived)
            except (AttributeError, ValueError):      # not on this platform, or not the main thread
                pass
        return self

    def __exit__(self, *exc):
        for name, handler in self.old.items():
            signal.signal(getattr(signal, name), handler)

    def hold(self):
        self.held = True

    def release(self):
        self.held = False
        if self.pending is not None:
            raise Terminated(self.pending)


def _skipped_json(found: Expansion) -> str:
    """The JSON document's list of the files a folder held and that were not checked."""
    if not found.skipped:
        return ""
    return ', "skipped": ' + json_text([{"path": p, "reason": why} for p, why in found.skipped])


def _closing(counts: Counter, skipped: int, zh: bool) -> str:
    total = sum(counts.values())
    ok, bad, broken, other = counts["ok"], counts["invalid"], counts["error"], counts["not_report"]
    if zh:
        line = f"共 {total} 个文件：{ok} 个通过，{bad} 个有错误，{broken} 个无法校验"
        line += f"，{other} 个不是年度报告" if other else ""
        return line + (f"；另有 {skipped} 个文件未校验（见上）" if skipped else "")
    line = f"{total} files: {ok} ok, {bad} with errors, {broken} could not be checked"
    line += f", {other} not a report" if other else ""
    return line + (f"; {skipped} more files not checked (listed above)" if skipped else "")


def verify_files(found: Expansion, spec, options: Options, plan: Plan, jobs: int, show: Show,
                 summary_path: str | None = None, previous: str | None = None, index=None) -> int:
    """Check the files, print and write as results come; returns the exit code (0 ok, 1 errors,
    2 a file could not be checked). A file of a folder that holds no statutory table is counted as
    not a report and does not raise the exit code; one named on the command line does."""
    zh = show.lang != "en"
    text = show.fmt == "text"
    files, total = found.files, len(found.files)
    render = Render(show.fmt, show.lang, text and sys.stdout.isatty(), show.verbose, bool(summary_path),
                    live=sys.stdout.isatty() or sys.stderr.isatty())
    writer = None
    if summary_path:
        from .outputs import summary                  # deferred: start-up time (csv, tempfile: only with --summary)
        writer = summary.SummaryWriter(summary_path)
    for path, why in found.skipped:
        if text:
            click.echo(f"– {printable(path)}：{why}（未校验）" if zh else f"– {printable(path)}: {why} (not checked)")
        if writer:
            writer.add_rows(summary.skipped_row(path, why), [])
    if found.own and text:
        click.echo(f"另有 {found.own} 个 xlcheck 的输出、备份或编辑器锁定文件，未校验" if zh
                   else f"{found.own} of xlcheck's outputs, backups or lock files were not checked")
    if not files:
        if show.fmt == "json":
            click.echo('{"files": []' + _skipped_json(found) + "}")
        if writer:
            writer.close()
        return 2
    progress = Progress(total, show.lang) if total > 1 and sys.stderr.isatty() else None
    counts: Counter = Counter()
    if show.fmt == "json":
        click.echo('{"files": [')
    stream = run_batch(files, spec, options, plan, jobs, previous, index, render)
    with Signals() as signals:
        try:
            _each(stream, found, show, writer, progress, counts, signals)
        except (KeyboardInterrupt, Terminated) as exc:
            signals.hold()                                # a second Ctrl-C does not break the cleanup
            stream.close()                                # the workers stop, each file it held unwritten
            if progress:
                progress.clear()
            n = sum(counts.values())
            if show.fmt == "json":
                click.echo("]" + _skipped_json(found) + f', "partial": {{"done": {n}, "total": {total}}}}}')
            written = writer.close(partial=summary.partial_text(n, total)) if writer else []
            if total > 1 or written:
                where = ("；已写出部分汇总表：" if zh else "; partial summary: ") + "、".join(printable(w) for w in written) if written else ""
                click.echo((f"xlcheck：已校验 {n} / {total} 个文件" if zh else f"xlcheck: {n} of {total} files checked") + where, err=True)
            raise exc if isinstance(exc, Terminated) else Terminated(signal.SIGINT) from None
        except BaseException:
            if writer:
                writer.discard()
            raise
    if show.fmt == "json":
        click.echo("]" + _skipped_json(found) + "}")
    if writer:
        written = writer.close()
        if text:
            click.echo(("汇总表：" if zh else "summary: ") + "、".join(printable(w) for w in written))
    if text and (total > 1 or found.skipped or show.quiet):
        click.echo(_closing(counts, len(found.skipped), zh))
    return 2 if counts["error"] else 1 if counts["invalid"] else 0


def _each(stream, found: Expansion, show: Show, writer, progress, counts: Counter, signals: Signals) -> None:
    """Print and write each result as it comes, in input order."""
    files, total = found.files, len(found.files)
    if progress:
        progress.show(0, files[0])
    for i, done in enumerate(stream):
        signals.hold()
        status = "not_report" if done.not_report and done.path not in found.named else done.status
        counts[status] += 1
        if progress:
            progress.clear()
        if show.fmt == "json":
            click.echo(("," if i else "") + done.json)
            if done.status == "error":
                click.echo(f"xlcheck：{printable(done.error)}", err=True)
        elif not show.quiet or status in ("invalid", "error"):
            for line in done.text:
                click.echo(line)
        if writer:
            writer.add_rows(*done.rows)
        if progress and i + 1 < total:
            progress.show(i + 1, files[i + 1])
        signals.release()

