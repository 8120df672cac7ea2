"""Pointing at the likely wrong cell: the fewest changes that repair every broken identity.

Every arithmetic identity of the schema (``x-sum``, ``x-balance``) is a linear equation over data
points with coefficients ±1. A wrong part breaks its row total and its column total; a wrong
total breaks its row and the balance. Changing one cell by d shifts the residual of every
equation it is in by ±d, so a one-cell repair is a cell whose equations are exactly the broken
ones and all ask for the same d; a two-cell repair is a pair solving the small system over the
equations either is in. Larger repairs are not searched: the errors are then too many to pin down.
All repairs of the smallest size are listed, never one chosen among equals.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from ..model.schema import value_at
from ..rules.registry import IDENTITIES, relations
from ..rules.relations import TOLERANCE, Equation

TOL = TOLERANCE


@dataclass
class Change:
    point: str
    current: Any
    proposed: Any
    sheet: str | None = None
    cell: str | None = None
    was: str | None = None          # "blank" | "placeholder" when the cell was not a typed number
    label: str = ""                 # table › row › column as printed
    order: int = 0                  # the point's place in the schema, for reading order

    def to_json(self):
        return {"point": self.point, "sheet": self.sheet, "cell": self.cell, "label": self.label,
                "current": self.current, "proposed": self.proposed, "was": self.was}


@dataclass
class Repair:
    changes: list[Change]
    fixes: list[dict[str, str]]     # the broken equations it repairs: rule and the point reported on

    def to_json(self):
        return {"changes": [c.to_json() for c in self.changes], "fixes": self.fixes}


@dataclass
class Diagnosis:
    status: str                     # "found" | "too_many"
    broken: int                     # how many identities are broken
    size: int = 0                   # cells per repair
    repairs: list[Repair] = field(default_factory=list)

    def to_json(self):
        return {"status": self.status, "broken": self.broken, "size": self.size,
                "repairs": [r.to_json() for r in self.repairs]}


@dataclass(frozen=True)
class _Eq:
    rule: str
    target: str
    coeffs: dict[str, int]
    residual: float


def equations_of(model, instance) -> list[_Eq]:
    out = []
    for rel, base in relations(model, instance, kinds=IDENTITIES):
        if not isinstance(rel, Equation):
            continue
        coeffs = {".".join(base + p): 1 for p in rel.left}
        coeffs.update({".".join(base + p): -1 for p in rel.right})
        residual = sum(rel.values[p] for p in rel.left) - sum(rel.values[p] for p in rel.right)
        out.append(_Eq(rel.rule, ".".join(base + rel.target), coeffs, residual))
    return out


def _clean(v: float):
    r = round(v)
    return int(r) if abs(v - r) < TOL else round(v, 6)


def diagnose(model, instance: dict, reads: dict | None = None, places: dict | None = None,
             max_size: int = 2) -> Diagnosis | None:
    """The smallest repairs of every broken identity, or None when all hold. `places` names each
    point's (sheet, cell, line) for the changes."""
    eqs = equations_of(model, instance)
    broken = [i for i, e in enumerate(eqs) if abs(e.residual) > TOL]
    if not broken:
        return None
    broken_mask = 0
    for i in broken:
        broken_mask |= 1 << i
    member: dict[str, int] = {}
    for i, e in enumerate(eqs):
        for p in e.coeffs:
            member[p] = member.get(p, 0) | (1 << i)
    values = {p: value_at(instance, p) for p in member}

    def valid(point: str, value: float) -> bool:
        t = model.point(point).type
        if t.integer and abs(value - round(value)) > TOL:
            return False
        return t.minimum is None or value >= t.minimum - TOL

    def fixes(mask: int):
        return [{"rule": eqs[i].rule, "point": eqs[i].target} for i in broken if mask >> i & 1]

    singles = []
    for p, mask in member.items():
        if mask != broken_mask:
            continue
        ds = {_clean(-eqs[i].residual * eqs[i].coeffs[p]) for i in broken}
        if len(ds) == 1:
            d = ds.pop()
            if d and valid(p, values[p] + d):
                singles.append(Repair([_change(model, p, values, d, reads, places)], fixes(mask)))
    if singles:
        return Diagnosis("found", len(broken), 1, _order(singles))
    if max_size >= 2:
        pairs = []
        for x, y in combinations(sorted(member), 2):
            mx, my = member[x], member[y]
            if (mx | my) & broken_mask != broken_mask:
                continue
            solved = _solve_pair(eqs, x, y, mx | my)
            if solved is None:
                continue
            dx, dy = solved
            if dx and dy and valid(x, values[x] + dx) and valid(y, values[y] + dy):
                pairs.append(Repair([_change(model, x, values, dx, reads, places), _change(model, y, values, dy, reads, places)],
                                    fixes(mx | my)))
        if pairs:
            return Diagnosis("found", len(broken), 2, _order(pairs))
    return Diagnosis("too_many", len(broken))


def _solve_pair(eqs, x, y, mask):
    """(dx, dy) making every equation in `mask` hold, or None (no solution, or not pinned down)."""
    dx = dy = None
    both = []
    i = 0
    while mask:
        if mask & 1:
            e = eqs[i]
            a, b = e.coeffs.get(x, 0), e.coeffs.get(y, 0)
            if a and not b:
                v = _clean(-e.residual * a)
                if dx is not None and v != dx:
                    return None
                dx = v
            elif b and not a:
                v = _clean(-e.residual * b)
                if dy is not None and v != dy:
                    return None
                dy = v
            else:
                both.append((a, b, -e.residual))
        mask >>= 1
        i += 1
    for a, b, rhs in both:
        if dx is not None and dy is None:
            dy = _clean((rhs - a * dx) / b)
        elif dy is not None and dx is None:
            dx = _clean((rhs - b * dy) / a)
    if dx is None or dy is None:
        if len(both) >= 2:
            (a1, b1, r1), (a2, b2, r2) = both[0], both[1]
            det = a1 * b2 - a2 * b1
            if det == 0:
                return None
            dx, dy = _clean((r1 * b2 - r2 * b1) / det), _clean((a1 * r2 - a2 * r1) / det)
        else:
            return None
    for a, b, rhs in both:
        if abs(a * dx + b * dy - rhs) > TOL:
            return None
    return dx, dy


def _change(model, point, values, d, reads, places) -> Change:
    sheet, cell, _ = (places or {}).get(point, (None, None, None))
    read = (reads or {}).get(point)
    was = {"cell.blank": "blank", "cell.placeholder": "placeholder"}.get(getattr(read, "rule", None))
    order = {p.id: i for i, p in enumerate(model.points)}
    return Change(point, values[point], _clean(values[point] + d), sheet, cell, was, " › ".join(model.labels(point)),
                  order.get(point, 0))


def _order(repairs: list[Repair]) -> list[Repair]:
    """Repairs touching a blank or placeholder first (stronger suspects), then in reading order."""
    return sorted(repairs, key=lambda r: (-sum(1 for c in r.changes if c.was), [c.order for c in r.changes]))


# ------------------------------------------------------------------ words


def _where(c: Change, lang: str) -> str:
    return f"{c.sheet}!{c.cell}" if c.sheet and c.cell else f"「{c.label or c.point}」"


def _was(c: Change, zh: bool) -> str:
    if not c.was:
        return ""
    if zh:
        return "（原为空白，按 0 计算）" if c.was == "blank" else "（原为占位符，按 0 计算）"
    return " (was blank, counted as 0)" if c.was == "blank" else " (was a placeholder, counted as 0)"


def summary(d: Diagnosis, lang: str = "zh") -> str:
    zh = lang != "en"
    if d.status == "too_many":
        return (f"错误较多（{d.broken} 处等式不成立），改动一两个单元格无法全部修复，无法确定是哪个单元格填错" if zh
                else f"too many errors to pin down: {d.broken} identities are broken and no change of one or two cells repairs them all")
    if d.size == 1 and len(d.repairs) == 1:
        c = d.repairs[0].changes[0]
        n = len(d.repairs[0].fixes)
        return (f"最可能出错的是 {_where(c, lang)}{_was(c, zh)}：改为 {c.proposed} 可同时修复 {n} 处错误" if zh
                else f"the likely wrong cell is {_where(c, lang)}{_was(c, zh)}: {c.proposed} there repairs all {n} errors")
    options = "、".join(" + ".join(f"{_where(c, lang)}{_was(c, zh)} 改为 {c.proposed}" for c in r.changes) for r in d.repairs) if zh else \
        "; ".join(" + ".join(f"{_where(c, lang)}{_was(c, zh)} → {c.proposed}" for c in r.changes) for r in d.repairs)
    if d.size == 1:
        return (f"以下 {len(d.repairs)} 个单元格都可能出错，改其中任一个即可修复全部 {d.broken} 处错误（无法进一步区分）：{options}" if zh
                else f"any one of these {len(d.repairs)} cells may be wrong; changing any one repairs all {d.broken} errors: {options}")
    if len(d.repairs) == 1:
        return (f"最可能出错的是两个单元格：{options}，可同时修复 {d.broken} 处错误" if zh
                else f"two cells are likely wrong: {options} repairs all {d.broken} errors")
    return (f"有 {len(d.repairs)} 种同样小的改法（各改两个单元格）可修复全部 {d.broken} 处错误：{options}" if zh
            else f"{len(d.repairs)} equally small repairs (two cells each) fix all {d.broken} errors: {options}")


def cell_note(c: Change, repair: Repair, lang: str = "zh") -> str:
    zh = lang != "en"
    n = len(repair.fixes)
    if zh:
        return f"[xlcheck] 可能填错{_was(c, zh)}：应为 {c.proposed}（可同时修复 {n} 处错误）"
    return f"[xlcheck] likely wrong{_was(c, zh)}: should be {c.proposed} (repairs {n} errors)"
