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
    return value.__class__ in (int, float) or (isinstance(value, Number) and not isinstance(value, bool))


def _bound(rule: dict, instance: dict, names: list[str]) -> Iterator[tuple[str | None, list]]:
    """Each way the rule's names bind to numbers, as (column, values in the order of `names`):
    the names themselves (column None), or with ``"each": "*"`` the names' rows taken column by
    column, for each column of the first name's row. A binding where any value is missing or not
    a number is left out: it cannot be assessed (the cell itself gets `cell.type`)."""
    if rule.get("each") != "*":
        values = [instance.get(n) for n in names]
        if all(_number(v) for v in values):
            yield None, values
        return
    rows = [instance.get(n) for n in names]
    first = next((r for r in rows if isinstance(r, dict)), None)
    for column in (first or ()):
        values = [r.get(column) if isinstance(r, dict) else None for r in rows]
        if all(_number(v) for v in values):
            yield column, values


def _paths(names: list[str], column: str | None) -> list[Path]:
    return [(n,) if column is None else (n, column) for n in names]


def _fail(relation, message: str) -> ValidationError:
    error = ValidationError(message, path=deque(relation.target))
    error.xlcheck = relation
    return error


def equations(rules: list[dict], instance: Any, kind: str, failing: bool = False) -> Iterator[Equation]:
    """The equations `rules` state over `instance` (only those that do not hold, if `failing`)."""
    if not isinstance(instance, dict):
        return
    for rule in rules:
        if kind == "x-sum":
            left, right, target = [rule["total"]], list(rule["parts"]), rule["total"]
        else:
            left, right, target = list(rule["left"]), list(rule["right"]), rule["report-on"]
        names, k = left + right, len(left)
        for column, values in _bound(rule, instance, names):
            if failing and _balanced(values[:k], values[k:]):
                continue
            paths = _paths(names, column)
            yield Equation(rule["rule"], tuple(paths[:k]), tuple(paths[k:]), paths[names.index(target)], dict(zip(paths, values)))


def _balanced(left: list, right: list) -> bool:
    """Surely sum(left) = sum(right)? Decided here for whole numbers (the counts); amounts are
    left to the Equation itself, with its rounding."""
    if all(v.__class__ is int for v in left) and all(v.__class__ is int for v in right):
        return sum(left) == sum(right)
    return False


def comparisons(rules: list[dict], instance: Any) -> Iterator[Comparison]:
    if not isinstance(instance, dict):
        return
    for rule in rules:
        names, k = list(rule["left"]) + list(rule["right"]), len(rule["left"])
        for column, values in _bound(rule, instance, names):
            paths = _paths(names, column)
            yield Comparison(rule["rule"], tuple(paths[:k]), rule["op"], tuple(paths[k:]), dict(zip(paths, values)))


def x_sum(validator, rules, instance, schema):
    for eq in equations(rules, instance, "x-sum", failing=True):
        if not eq.holds:
            yield _fail(eq, f"{'/'.join(eq.target)} is {eq.found}, expected {eq.expected} (sum of parts)")


def x_balance(validator, rules, instance, schema):
    for eq in equations(rules, instance, "x-balance", failing=True):
        if not eq.holds:
            yield _fail(eq, f"{'/'.join(eq.target)} is {eq.found}, expected {eq.expected} (balance)")


def x_compare(validator, rules, instance, schema):
    for cmp in comparisons(rules, instance):
        if not cmp.holds:
            yield _fail(cmp, f"{'/'.join(cmp.target)} is {cmp.found}, expected {cmp.op} {cmp.expected}")


def _x_continuity(validator, rules, instance, schema):
    from .continuity import x_continuity
    yield from x_continuity(validator, rules, instance, schema)


# ---------------------------------------------------------------- checking cells once

_SCALAR_KEYWORDS = frozenset({"type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "enum", "const"})
_ANNOTATIONS = frozenset({"title", "description", "$comment", "default", "examples", "deprecated", "readOnly", "writeOnly"})
_SCALARS = (int, float, str, bool, type(None))
_LEAVES: dict[int, tuple[dict, str | None]] = {}     # id(subschema) → (subschema, what it checks)
_VALID: set = set()                                  # (validator class, what is checked, type, value)


def _leaf(subschema: Any) -> str | None:
    """What a cell's subschema checks, as a key, when it checks a scalar by value alone (type,
    bounds, enum...); None when it may do more (objects, $ref, our keywords)."""
    found = _LEAVES.get(id(subschema))
    if found is None or found[0] is not subschema:
        key = None
        if isinstance(subschema, dict) and all(k in _SCALAR_KEYWORDS or k in _ANNOTATIONS or k.startswith("x-") for k in subschema) \
                and not any(k in KEYWORDS for k in subschema):
            key = repr(sorted((k, v) for k, v in subschema.items() if k in _SCALAR_KEYWORDS))
        found = _LEAVES[id(subschema)] = (subschema, key)
    return found[1]


def properties(validator, properties, instance, schema):
    """jsonschema's ``properties``, except that a scalar already found valid against the same
    value-only subschema is not checked again: the 200 cells of a report hold few distinct
    values, and validity there depends on nothing but the value."""
    if not validator.is_type(instance, "object"):
        return
    for name, subschema in properties.items():
        if name not in instance:
            continue
        value = instance[name]
        leaf = _leaf(subschema) if value.__class__ in _SCALARS else None
        if leaf is None:
            yield from validator.descend(value, subschema, path=name, schema_path=name)
            continue
        key = (validator.__class__, leaf, value.__class__, value)
        if key in _VALID:
            continue
        errors = list(validator.descend(value, subschema, path=name, schema_path=name))
        if not errors and len(_VALID) < 100_000:
            _VALID.add(key)
        yield from errors


KEYWORDS = {"x-sum": x_sum, "x-balance": x_balance, "x-compare": x_compare, "x-continuity": _x_continuity}

ReportValidator = validators.extend(Draft202012Validator, {**KEYWORDS, "properties": properties})


def _every(kind):
    """A keyword that yields every relation, holding or not (for the diagnosis)."""
    def keyword(validator, rules, instance, schema):
        source = comparisons(rules, instance) if kind == "x-compare" else equations(rules, instance, kind)
        for rel in source:
            error = ValidationError("relation", path=deque(rel.target))
            error.xlcheck = rel
            yield error
    return keyword


RelationCollector = validators.extend(Draft202012Validator, {**{k: _every(k) for k in ("x-sum", "x-balance", "x-compare")},
                                                            "properties": properties})


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
