"""Verifying files end to end: read, check, compare with last year's report, annotate, with the
output-path rules of the CLI."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .check import Options, Result, check_file, failed
from .errors import InputError
from .fileio import atomic_write_bytes, backup
from .grid import address
from .model.schema import Edition, flatten
from .model.workbook import cell_positions
from .previous import add_continuity

MARKED_IN_PLACE = ("xlsx", "xlsm")      # formats annotated on their own package; others as a filled template
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class Plan:
    annotate: bool = True
    output: str | None = None          # a file (one input) or a directory (several)
    in_place: bool = False
    many: bool = False


def default_output(path: Path) -> Path:
    suffix = path.suffix.lower() if path.suffix.lower() in WORKBOOK_SUFFIXES else ".xlsx"
    return path.with_name(f"{path.stem}.checked{suffix}")


def output_for(path: Path, plan: Plan) -> Path:
    if plan.in_place:
        return path
    if plan.output:
        out = Path(plan.output)
        if plan.many or out.is_dir():
            return out / default_output(path).name
        return out
    return default_output(path)


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

    model = result.model
    wb = build_workbook(model, TemplateOptions(year=result.year, organ=result.organ or ""))
    fill(wb, model, flatten(result.instance))
    move_to_template(result)
    return atomic_write_bytes(target, annotate_bytes(workbook_bytes(wb), result.findings, lang, result.diagnosis))


def verify_path(path: str, model: Edition | None, options: Options, plan: Plan, previous=None) -> Result:
    """Check one file, compare it with last year's when asked (`previous`: a path, or a callable
    taking the Result and returning a path or None), and annotate it as the plan says."""
    result = check_file(path, model, options)
    if previous is not None and result.status != "error":
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
            result.output = str(write_filled(result, target, options.lang))
        except InputError as exc:
            return failed(path, str(exc), result)
        return result
    if source.suffix.lower() not in WORKBOOK_SUFFIXES or fmt not in MARKED_IN_PLACE:
        return result
    target = output_for(source, plan)
    try:
        if plan.in_place:
            backup(source)
        elif target.resolve() == source.resolve():
            raise InputError(f"{target}：输出文件与输入文件相同；要写入输入文件请用 --in-place")
        from .outputs.annotate import annotate_file              # deferred: start-up time (only when annotating)
        written, warning = annotate_file(source, target, result.findings, options.lang, result.diagnosis)
        result.output = str(written)
        if warning:
            result.notes.append(warning)
    except InputError as exc:
        return failed(path, str(exc), result)
    return result
