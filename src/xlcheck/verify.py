"""Verifying files end to end: read, check, annotate, with the output-path rules of the CLI."""
from __future__ import annotations

from dataclasses import dataclass, field
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


def verify_path(path: str, model: Edition | None, options: Options, plan: Plan) -> Result:
    result = check_file(path, model, options)
    if result.status == "error" or not plan.annotate:
        return result
    source = Path(path)
    if source.suffix.lower() not in WORKBOOK_SUFFIXES or result.source_format not in ("xlsx", "xlsm"):
        return result
    target = output_for(source, plan)
    try:
        if plan.in_place:
            from .fileio import backup
            backup(source)
        elif target.resolve() == source.resolve():
            raise InputError(f"{target}：输出文件与输入文件相同；要写入输入文件请用 --in-place")
        from .annotate import annotate_file
        result.output = str(annotate_file(source, target, result.findings, options.lang))
    except InputError as exc:
        bad = failed(path, str(exc))
        bad.findings, bad.edition = result.findings, result.edition
        return bad
    return result
