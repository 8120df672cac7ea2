"""jsonschema's errors → findings: a relation that does not hold (row and table scope) becomes a
finding on the cell it is reported on, with every other operand's cell; a type error (cell
scope) a `cell.type` finding; a missing row or column a `layout.missing_row` finding."""
from __future__ import annotations

from ..findings import NOWHERE, Finding, Operand, Where, about
from ..model.schema import Edition
from ..rules.relations import Equation

CELL_TYPE_KEYWORDS = {"type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "enum", "const"}


def findings_of(model: Edition, error, places: dict[str, Where]) -> list[Finding]:
    path = tuple(str(p) for p in error.absolute_path)
    rel = getattr(error, "xlcheck", None)
    if rel is not None:
        return [relation_finding(model, rel, path[: len(path) - len(rel.target)], places)]
    if error.validator in CELL_TYPE_KEYWORDS and len(path) == 3:
        point = ".".join(path)
        return [about(model, "cell.type", point, where=places.get(point, NOWHERE), found=error.instance,
                      detail={"kind": "cell", "type": model.point(point).type.key})]
    if error.validator == "required":
        out = []
        missing = [m for m in error.validator_value if m not in (error.instance or {})]
        # jsonschema yields one error per missing property, each naming it in its message
        named = [m for m in missing if error.message.startswith(repr(m))]
        for key in named or missing:
            if len(path) == 1:      # a row of a table
                label = model.table(path[0]).row(key).label
                out.append(about(model, "layout.missing_row", table=path[0], row=key,
                                 detail={"kind": "text", "zh": f"没有找到数据行「{label}」", "en": f"data row “{label}” was not found"}))
            elif len(path) == 2:    # a column of a row
                label = model.table(path[0]).column_label(key)
                out.append(about(model, "layout.missing_row", table=path[0], row=path[1], column=key,
                                 detail={"kind": "text", "zh": f"没有找到「{label}」栏的数据", "en": f"no value found for column “{label}”"}))
        return out
    return []


def _label_in(model: Edition, base: tuple[str, ...], key: str) -> str:
    """The printed label of `key` as a child of the object at `base` (a row of a table, or a column of a row)."""
    if len(base) == 1:
        return model.table(base[0]).row(key).label
    if len(base) == 2:
        return model.table(base[0]).column_label(key)
    return key


def relation_finding(model: Edition, rel, base: tuple[str, ...], places: dict[str, Where]) -> Finding:
    target = ".".join(base + rel.target)
    f = about(model, rel.rule, target, where=places.get(target, NOWHERE), found=rel.found, expected=rel.expected)
    f.difference = _round(rel.found - rel.expected)
    for p in rel.operands:
        pid = ".".join(base + p)
        sheet, cell, line = places.get(pid, NOWHERE)
        sign = -1 if isinstance(rel, Equation) and ((p in rel.left) == (rel.target in rel.left)) else 1
        f.operands.append(Operand(pid, sheet, cell, rel.values[p], sign, line=line))
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
