"""Explained warnings (核实说明): a warning the filer has checked and explained is accepted.

An explanation names a rule and a data point (or, for a finding without one, its place) and
carries the filer's text. It comes from the column 「核实说明」 of the 校验结果 sheet of an
annotated copy (read from the Grid, like every other cell), or from a file given with
`--explanations` (JSON, or YAML when PyYAML is installed) naming the report by file or organ.
A warning it matches becomes severity `info` with the text (so `--strict` no longer counts it);
an error (强制性) is never explained away; an explanation matching nothing is reported as stale.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import NamedTuple

from ..errors import InputError
from ..findings import Finding, shown
from ..grid import Grid
from ..model.workbook import RESULT_SHEET

# The columns of the 校验结果 sheet this module reads back (outputs.annotate writes them).
RULE_HEADER = {"zh": "规则", "en": "rule"}
WHERE_HEADER = {"zh": "单元格", "en": "cell"}
POINT_HEADER = {"zh": "数据项", "en": "data point"}
TEXT_HEADER = {"zh": "核实说明", "en": "explanation"}
EXPLAINED = {"zh": "已说明", "en": "explained"}


class Explanation(NamedTuple):
    rule: str
    point: str                 # a data point id, or the place of a finding that has none
    text: str
    file: str | None = None    # from --explanations: the report it is about, by file name …
    organ: str | None = None   # … or by organ

    def about(self, path: str, organ: str | None) -> bool:
        if self.file is not None:
            return Path(self.file).name == Path(path).name or _same(self.file, path)
        return self.organ is not None and self.organ == organ


def _same(a: str, b: str) -> bool:
    return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def key(f: Finding) -> tuple[str, str]:
    return f.rule, f.point or f.where or f.table or ""


# ------------------------------------------------------------------ reading them


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def from_grid(grid: Grid) -> list[Explanation]:
    """The explanations written on the 校验结果 sheet of an annotated copy: the rows below the
    header row that have text under 「核实说明」."""
    sheet = grid.sheet(RESULT_SHEET)
    if sheet is None or grid.report:
        return []
    rows: dict[int, dict[int, object]] = {}
    for (r, c), cell in sheet.cells.items():
        rows.setdefault(r, {})[c] = cell.value
    columns = None
    out = []
    for r in sorted(rows):
        row = rows[r]
        if columns is None:
            names = {_text(v): c for c, v in row.items()}
            for lang in ("zh", "en"):
                if TEXT_HEADER[lang] in names and RULE_HEADER[lang] in names:
                    columns = tuple(names.get(h[lang]) for h in (RULE_HEADER, POINT_HEADER, WHERE_HEADER, TEXT_HEADER))
                    break
            continue
        rule_col, point_col, where_col, text_col = columns
        text, rule = _text(row.get(text_col)), _text(row.get(rule_col))
        if text and rule:
            point = _text(row.get(point_col)) if point_col else ""
            out.append(Explanation(rule, point or (_text(row.get(where_col)) if where_col else ""), text))
    return out


def load(path: str) -> tuple[Explanation, ...]:
    """The explanations of an `--explanations` file: a list (or {"explanations": [...]}) of
    entries with `file` or `organ`, `rule`, `point` (or `cell`, for a finding without a data
    point) and `text`."""
    try:
        raw = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{shown(path)}：无法读取核实说明文件（{exc.__class__.__name__}）") from None
    if Path(path).suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml                           # optional: YAML only where PyYAML is already installed
        except ImportError:
            raise InputError(f"{shown(path)}：读取 YAML 需要 PyYAML（pip install pyyaml），或改用 JSON 格式") from None
        try:
            doc = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            raise InputError(f"{shown(path)}：不是有效的 YAML（{shown(str(exc).splitlines()[0])}）") from None
    else:
        try:
            doc = json.loads(raw)
        except ValueError as exc:
            raise InputError(f"{shown(path)}：不是有效的 JSON（{shown(exc)}）") from None
    entries = doc.get("explanations") if isinstance(doc, dict) else doc
    if not isinstance(entries, list):
        raise InputError(f"{shown(path)}：核实说明文件应为一个列表（或含 explanations 列表的对象）")
    out = []
    for i, e in enumerate(entries, start=1):
        if not isinstance(e, dict):
            raise InputError(f"{shown(path)}：第 {i} 条核实说明不是对象")
        rule, text = _text(e.get("rule")), _text(e.get("text"))
        file, organ = _text(e.get("file")) or None, _text(e.get("organ")) or None
        if not rule or not text or not (file or organ):
            raise InputError(f"{shown(path)}：第 {i} 条核实说明须有 rule、text，以及 file 或 organ")
        out.append(Explanation(rule, _text(e.get("point")) or _text(e.get("cell")), text, file, organ))
    return tuple(out)


# ------------------------------------------------------------------ applying them


def apply(findings: list[Finding], explanations: list[Explanation], lang: str = "zh") -> list[str]:
    """Accept each warning an explanation matches (severity `info`, the text kept on the finding);
    returns notes on what was not accepted: explanations of errors, and stale ones."""
    zh = lang != "en"
    wanted: dict[tuple[str, str], Explanation] = {}
    for e in explanations:
        wanted.setdefault((e.rule, e.point), e)
    used, notes = set(), []
    for f in findings:
        e = wanted.get(key(f))
        if e is None:
            continue
        used.add(key(f))
        if f.severity == "error":
            notes.append(f"{f.rule}（{shown(f.where or e.point)}）是强制性错误，核实说明不能免除，须改正" if zh
                         else f"{f.rule} ({shown(f.where or e.point)}) is an error: an explanation cannot accept it")
            continue
        f.severity = "info"
        f.explanation = e.text
    for k, e in wanted.items():
        if k not in used:
            notes.append(f"核实说明已失效：{e.rule}（{shown(e.point)}）的警告已不再出现，说明「{shown(e.text)}」未保留" if zh
                         else f"stale explanation: {e.rule} ({shown(e.point)}) no longer occurs; “{shown(e.text)}” was dropped")
    return notes


def explain(findings: list[Finding], grid: Grid, path: str, organ: str | None, given: tuple, lang: str) -> list[str]:
    """The explanations of one checked file — its own 校验结果 sheet's and those of the
    `--explanations` file about it — applied to its findings; returns the notes."""
    found = from_grid(grid) + [e for e in given if e.about(path, organ)]
    return apply(findings, found, lang) if found else []
