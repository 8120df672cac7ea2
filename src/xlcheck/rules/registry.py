"""The validators: jsonschema's draft 2020-12 extended with our keywords (`validators.extend`),
one per schema for the life of the process, and the relations a schema states over an instance.
Adding a keyword means writing it in `keywords`, its record in `relations`, naming it here and
describing it in the keyword meta-schema."""
from __future__ import annotations

from typing import Any, Iterator

from jsonschema import Draft202012Validator, validators

from ..model.editions import rule_references
from ..model.schema import Edition, inline_refs
from . import keywords
from .relations import PREVIOUS, SAME_EDITION, Continuity, Equation

KEYWORDS = {"x-sum": keywords.x_sum, "x-balance": keywords.x_balance, "x-compare": keywords.x_compare,
            "x-continuity": keywords.x_continuity}
IDENTITIES = ("x-sum", "x-balance")          # the keywords whose relations are linear identities

ReportValidator = validators.extend(Draft202012Validator, {**KEYWORDS, "properties": keywords.properties})
RelationCollector = validators.extend(Draft202012Validator, {**{k: keywords.every(k) for k in ("x-sum", "x-balance", "x-compare")},
                                                            "properties": keywords.properties})

_VALIDATORS: dict[tuple[int, type], Any] = {}


def validator_for(schema: dict, cls=ReportValidator):
    """One validator per (schema, class), kept for the life of the process: schemas are read once
    and never mutated."""
    key = (id(schema), cls)
    found = _VALIDATORS.get(key)
    if found is None or found[0] is not schema:
        found = _VALIDATORS[key] = (schema, cls(inline_refs(schema)))
    return found[1]


def relations(model: Edition, instance: dict[str, Any], kinds=("x-sum", "x-balance", "x-compare")) -> Iterator[tuple[Any, tuple[str, ...]]]:
    """Every relation the schema's keywords define over `instance`, holding or not, with the
    path of the object it was stated on (so `base + rel.target` is the absolute data point)."""
    for error in validator_for(model.schema, RelationCollector).iter_errors(instance):
        rel = getattr(error, "xlcheck", None)
        if rel is None or error.validator not in kinds:
            continue
        path = tuple(error.absolute_path)
        yield rel, path[: len(path) - len(rel.target)]


def identity_rules(model: Edition) -> frozenset[str]:
    """The rule ids of the schema's identities (x-sum, x-balance): only those feed the diagnosis."""
    found = model.__dict__.get("_identity_rules")
    if found is None:
        found = frozenset(rule_references(model.schema, kinds=IDENTITIES))
        object.__setattr__(model, "_identity_rules", found)
    return found


def broken_continuities(model: Edition, this: dict, previous: dict, same_edition: bool) -> Iterator[Continuity]:
    """The continuity relations (x-continuity) that do not hold between this year's instance and
    last year's."""
    combined = dict(this)
    combined[PREVIOUS] = previous
    combined[SAME_EDITION] = same_edition
    for error in validator_for(model.schema).iter_errors(combined):
        rel = getattr(error, "xlcheck", None)
        if isinstance(rel, Continuity):
            yield rel


__all__ = ["KEYWORDS", "ReportValidator", "RelationCollector", "validator_for", "relations", "identity_rules",
           "broken_continuities", "Equation"]
