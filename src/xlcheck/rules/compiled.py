"""A check compiled from the schema that answers one question without jsonschema: would
jsonschema, with our keywords, report nothing at all for this instance?

It says True only when it is sure: every object has the properties it requires and no others
when closed, every cell's value passes its subschema (type and bounds, decided here), and every
relation of `x-sum`, `x-balance` and `x-compare` holds, computed by the very functions our
keywords use (`relations`). Anything it does not understand — a keyword it does not know, a
value it cannot decide, last year's report beside the instance — makes it answer False, and then
jsonschema runs and produces every finding with its details. So the schema stays the single
source of truth, and the answer True is only ever a shortcut for an empty list of errors
(tests/test_speed_paths.py checks this over random instances of both editions).
"""
from __future__ import annotations

import math
from typing import Any, Callable

from ..model.schema import derived
from .relations import PREVIOUS, comparisons, equations

Check = Callable[[Any], bool]

_ANNOTATIONS = frozenset({"$id", "$schema", "$comment", "title", "description", "default", "examples", "deprecated",
                          "readOnly", "writeOnly"})
_RELATIONS = ("x-sum", "x-balance", "x-compare")
KEYWORDS = _RELATIONS + ("x-continuity",)     # our keywords the validator knows (registry.KEYWORDS); other
                                              # x- keywords are annotations to jsonschema, and so here
_JSON_TYPES = {
    "integer": lambda v: v.__class__ is int or (v.__class__ is float and v.is_integer()),
    "number": lambda v: v.__class__ in (int, float),
    "string": lambda v: v.__class__ is str,
    "null": lambda v: v is None,
    "boolean": lambda v: v.__class__ is bool,
}


def _never(_instance) -> bool:
    return False


def compile_schema(schema: Any) -> Check:
    """The check for `schema` (with its references inlined); `_never` where it is not understood."""
    if not isinstance(schema, dict):
        return _never
    if any(not (k in _ANNOTATIONS or k.startswith("x-")) for k in schema if k not in
           ("type", "properties", "required", "additionalProperties", "minimum", "maximum", "exclusiveMinimum",
            "exclusiveMaximum")):
        return _never
    if "properties" in schema or schema.get("type") == "object" or any(k in schema for k in KEYWORDS):
        return _object(schema)
    return _scalar(schema)


def _object(schema: dict) -> Check:
    if schema.get("type", "object") != "object" or any(k in schema for k in ("minimum", "maximum", "exclusiveMinimum",
                                                                             "exclusiveMaximum")):
        return _never
    props = {name: compile_schema(sub) for name, sub in schema.get("properties", {}).items()}
    required = tuple(schema.get("required", ()))
    extra = schema.get("additionalProperties", True)
    if extra not in (True, False) or not isinstance(required, tuple):
        return _never
    rules = [_relation(key, rule) for key in _RELATIONS if isinstance(schema.get(key), list) for rule in schema[key]]
    if any(key in schema and not isinstance(schema[key], list) for key in _RELATIONS):
        return _never
    continuity = "x-continuity" in schema

    def check(instance) -> bool:
        if instance.__class__ is not dict:
            return False
        for name in required:
            if name not in instance:
                return False
        for name, value in instance.items():
            sub = props.get(name)
            if sub is None:
                if not extra:
                    return False
            elif not sub(value):
                return False
        if continuity and isinstance(instance.get(PREVIOUS), dict):
            return False                      # last year's report beside it: left to jsonschema
        for holds in rules:
            if not holds(instance):
                return False
        return True
    return check


_OPS = {"==": lambda a, b: a == b, ">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b}


def _relation(kind: str, rule: dict) -> Check:
    """Does the relation `rule` states hold wherever it binds? Where every value bound is a whole
    number the sums are compared here (exactly, as `relations` does for whole numbers); anything
    else is decided by `relations` itself, the records our keywords report."""
    if not isinstance(rule, dict):
        return _never
    if kind == "x-sum":
        left, right, op = [rule.get("total")], list(rule.get("parts", ())), "=="
    else:
        left, right, op = list(rule.get("left", ())), list(rule.get("right", ())), rule.get("op", "==")
    names, k, each = left + right, len(left), rule.get("each") == "*"
    if op not in _OPS or not all(isinstance(n, str) for n in names):
        return _never
    compare = _OPS[op]

    def exact(values) -> bool | None:
        if all(v.__class__ is int for v in values):
            return compare(sum(values[:k]), sum(values[k:]))
        return None

    def general(instance) -> bool:
        if kind == "x-compare":
            return all(c.holds for c in comparisons([rule], instance))
        return all(eq.holds for eq in equations([rule], instance, kind, failing=True))

    def holds(instance) -> bool:
        if not each:
            found = exact([instance.get(n) for n in names])
            return found if found is not None else general(instance)
        rows = [instance.get(n) for n in names]
        if not all(r.__class__ is dict for r in rows):
            return general(instance)
        for column in rows[0]:
            found = exact([r.get(column) for r in rows])
            if found is None:
                return general(instance)
            if not found:
                return False
        return True
    return holds


def _scalar(schema: dict) -> Check:
    types = schema.get("type")
    names = [types] if isinstance(types, str) else types
    if names is not None and (not isinstance(names, list) or any(n not in _JSON_TYPES for n in names)):
        return _never
    tests = [_JSON_TYPES[n] for n in names] if names is not None else None
    bounds = []
    for key, ok in (("minimum", lambda v, b: v >= b), ("maximum", lambda v, b: v <= b),
                    ("exclusiveMinimum", lambda v, b: v > b), ("exclusiveMaximum", lambda v, b: v < b)):
        if key in schema:
            bound = schema[key]
            if bound.__class__ not in (int, float) or (bound.__class__ is float and not math.isfinite(bound)):
                return _never
            bounds.append((bound, ok))

    def check(value) -> bool:
        if tests is not None and not any(t(value) for t in tests):
            return False
        if bounds and value.__class__ in (int, float):
            if value.__class__ is float and not math.isfinite(value):
                return False                  # left to jsonschema
            return all(ok(value, bound) for bound, ok in bounds)
        return True

    if names == ["integer"] and len(bounds) == 1 and schema.get("minimum") == 0:
        def count(value) -> bool:                   # the cell type of nearly every cell
            return (value >= 0) if value.__class__ is int else check(value)
        return count
    return check


def surely_valid(model, instance) -> bool:
    """Would jsonschema report nothing for `instance` against the model's schema? True only when
    sure; the check is compiled once per model."""
    return derived(model, "compiled_check", lambda: compile_schema(model.inlined))(instance)
