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

from ..model.schema import derived, inline_refs
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
    rules = []
    for key, value in schema.items():
        if key in _RELATIONS:
            rules.append((key, value))
        elif key == "x-continuity":
            rules.append((key, None))

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
        for kind, value in rules:
            if kind == "x-compare":
                if any(not c.holds for c in comparisons(value, instance)):
                    return False
            elif kind == "x-continuity":
                if isinstance(instance.get(PREVIOUS), dict):
                    return False              # last year's report beside it: left to jsonschema
            elif any(not eq.holds for eq in equations(value, instance, kind, failing=True)):
                return False
        return True
    return check


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
    return check


def surely_valid(model, instance) -> bool:
    """Would jsonschema report nothing for `instance` against the model's schema? True only when
    sure; the check is compiled once per model."""
    return derived(model, "compiled_check", lambda: compile_schema(inline_refs(model.schema)))(instance)
