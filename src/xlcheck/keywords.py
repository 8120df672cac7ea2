"""xlcheck's own JSON Schema keywords: the arithmetic rules of the statutory tables.

Shaped like jsonschema's ``_keywords.py``: each keyword is one small generator
``(validator, value, instance, schema)`` yielding ``ValidationError``s whose ``path`` is the
cell the finding is reported on (the total side of the equation). Each error carries an
``Equation`` or ``Comparison`` in ``error.xlcheck`` naming every data point involved, so the
checker can map every operand back to its cell.

A rule object in the schema names its rule id (severity lives in the schema's ``x-rules``)
and the properties it relates. With ``"each": "*"`` the named properties are rows and the
relation holds in every column the rows have.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from numbers import Number
from typing import Any, Iterator

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError

from .schema import inline_refs

Path = tuple[str, ...]


@dataclass(frozen=True)
class Equation:
    """sum(left) = sum(right), reported on `target` (a member of one side)."""
    rule: str
    left: tuple[Path, ...]
    right: tuple[Path, ...]
    target: Path
    values: dict[Path, float]

    @property
    def found(self) -> float:
        return self.values[self.target]

    @property
    def expected(self) -> float:
        same, other = (self.left, self.right) if self.target in self.left else (self.right, self.left)
        return _sum(self.values[p] for p in other) - _sum(self.values[p] for p in same if p != self.target)

    @property
    def holds(self) -> bool:
        return _close(self.found, self.expected)

    @property
    def operands(self) -> tuple[Path, ...]:
        return tuple(p for p in self.left + self.right if p != self.target)


@dataclass(frozen=True)
class Comparison:
    """sum(left) <op> sum(right), reported on the first of `left`."""
    rule: str
    left: tuple[Path, ...]
    op: str
    right: tuple[Path, ...]
    values: dict[Path, float]

    @property
    def target(self) -> Path:
        return self.left[0]

    @property
    def found(self) -> float:
        return _sum(self.values[p] for p in self.left)

    @property
    def expected(self) -> float:
        return _sum(self.values[p] for p in self.right)

    @property
    def holds(self) -> bool:
        a, b = self.found, self.expected
        return {">=": a >= b - 1e-9, "<=": a <= b + 1e-9, "==": _close(a, b)}[self.op]

    @property
    def operands(self) -> tuple[Path, ...]:
        return tuple(p for p in self.left + self.right if p != self.target)


def _sum(values) -> float:
    total = sum(values)
    return round(total, 6) if isinstance(total, float) else total


def _close(a: float, b: float) -> bool:
    return abs(a - b) < 1e-6


def _number(value: Any) -> bool:
    return isinstance(value, Number) and not isinstance(value, bool)


def _bindings(rule: dict, instance: dict, names: list[str]) -> Iterator[dict[str, Path]]:
    """Each way the rule's names bind to scalar cells: the names themselves, or with
    ``"each": "*"`` the names' columns, one binding per column of the first name's row."""
    if rule.get("each") != "*":
        yield {n: (n,) for n in names}
        return
    first = next((instance.get(n) for n in names if isinstance(instance.get(n), dict)), None)
    for column in (first or {}):
        yield {n: (n, column) for n in names}


def _value(instance: dict, path: Path) -> Any:
    for part in path:
        if not isinstance(instance, dict) or part not in instance:
            return None
        instance = instance[part]
    return instance


def _resolve(instance: dict, paths: list[Path]) -> dict[Path, float] | None:
    """The values of `paths`, or None when any is missing or not a number: a rule over a cell
    that is not a number cannot be assessed (the cell itself gets `cell.type`)."""
    values = {}
    for p in paths:
        v = _value(instance, p)
        if not _number(v):
            return None
        values[p] = v
    return values


def _fail(relation, message: str) -> ValidationError:
    error = ValidationError(message, path=deque(relation.target))
    error.xlcheck = relation
    return error


def equations(rules: list[dict], instance: Any, kind: str) -> Iterator[Equation]:
    if not isinstance(instance, dict):
        return
    for rule in rules:
        if kind == "x-sum":
            left, right, target = [rule["total"]], list(rule["parts"]), rule["total"]
        else:
            left, right, target = list(rule["left"]), list(rule["right"]), rule["report-on"]
        for bind in _bindings(rule, instance, left + right):
            values = _resolve(instance, [bind[n] for n in left + right])
            if values is not None:
                yield Equation(rule["rule"], tuple(bind[n] for n in left), tuple(bind[n] for n in right), bind[target], values)


def comparisons(rules: list[dict], instance: Any) -> Iterator[Comparison]:
    if not isinstance(instance, dict):
        return
    for rule in rules:
        for bind in _bindings(rule, instance, list(rule["left"]) + list(rule["right"])):
            left = tuple(bind[n] for n in rule["left"])
            right = tuple(bind[n] for n in rule["right"])
            values = _resolve(instance, list(left + right))
            if values is not None:
                yield Comparison(rule["rule"], left, rule["op"], right, values)


def x_sum(validator, rules, instance, schema):
    for eq in equations(rules, instance, "x-sum"):
        if not eq.holds:
            yield _fail(eq, f"{'/'.join(eq.target)} is {eq.found}, expected {eq.expected} (sum of parts)")


def x_balance(validator, rules, instance, schema):
    for eq in equations(rules, instance, "x-balance"):
        if not eq.holds:
            yield _fail(eq, f"{'/'.join(eq.target)} is {eq.found}, expected {eq.expected} (balance)")


def x_compare(validator, rules, instance, schema):
    for cmp in comparisons(rules, instance):
        if not cmp.holds:
            yield _fail(cmp, f"{'/'.join(cmp.target)} is {cmp.found}, expected {cmp.op} {cmp.expected}")


def _x_continuity(validator, rules, instance, schema):
    from .continuity import x_continuity
    yield from x_continuity(validator, rules, instance, schema)


KEYWORDS = {"x-sum": x_sum, "x-balance": x_balance, "x-compare": x_compare, "x-continuity": _x_continuity}

ReportValidator = validators.extend(Draft202012Validator, KEYWORDS)


def _every(kind):
    """A keyword that yields every relation, holding or not (for the diagnosis)."""
    def keyword(validator, rules, instance, schema):
        source = comparisons(rules, instance) if kind == "x-compare" else equations(rules, instance, kind)
        for rel in source:
            error = ValidationError("relation", path=deque(rel.target))
            error.xlcheck = rel
            yield error
    return keyword


RelationCollector = validators.extend(Draft202012Validator, {k: _every(k) for k in ("x-sum", "x-balance", "x-compare")})


_VALIDATORS: dict[tuple[int, type], Any] = {}


def validator_for(schema: dict, cls=ReportValidator):
    """One validator per (schema, class), kept for the life of the process: schemas are read once
    and never mutated."""
    key = (id(schema), cls)
    found = _VALIDATORS.get(key)
    if found is None or found[0] is not schema:
        found = _VALIDATORS[key] = (schema, cls(inline_refs(schema)))
    return found[1]


def rule_references(schema: Any, kinds=tuple(KEYWORDS)) -> Iterator[str]:
    """Every rule id our keywords (of `kinds`) reference anywhere in `schema`."""
    if isinstance(schema, dict):
        for k, v in schema.items():
            if k in KEYWORDS and isinstance(v, list):
                if k in kinds:
                    for rule in v:
                        if isinstance(rule, dict) and "rule" in rule:
                            yield rule["rule"]
            else:
                yield from rule_references(v, kinds)
    elif isinstance(schema, list):
        for v in schema:
            yield from rule_references(v, kinds)
