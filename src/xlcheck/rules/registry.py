"""The validators: jsonschema's draft 2020-12 extended with our keywords (`validators.extend`),
one per schema for the life of the process, and the relations a schema states over an instance.
Adding a keyword means writing it in `keywords`, its record in `relations`, naming it here and
describing it in the keyword meta-schema."""
from __future__ import annotations

from typing import Any, Iterator

from ..model.editions import rule_references
from ..model.schema import Edition, inline_refs
from .relations import PREVIOUS, SAME_EDITION, Continuity, Equation

IDENTITIES = ("x-sum", "x-balance")          # the keywords whose relations are linear identities
_CLASSES: dict[str, Any] = {}


def _classes() -> dict[str, Any]:
    """KEYWORDS, ReportValidator and RelationCollector, made on first use: jsonschema is imported
    only when something is to be validated by it (a template that passes the compiled check
    never needs it)."""
    if not _CLASSES:
        from jsonschema import Draft202012Validator, validators   # deferred: start-up time (jsonschema, ~35 ms)
        from . import keywords                                    # deferred: start-up time (imports jsonschema)
        found = {"x-sum": keywords.x_sum, "x-balance": keywords.x_balance, "x-compare": keywords.x_compare,
                 "x-continuity": keywords.x_continuity}
        _CLASSES["KEYWORDS"] = found
        _CLASSES["ReportValidator"] = validators.extend(Draft202012Validator, {**found, "properties": keywords.properties})
        _CLASSES["RelationCollector"] = validators.extend(
            Draft202012Validator, {**{k: keywords.every(k) for k in ("x-sum", "x-balance", "x-compare")},
                                   "properties": keywords.properties})
    return _CLASSES


def __getattr__(name: str):
    if name in ("KEYWORDS", "ReportValidator", "RelationCollector"):
        return _classes()[name]
    raise AttributeError(name)


_VALIDATORS: dict[tuple[int, type], Any] = {}


def validator_for(schema: dict, cls=None):
    """One validator per (schema, class; ReportValidator unless given), kept for the life of the
    process: schemas are read once and never mutated."""
    cls = cls or _classes()["ReportValidator"]
    key = (id(schema), cls)
    found = _VALIDATORS.get(key)
    if found is None or found[0] is not schema:
        found = _VALIDATORS[key] = (schema, cls(inline_refs(schema)))
    return found[1]


def relations(model: Edition, instance: dict[str, Any], kinds=("x-sum", "x-balance", "x-compare")) -> Iterator[tuple[Any, tuple[str, ...]]]:
    """Every relation the schema's keywords define over `instance`, holding or not, with the
    path of the object it was stated on (so `base + rel.target` is the absolute data point)."""
    for error in validator_for(model.schema, _classes()["RelationCollector"]).iter_errors(instance):
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
