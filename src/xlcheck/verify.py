"""Verifying files end to end: read, check, annotate, with the output-path rules of the CLI."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .check import Options, Result, check_file, failed
from .errors import InputError
from .schema import Edition

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


REBUILT_FORMATS = ("xls", "ods")                 # annotated as a new .xlsx holding the tables as read
REPORT_FORMATS = ("txt", "html", "docx", "pdf")    # written as a filled template only with -o


def filled_workbook(result: Result):
    """A template of the result's edition holding the tables as read, with the findings moved
    onto its cells (so they can be marked there)."""
    from .sources.grid import address
    from .template import Options as TemplateOptions, build_workbook, cell_positions, fill, flatten

    model = result.model
    wb = build_workbook(model, TemplateOptions(year=result.year, organ=result.organ or ""))
    fill(wb, model, flatten(result.instance))
    positions = cell_positions(model)
    for f in result.findings:
        if f.point in positions:
            sheet, row, col = positions[f.point]
            f.sheet, f.cell = sheet, address(row, col)
        for o in f.operands:
            if o.point in positions:
                sheet, row, col = positions[o.point]
                o.sheet, o.cell = sheet, address(row, col)
    for repair in (result.diagnosis.repairs if result.diagnosis else []):
        for c in repair.changes:
            sheet, row, col = positions[c.point]
            c.sheet, c.cell = sheet, address(row, col)
    return wb


def write_filled(result: Result, target: Path, lang: str) -> Path:
    from .annotate import annotate_bytes
    from .fileio import atomic_write_bytes
    from .template import workbook_bytes

    raw = workbook_bytes(filled_workbook(result))
    return atomic_write_bytes(target, annotate_bytes(raw, result.findings, lang, result.diagnosis))


def add_continuity(result: Result, options: Options, previous: str | None, reason: str | None = None) -> None:
    """Check `result` against last year's report at `previous`; without one, say the continuity
    rules were not assessed."""
    from .check import finish, status_of
    from .continuity import assess, not_assessed

    if result.status == "error" or result.model is None:
        return
    model = result.model
    if previous is None:
        new = not_assessed(model, reason or "没有找到上一年度的报告", "no report of the previous year was found")
        result.continuity = {"status": "not_assessed", "previous": None, "reason": reason or "没有找到上一年度的报告"}
    else:
        last = check_file(previous, None, Options(lang=options.lang))
        if last.status == "error":
            new = not_assessed(model, f"上一年度的报告无法读取：{last.error}", f"last year's report could not be read: {last.error}")
            result.continuity = {"status": "not_assessed", "previous": previous, "reason": last.error}
        else:
            new = assess(model, result, last, previous, options.lang)
            result.continuity = {"status": "assessed", "previous": previous, "previous_year": last.year}
    result.findings = finish(result.findings + new, model, options)
    result.status = status_of(result.findings, options.strict)


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
    if fmt in REBUILT_FORMATS or (fmt in REPORT_FORMATS and plan.output):
        if plan.in_place:
            bad = failed(path, f"{path}：.{fmt} 文件不能就地标注；请用 -o 指定新的 .xlsx 文件")
            bad.findings, bad.edition = result.findings, result.edition
            return bad
        target = output_for(source, plan)
        if target.suffix.lower() != ".xlsx":
            target = target.with_suffix(".xlsx")
        try:
            result.output = str(write_filled(result, target, options.lang))
        except InputError as exc:
            bad = failed(path, str(exc))
            bad.findings, bad.edition = result.findings, result.edition
            return bad
        return result
    if source.suffix.lower() not in WORKBOOK_SUFFIXES or fmt not in ("xlsx", "xlsm"):
        return result
    target = output_for(source, plan)
    try:
        if plan.in_place:
            from .fileio import backup
            backup(source)
        elif target.resolve() == source.resolve():
            raise InputError(f"{target}：输出文件与输入文件相同；要写入输入文件请用 --in-place")
        from .annotate import annotate_file
        written, warning = annotate_file(source, target, result.findings, options.lang, result.diagnosis)
        result.output = str(written)
        if warning:
            result.notes.append(warning)
    except InputError as exc:
        bad = failed(path, str(exc))
        bad.findings, bad.edition = result.findings, result.edition
        return bad
    return result
