"""xlcheck's own JSON Schema keywords: the arithmetic rules of the statutory tables.

Shaped like jsonschema's ``_keywords.py``: each keyword is one small generator
``(validator, value, instance, schema)`` yielding ``ValidationError``s whose ``path`` is the
cell the finding is reported on (the total side of the equation). Each error carries the
relation (`relations.Equation`, `Comparison` or `Continuity`) in ``error.xlcheck``, naming every
data point involved, so the checker can map every operand back to its cell.
"""
from __future__ import annotations

from collections import deque
from typing import Any

from jsonschema.exceptions import ValidationError

from .relations import comparisons, continuities, equations


def _fail(relation, message: str) -> ValidationError:
    error = ValidationError(message, path=deque(relation.target))
    error.xlcheck = relation
    return error


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


def x_continuity(validator, rules, instance, schema):
    for rel in continuities(rules, instance):
        if not rel.holds:
            yield _fail(rel, f"{'.'.join(rel.target)} is {rel.found}, last year gives {rel.expected}")


def every(kind: str):
    """A keyword yielding every relation of `kind`, holding or not (for the diagnosis and the
    template's formulas)."""
    def keyword(validator, rules, instance, schema):
        source = comparisons(rules, instance) if kind == "x-compare" else equations(rules, instance, kind)
        for rel in source:
            yield _fail(rel, "relation")
    return keyword


# ---------------------------------------------------------------- checking cells once

_SCALAR_KEYWORDS = frozenset({"type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "enum", "const"})
_ANNOTATIONS = frozenset({"title", "description", "$comment", "default", "examples", "deprecated", "readOnly", "writeOnly"})
_SCALARS = (int, float, str, bool, type(None))
_LEAVES: dict[int, tuple[dict, str | None]] = {}     # id(subschema) → (subschema, what it checks)
_VALID: set = set()                                  # (validator class, what is checked, type, value)


def _rule_list(value: Any) -> bool:
    """Is this the value of a rule keyword (a list of rule objects)?"""
    return isinstance(value, list) and bool(value) and all(isinstance(i, dict) for i in value)


def _leaf(subschema: Any) -> str | None:
    """What a cell's subschema checks, as a key, when it checks a scalar by value alone (type,
    bounds, enum...); None when it may do more (objects, $ref, any of our x- keywords)."""
    found = _LEAVES.get(id(subschema))
    if found is None or found[0] is not subschema:
        key = None
        if isinstance(subschema, dict) and all(k in _SCALAR_KEYWORDS or k in _ANNOTATIONS or k.startswith("x-") for k in subschema) \
                and not any(k.startswith("x-") and _rule_list(v) for k, v in subschema.items()):
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
