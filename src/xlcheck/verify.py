"""Verifying and clearing files end to end — read, check, compare with last year's report,
annotate — with the output-path rules of the CLI, and the one per-file error path: whatever a
file does, its Result says so in one line and the run goes on (`guarded`)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .check import Options, Result, check_file, failed, guarded
from .errors import InputError
from .findings import printable
from .grid import address
from .model.schema import Edition, flatten
from .model.workbook import cell_positions
from .sources.open import format_of_suffix, read_source

MARKED_IN_PLACE = ("xlsx", "xlsm")      # formats annotated on their own package; others as a filled template
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
SPREADSHEETS = ("xlsx", "xlsm", "xls", "ods")   # formats that get an annotated copy without -o


@dataclass(eq=False)      # never compared by value: no __eq__ to generate at start-up
class Plan:
    annotate: bool = True
    output: str | None = None          # a file (one input) or a directory (several)
    in_place: bool = False
    many: bool = False
    inputs: frozenset = frozenset()    # `same_file` keys of every input of the run: never written to
    targets: dict = field(default_factory=dict)   # input → its annotated copy, unique in the run (`plan_outputs`)
    renamed: dict = field(default_factory=dict)   # input → the note saying its output was renamed


def same_file(path) -> str:
    """One key per file, whatever the spelling of its path (symlinks, `..`, case on Windows)."""
    return os.path.normcase(os.path.realpath(path))


def default_output(path: Path) -> Path:
    suffix = path.suffix.lower() if path.suffix.lower() in WORKBOOK_SUFFIXES else ".xlsx"
    return path.with_name(f"{path.stem}.checked{suffix}")


def output_for(path: Path, plan: Plan) -> Path:
    if plan.in_place:
        return Path(os.path.realpath(path))          # a symlink's real file is marked, the link stays
    if str(path) in plan.targets:
        return Path(plan.targets[str(path)])
    if plan.output:
        out = Path(plan.output)
        if plan.many or out.is_dir():
            return out / default_output(path).name
        return out
    return default_output(path)


def plan_outputs(files: list[str], plan: Plan) -> None:
    """Fill in the plan's inputs and make every annotated copy's path unique: two inputs that would
    share one (u1/年报.xlsx and u2/年报.xlsx into one -o folder) get 年报.checked.xlsx and
    年报-2.checked.xlsx, one that is another input of the run is numbered too, and each renamed one
    gets a note saying so."""
    plan.inputs = frozenset(same_file(f) for f in files)
    if not plan.annotate or plan.in_place:
        return
    taken: dict[str, str] = {}
    for path in files:
        fmt = format_of_suffix(path)
        if not plan.output and (fmt is None or fmt.name not in SPREADSHEETS):
            continue                  # a published report gets a copy only with -o
        target = output_for(Path(path), plan)
        n = 1
        candidate = target
        while same_file(candidate) in taken or same_file(candidate) in plan.inputs - {same_file(path)}:
            n += 1
            candidate = target.with_name(_numbered(target.name, n))
        plan.targets[path] = str(candidate)
        if n > 1:
            other = taken.get(same_file(target))
            plan.renamed[path] = (f"标注副本改名为 {candidate.name}（{target.name} 已是 {other} 的标注副本）" if other
                                  else f"标注副本改名为 {candidate.name}（{target.name} 是本次校验的输入文件）")
        taken[same_file(candidate)] = path


def _numbered(name: str, n: int) -> str:
    stem, dot, rest = name.partition(".")
    return f"{stem}-{n}{dot}{rest}"


def check_target(target: Path, source: Path, plan: Plan) -> None:
    """Refuse an output that is the input, or any other input of the same run."""
    key = same_file(target)
    if key == same_file(source) and not plan.in_place:
        raise InputError(f"{printable(target)}：输出文件与输入文件相同；要写入输入文件请用 --in-place")
    if key in plan.inputs and key != same_file(source):
        raise InputError(f"{printable(target)}：输出文件是本次校验的另一个输入文件，不能覆盖")


def move_to_template(result: Result) -> None:
    """Findings, operands and repairs moved onto the template's cells, where the filled template
    marks them (a report's findings keep their line)."""
    positions = {point: (sheet, address(row, col)) for point, (sheet, row, col) in cell_positions(result.model).items()}
    for f in result.findings:
        f.sheet, f.cell = positions.get(f.point, (f.sheet, f.cell))
        for o in f.operands:
            o.sheet, o.cell = positions.get(o.point, (o.sheet, o.cell))
    for repair in (result.diagnosis.repairs if result.diagnosis else []):
        for c in repair.changes:
            c.sheet, c.cell = positions[c.point]


def write_filled(result: Result, target: Path, lang: str) -> Path:
    """A template of the result's edition holding the tables as read, annotated."""
    from .outputs.annotate import annotate_bytes                 # deferred: start-up time (only when annotating)
    from .outputs.template import Options as TemplateOptions, build_workbook, fill, workbook_bytes  # deferred: start-up time (openpyxl)
    from .fileio import atomic_write_bytes                       # deferred: start-up time (tempfile, socket: only when writing)
    from .outputs.ooxml import cell_text                         # deferred: start-up time, as above

    model = result.model
    wb = build_workbook(model, TemplateOptions(year=result.year, organ=cell_text(result.organ or "")))
    fill(wb, model, {k: cell_text(v) for k, v in flatten(result.instance).items()})
    move_to_template(result)
    return atomic_write_bytes(target, annotate_bytes(workbook_bytes(wb), result.findings, lang, result.diagnosis))


def verify_path(path: str, model: Edition | None, options: Options, plan: Plan, previous=None) -> Result:
    """Check one file, compare it with last year's when asked (`previous`: a path, or a callable
    taking the Result and returning a path or None), and annotate it as the plan says."""
    result = check_file(path, model, options)
    if previous is not None and result.status != "error":
        from .previous import add_continuity                      # deferred: start-up time (only with last year's report)
        found = previous(result) if callable(previous) else previous
        add_continuity(result, options, found)
    if result.status == "error" or not plan.annotate:
        return result
    source = Path(path)
    fmt = result.source_format
    if fmt not in MARKED_IN_PLACE and (not result.report or plan.output):
        if plan.in_place:
            return failed(path, f"{path}：.{fmt} 文件不能就地标注；请用 -o 指定新的 .xlsx 文件", result)
        target = output_for(source, plan)
        if target.suffix.lower() != ".xlsx":
            target = target.with_suffix(".xlsx")
        try:
            check_target(target, source, plan)
            result.output = str(write_filled(result, target, options.lang))
        except InputError as exc:
            return failed(path, str(exc), result)
        return result
    if source.suffix.lower() not in WORKBOOK_SUFFIXES or fmt not in MARKED_IN_PLACE:
        return result
    target = output_for(source, plan)
    try:
        check_target(target, source, plan)
        if plan.in_place:
            from .fileio import backup                            # deferred: start-up time (only when writing)
            backup(target)
        from .outputs.annotate import annotate_file              # deferred: start-up time (only when annotating)
        written, warning = annotate_file(source, target, result.findings, options.lang, result.diagnosis)
        result.output = str(written)
        if warning:
            result.notes.append(warning)
    except InputError as exc:
        return failed(path, str(exc), result)
    if path in plan.renamed:
        result.notes.append(plan.renamed[path])
    return result


def clear_path(path: str, output: str | None = None) -> Result:
    """Remove xlcheck's marks from one workbook: into `output`, or in place keeping `.bak` (a
    symlink's real file is cleared). `notes` holds how many cells were marked."""
    def work() -> Result:
        grid = read_source(path)                  # the same refusals as verify, before touching anything
        if grid.format not in MARKED_IN_PLACE:
            raise InputError(f"{printable(path)}：只有 .xlsx / .xlsm 工作簿带有 xlcheck 的标注，不能清除 .{grid.format} 文件")
        source = Path(path)
        target = Path(output) if output else Path(os.path.realpath(source))
        check_target(target, source, Plan(in_place=output is None))
        from .outputs.annotate import clear_file                 # deferred: start-up time (only when clearing)
        n = clear_file(source, target, keep_backup=output is None)
        return Result(path=str(path), output=str(target), notes=[str(n)])
    return guarded(path, work)
