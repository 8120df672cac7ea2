"""Grid + edition model → JSON instance → findings.

Scopes, as frictionless organises its checks: cell (how each value was read, its type), row and
table (the arithmetic keywords of the schema), report (edition, prose). The arithmetic and the
types are checked by jsonschema with our keywords; everything here maps its errors back to cells.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from .errors import InputError
from .findings import Finding, Operand, counts, render
from .keywords import Equation, RelationCollector, ReportValidator, validator_for
from .schema import Edition
from .sources.grid import Grid, address, col_number
from .values import Read, read_value

CELL_TYPE_KEYWORDS = {"type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "enum", "const"}


def relations(model: Edition, instance: dict[str, Any], kinds=("x-sum", "x-balance", "x-compare")) -> Iterator[tuple[Any, tuple[str, ...]]]:
    """Every relation the schema's keywords define over `instance`, holding or not, with the
    path of the object it was stated on (so `base + rel.target` is the absolute data point)."""
    for error in validator_for(model.schema, RelationCollector).iter_errors(instance):
        rel = getattr(error, "xlcheck", None)
        if rel is None or error.validator not in kinds:
            continue
        path = tuple(error.absolute_path)
        yield rel, path[: len(path) - len(rel.target)]


@dataclass
class Options:
    lang: str = "zh"
    strict: bool = False
    year: int | None = None
    severities: dict[str, str] = field(default_factory=dict)   # rule id → error | warning | off


@dataclass
class Result:
    path: str
    edition: str | None = None
    status: str = "ok"                 # ok | invalid | error
    findings: list[Finding] = field(default_factory=list)
    output: str | None = None
    error: str | None = None
    organ: str | None = None
    year: int | None = None
    model: Edition | None = field(default=None, repr=False)
    cells: dict[str, tuple[str, int, int]] = field(default_factory=dict, repr=False)
    instance: dict[str, Any] = field(default_factory=dict, repr=False)
    reads: dict[str, Read] = field(default_factory=dict, repr=False)
    source_format: str | None = None
    diagnosis: Any = None
    continuity: dict | None = None     # None: last year's report was not asked for
    notes: list[str] = field(default_factory=list)   # things the user should know about the outputs

    @property
    def counts(self) -> dict[str, int]:
        return counts(self.findings)

    def to_json(self) -> dict[str, Any]:
        out = {"path": self.path, "edition": self.edition, "status": self.status, "organ": self.organ,
               "year": self.year, "counts": self.counts, "findings": [f.to_json() for f in self.findings],
               "diagnosis": self.diagnosis.to_json() if self.diagnosis else None, "output": self.output}
        if self.continuity is not None:
            out["continuity"] = self.continuity
        if self.notes:
            out["notes"] = self.notes
        if self.error:
            out["error"] = self.error
        return out


def failed(path: str, message: str) -> Result:
    return Result(path=str(path), status="error", error=message)


# ---------------------------------------------------------------- reading cells


_SUM = re.compile(r"^\s*SUM\((.*)\)\s*$", re.IGNORECASE)
_REF = re.compile(r"^(?:(?:'((?:[^']|'')+)'|([^'!]+))!)?\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")


def evaluate_sum(formula: str, sheet: str, grid: Grid, depth: int = 0) -> float | None:
    """The value of a plain SUM(...) or a sum of cells (A1+B2+C3), or None for anything else."""
    if depth > 20:
        return None
    m = _SUM.match(formula)
    parts = m.group(1).split(",") if m else formula.split("+")
    total = 0
    for part in parts:
        ref = _REF.match(part.strip().upper() if "'" not in part else part.strip())
        if not ref:
            return None
        target = (ref.group(1) or "").replace("''", "'") or ref.group(2) or sheet
        ws = grid.sheet(target)
        if ws is None:
            return None
        c1, r1 = col_number(ref.group(3).upper()), int(ref.group(4))
        c2, r2 = (col_number(ref.group(5).upper()), int(ref.group(6))) if ref.group(5) else (c1, r1)
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                cell = ws.cells.get((r, c))
                if cell is None:
                    continue
                value = cell.value
                if cell.formula and not cell.cached:
                    value = evaluate_sum(cell.formula, target, grid, depth + 1)
                    if value is None:
                        return None
                read = read_value(value)
                if not isinstance(read.value, (int, float)):
                    return None if not (m and isinstance(read.value, str)) else 0   # SUM skips text
                total += read.value
    return total


# ---------------------------------------------------------------- checking


REPORT_FORMATS = ("txt", "html", "docx", "pdf")


def check_grid(grid: Grid, model: Edition | None = None, options: Options | None = None) -> Result:
    from .locate import locate

    options = options or Options()
    located = locate(grid, model, options.year)
    model = located.model
    result = Result(path=grid.path, edition=model.edition, model=model, cells=located.cells, source_format=grid.format)
    result.organ = located.meta.get("organ") or None
    result.year = options.year or _int(located.meta.get("report_year"))
    report = grid.format in REPORT_FORMATS
    findings: list[Finding] = list(located.findings)
    if result.year and model.last_year is not None and result.year > model.last_year:
        findings.append(Finding("edition.outdated", _severity(model, "edition.outdated"),
                                detail={"kind": "text",
                                        "zh": f"{result.year} 年度的报告使用了已停用的 {model.edition} 年版表格（{model.issued_by}，适用于 {model.years_text()} 年度）",
                                        "en": f"a {result.year} report uses the outdated {model.edition} edition ({model.issued_by}, for {model.years_text()})"}))

    instance: dict[str, Any] = {}
    sheets = {s.name: s.cells for s in reversed(grid.sheets)}    # the first of a name wins, as grid.sheet()
    for table in model.tables:
        cell_findings: list[Finding] = []
        empty: list[bool] = []
        for p in table.points:
            ref = located.cells.get(p.id)
            if ref is None:
                continue
            cell = sheets.get(ref[0], {}).get(ref[1:])
            raw, formula, cached = (None, None, True) if cell is None else (cell.value, cell.formula, cell.cached)
            if formula and not cached:
                value = evaluate_sum(formula, ref[0], grid)
                cell_findings.append(_finding(model, "cell.formula_not_calculated", p.id, ref, found=value,
                                              detail={"kind": "cell", "formula": formula, "evaluated": value is not None}))
                if value is None:
                    continue
                raw = value
            read = read_value(raw)
            result.reads[p.id] = read
            instance.setdefault(p.table, {}).setdefault(p.row, {})[p.column] = read.value
            empty.append(read.empty)
            if read.rule and not (report and read.how in ("text", "spaces")):   # a report's numbers are text
                cell_findings.append(_finding(model, read.rule, p.id, ref, found=read.value,
                                              detail={"kind": "cell", "seen": read.seen, "how": read.how}))
        if empty and all(empty) and len(empty) == len(table.points):
            first = table.points[0]
            findings.append(_finding(model, "table.empty", first.id, located.cells.get(first.id),
                                     detail={"kind": "text", "zh": f"{table.label}：整张表没有填写（所有单元格为空或为占位符；没有的应填 0）",
                                             "en": f"{table.label}: the table was not filled in (every cell blank or a placeholder; write 0 for none)"}))
            cell_findings = [f for f in cell_findings if f.rule not in ("cell.blank", "cell.placeholder")]
        findings.extend(cell_findings)
    result.instance = instance

    for error in validator_for(model.schema, ReportValidator).iter_errors(instance):
        if error.validator == "required" and not error.absolute_path:
            continue                      # a whole table not found: reported once by the locator
        findings.extend(_from_error(model, error, located.cells))
    if report and grid.text:
        from .narrative import prose_findings
        for f in prose_findings(grid.text, model, instance):
            ref = located.cells.get(f.detail.get("point", ""))
            if ref:
                f.sheet, f.cell = ref[0], address(ref[1], ref[2])
            findings.append(f)
    if any(_is_equation(model, f.rule) for f in findings):
        from .diagnose import diagnose
        result.diagnosis = diagnose(model, instance, result.reads, None if report else located.cells)
    if report:
        _to_lines(findings, grid)
    result.findings = finish(findings, model, options)
    result.status = status_of(result.findings, options.strict)
    return result


_EQUATION_RULES: dict[int, set[str]] = {}


def _is_equation(model: Edition, rule: str) -> bool:
    """Is `rule` one of the schema's identities (x-sum, x-balance)? Only those feed the diagnosis."""
    rules = _EQUATION_RULES.get(id(model))
    if rules is None:
        from .keywords import rule_references
        rules = set(rule_references({k: v for k, v in model.schema.items()}, kinds=("x-sum", "x-balance")))
        _EQUATION_RULES[id(model)] = rules
    return rule in rules


def _to_lines(findings: list[Finding], grid: Grid) -> None:
    """In a text source a cell is a place in the text: report its line instead of a pseudo cell."""
    lines = {}
    for sheet in grid.sheets:
        for (r, c), cell in sheet.cells.items():
            if cell.line:
                lines[(sheet.name, address(r, c))] = cell.line
    for f in findings:
        f.line = lines.get((f.sheet, f.cell))
        f.sheet = f.cell = None
        for o in f.operands:
            o.line = lines.get((o.sheet, o.cell))
            o.sheet = o.cell = None


def finish(findings: list[Finding], model: Edition | None, options: Options) -> list[Finding]:
    """Apply severity overrides, drop switched-off rules, render messages, sort."""
    out = []
    for f in findings:
        severity = options.severities.get(f.rule, f.severity)
        if severity == "off":
            continue
        f.severity = severity
        f.message = render(f, options.lang)
        out.append(f)
    out.sort(key=Finding.sort_key)
    return out


def status_of(findings: list[Finding], strict: bool) -> str:
    bad = {"error", "warning"} if strict else {"error"}
    return "invalid" if any(f.severity in bad for f in findings) else "ok"


def _int(v) -> int | None:
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def _severity(model: Edition | None, rule: str, default: str = "error") -> str:
    if model is not None and rule in model.rules:
        return model.rules[rule].severity
    return default


def _finding(model: Edition, rule: str, point_id: str | None, ref, **kw) -> Finding:
    f = Finding(rule=rule, severity=_severity(model, rule, "warning" if rule.startswith("cell.") and rule != "cell.type" else "error"), **kw)
    if point_id:
        table, row, column = point_id.split(".")
        t = model.table(table)
        f.table, f.row, f.column = table, row, column
        f.table_label, f.row_label, f.column_label = t.label, t.row(row).label, t.column_label(column)
    if ref:
        f.sheet, f.cell = ref[0], address(ref[1], ref[2])
    return f


def _label_in(model: Edition, base: tuple[str, ...], key: str) -> str:
    """The printed label of `key` as a child of the object at `base` (a row of a table, or a column of a row)."""
    if len(base) == 1:
        return model.table(base[0]).row(key).label
    if len(base) == 2:
        return model.table(base[0]).column_label(key)
    return key


def _from_error(model: Edition, error, cells) -> list[Finding]:
    path = tuple(str(p) for p in error.absolute_path)
    rel = getattr(error, "xlcheck", None)
    if rel is not None:
        return [_relation_finding(model, rel, path[: len(path) - len(rel.target)], cells)]
    if error.validator in CELL_TYPE_KEYWORDS and len(path) == 3:
        point = ".".join(path)
        return [_finding(model, "cell.type", point, cells.get(point), found=error.instance,
                         detail={"kind": "cell", "type": model.point(point).type.key})]
    if error.validator == "required":
        missing = [m for m in error.validator_value if m not in (error.instance or {})]
        out = []
        for key in missing:
            if len(path) == 1:      # a row of a table
                t = model.table(path[0])
                out.append(Finding("layout.missing_row", _severity(model, "layout.missing_row"), table=t.key, row=key,
                                   table_label=t.label, row_label=t.row(key).label,
                                   detail={"kind": "text", "zh": f"没有找到数据行「{t.row(key).label}」", "en": f"data row “{t.row(key).label}” was not found"}))
            elif len(path) == 2:    # a column of a row
                t = model.table(path[0])
                label = t.column_label(key)
                out.append(Finding("layout.missing_row", _severity(model, "layout.missing_row"), table=t.key, row=path[1], column=key,
                                   table_label=t.label, row_label=t.row(path[1]).label, column_label=label,
                                   detail={"kind": "text", "zh": f"没有找到「{label}」栏的数据", "en": f"no value found for column “{label}”"}))
        return out
    return []


def _relation_finding(model: Edition, rel, base: tuple[str, ...], cells) -> Finding:
    target = ".".join(base + rel.target)
    f = _finding(model, rel.rule, target, cells.get(target), found=rel.found, expected=rel.expected)
    f.difference = _round(rel.found - rel.expected)
    for p in rel.operands:
        pid = ".".join(base + p)
        ref = cells.get(pid)
        sign = -1 if isinstance(rel, Equation) and ((p in rel.left) == (rel.target in rel.left)) else 1
        f.operands.append(Operand(pid, ref[0] if ref else None, address(ref[1], ref[2]) if ref else None, rel.values[p], sign))
    if isinstance(rel, Equation):
        same = rel.left if rel.target in rel.left else rel.right
        other = rel.right if rel.target in rel.left else rel.left
        terms = [(1, rel.values[p]) for p in other] + [(-1, rel.values[p]) for p in same if p != rel.target]
        f.detail = {"kind": "equation", "subject": _label_in(model, base, rel.target[0]), "terms": terms}
    else:
        f.detail = {"kind": "comparison", "op": rel.op,
                    "left_labels": [_label_in(model, base, p[0]) for p in rel.left],
                    "right_labels": [_label_in(model, base, p[0]) for p in rel.right]}
    return f


def _round(v):
    return round(v, 6) if isinstance(v, float) else v


def check_file(path: str, model: Edition | None = None, options: Options | None = None) -> Result:
    """Read and check one file; any input problem becomes a Result with status `error`."""
    from .sources.open import read_source

    try:
        grid = read_source(path)
        return check_grid(grid, model, options)
    except InputError as exc:
        return failed(path, str(exc))
