"""Instance + edition model → findings: jsonschema validation with our keywords."""
from __future__ import annotations

from typing import Any, Iterator

from .keywords import RelationCollector, ReportValidator, validator_for
from .schema import Edition


def relations(model: Edition, instance: dict[str, Any], kinds=("x-sum", "x-balance", "x-compare")) -> Iterator[tuple[Any, tuple[str, ...]]]:
    """Every relation the schema's keywords define over `instance`, holding or not, with the
    path of the object it was stated on (so `base + rel.target` is the absolute data point)."""
    for error in validator_for(model.schema, RelationCollector).iter_errors(instance):
        rel = getattr(error, "xlcheck", None)
        if rel is None or error.validator not in kinds:
            continue
        path = tuple(error.absolute_path)
        yield rel, path[: len(path) - len(rel.target)]
