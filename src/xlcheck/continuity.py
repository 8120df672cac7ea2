"""This year's report against last year's (`continuity.*`): this year's 上年结转 equals last year's
结转下年度, and so on. The relations are the schema's ``x-continuity``; they are checked by the
keyword of that name on an instance that carries last year's values under ``$previous``. With no
previous report they are reported as not assessed, never as passed."""
from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from jsonschema.exceptions import ValidationError

from .findings import Finding, Operand

PREVIOUS = "$previous"


@dataclass(frozen=True)
class Continuity:
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


def x_continuity(validator, rules, instance, schema):
    if not isinstance(instance, dict) or not isinstance(instance.get(PREVIOUS), dict):
        return
    previous = instance[PREVIOUS]
    same = instance.get("$same_edition", True)
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
            if any(not isinstance(v, (int, float)) or isinstance(v, bool) for v in values.values()):
                continue
            rel = Continuity(rule["rule"], target, tuple(terms), values)
            if abs(rel.found - rel.expected) > 1e-6:
                error = ValidationError(f"{'.'.join(target)} is {rel.found}, last year gives {rel.expected}", path=deque(target))
                error.xlcheck = rel
                yield error


def rules_of(model) -> list[dict]:
    return list(model.schema.get("x-continuity", []))


def assess(model, this, previous, previous_path: str, lang: str = "zh") -> list[Finding]:
    """Findings of the continuity rules between two checked reports (Results)."""
    from .keywords import validator_for
    from .sources.grid import address

    combined = dict(this.instance)
    combined[PREVIOUS] = previous.instance
    combined["$same_edition"] = previous.edition == this.edition
    out = []
    for error in validator_for(model.schema).iter_errors(combined):
        rel = getattr(error, "xlcheck", None)
        if not isinstance(rel, Continuity):
            continue
        point = ".".join(rel.target)
        table = model.table(rel.target[0])
        ref = this.cells.get(point)
        f = Finding(rel.rule, model.rules[rel.rule].severity if rel.rule in model.rules else "error",
                    table=rel.target[0], row=rel.target[1], column=rel.target[2], table_label=table.label,
                    row_label=table.row(rel.target[1]).label, column_label=table.column_label(rel.target[2]),
                    sheet=ref[0] if ref else None, cell=address(ref[1], ref[2]) if ref else None,
                    found=rel.found, expected=rel.expected, difference=rel.found - rel.expected)
        words = []
        for sign, year, path in rel.terms:
            pid = ".".join(path)
            cells = previous.cells if year == "previous" else this.cells
            r = cells.get(pid)
            op = Operand(pid, r[0] if r else None, address(r[1], r[2]) if r else None, rel.values[(year, path)], sign)
            if year == "previous":
                op.file = previous_path
            f.operands.append(op)
            t = model.table(path[0])
            label = f"{'上年' if year == 'previous' else '本年'}「{t.row(path[1]).label} › {t.column_label(path[2])}」"
            words.append((sign, label, rel.values[(year, path)]))
        if len(words) == 1:
            how = f"应等于{words[0][1]}的 {rel.expected}"
        else:
            expr = " ".join(("" if i == 0 and s > 0 else ("+ " if s > 0 else "− ")) + f"{label} {v}" for i, (s, label, v) in enumerate(words))
            how = f"应为 {rel.expected}（= {expr}）"
        f.detail = {"kind": "text",
                    "zh": f"与上一年度报告不衔接：{how}，实际为 {rel.found}，差 {rel.found - rel.expected:+}（上年报告：{Path(previous_path).name}）",
                    "en": f"does not follow from last year's report: should be {rel.expected}, found {rel.found} (last year: {Path(previous_path).name})"}
        out.append(f)
    return out


def not_assessed(model, reason_zh: str, reason_en: str) -> list[Finding]:
    return [Finding(rule["rule"], "info", detail={"kind": "text", "zh": f"未校验：{reason_zh}", "en": f"not assessed: {reason_en}"})
            for rule in rules_of(model) if rule.get("rule")]


# ------------------------------------------------------------------ finding last year's report


def name_key(path: str) -> str:
    """A file name without its digits, extension and our suffixes: 乐清市2023年报.xlsx → 乐清市年报."""
    stem = Path(path).name
    stem = re.sub(r"\.checked(?=\.)", "", stem)
    stem = stem.rsplit(".", 1)[0]
    return re.sub(r"[\d\s_\-—（）()]+", "", stem)


@dataclass
class PreviousIndex:
    by_organ: dict[str, list[tuple[int | None, str]]] = field(default_factory=dict)
    by_name: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, files: list[str], model=None) -> "PreviousIndex":
        from .check import check_file
        index = cls()
        for path in files:
            index.by_name.setdefault(name_key(path), []).append(path)
            result = check_file(path, model)
            if result.status != "error" and result.organ:
                index.by_organ.setdefault(result.organ, []).append((result.year, path))
        return index

    def find(self, path: str, organ: str | None, year: int | None) -> str | None:
        if organ and organ in self.by_organ:
            candidates = self.by_organ[organ]
            if year:
                exact = [p for y, p in candidates if y == year - 1]
                if exact:
                    return exact[0]
            if len(candidates) == 1:
                return candidates[0][1]
        named = [p for p in self.by_name.get(name_key(path), []) if Path(p).resolve() != Path(path).resolve()]
        return named[0] if len(named) == 1 else None
