"""The relations our keywords state, as records: an ``Equation`` (x-sum, x-balance), a
``Comparison`` (x-compare) or a ``Continuity`` (x-continuity), each naming every data point
involved and its value; and how a rule object of the schema binds to an instance.

A rule object names its rule id (severity lives in the schema's ``x-rules``) and the properties
it relates. With ``"each": "*"`` the named properties are rows and the relation holds in every
column the rows have. Paths are relative to the object the rule is stated on.
"""
from __future__ import annotations

from numbers import Number
from typing import Any, Iterator, NamedTuple

Path = tuple[str, ...]
TOLERANCE = 1e-6        # two amounts closer than this are equal (the template's live checks use it too)


class Equation(NamedTuple):
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


class Comparison(NamedTuple):
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
    return abs(a - b) < TOLERANCE


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


PREVIOUS = "$previous"          # the key under which an instance carries last year's report
SAME_EDITION = "$same_edition"  # and whether last year's report was of the same edition


class Continuity(NamedTuple):
    rule: str
    target: tuple[str, ...]
    terms: tuple[tuple[int, str, tuple[str, ...]], ...]     # (sign, "this" | "previous", path)
    values: dict

    @property
    def found(self):
        return self.values[("this", self.target)]

    @property
    def expected(self):
        return sum(sign * self.values[(year, path)] for sign, year, path in self.terms)

    @property
    def holds(self) -> bool:
        return _close(self.found, self.expected)


def _get(instance, path):
    for part in path:
        if not isinstance(instance, dict) or part not in instance:
            return None
        instance = instance[part]
    return instance


def _bindings(pattern: str, instance: dict):
    """Each concrete path matching a dotted pattern with `*` wildcards, with the wildcard values."""
    parts = pattern.split(".")

    def walk(node, i, path, wild):
        if i == len(parts):
            yield tuple(path), tuple(wild)
            return
        if not isinstance(node, dict):
            return
        keys = list(node) if parts[i] == "*" else ([parts[i]] if parts[i] in node else [])
        for k in keys:
            yield from walk(node[k], i + 1, path + [k], wild + ([k] if parts[i] == "*" else []))
    yield from walk(instance, 0, [], [])


def _fill(pattern: str, wild: tuple[str, ...]) -> tuple[str, ...]:
    it = iter(wild)
    return tuple(next(it) if p == "*" else p for p in pattern.split("."))


def continuities(rules: list[dict], instance: Any) -> Iterator[Continuity]:
    """The continuity relations `rules` state between this year's instance and last year's
    (carried under PREVIOUS), where every value is a number."""
    if not isinstance(instance, dict) or not isinstance(instance.get(PREVIOUS), dict):
        return
    previous = instance[PREVIOUS]
    same = instance.get(SAME_EDITION, True)
    for rule in rules:
        if rule.get("same-edition") and not same:
            continue
        for target, wild in _bindings(rule["target"], {k: v for k, v in instance.items() if not k.startswith("$")}):
            values = {("this", target): _get(instance, target)}
            terms = []
            for term in rule["terms"]:
                path = _fill(term["point"], wild)
                year = term["year"]
                values[(year, path)] = _get(previous if year == "previous" else instance, path)
                terms.append((term.get("sign", 1), year, path))
            if any(not _number(v) for v in values.values()):
                continue
            yield Continuity(rule["rule"], target, tuple(terms), values)
