"""Formulas without a calculated result (a file written by a program that does not calculate):
a plain SUM(...) or a sum of cells is evaluated over the Grid, anything else is not.

A range is clipped to the cells that exist (SUM(A1:XFD1048576) visits the sheet's cells, not
seventeen billion positions), and each cell's formula is evaluated once per grid, so chains
of formulas over ranges cost what the cells cost."""
from __future__ import annotations

import re

from ..grid import Grid, col_number
from ..values import read_value

_SUM = re.compile(r"^\s*SUM\((.*)\)\s*$", re.IGNORECASE)
_REF = re.compile(r"^(?:(?:'((?:[^']|'')+)'|([^'!]+))!)?\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")
_PENDING = object()          # a cell being evaluated: met again, it is a cycle


def _in_range(cells: dict, r1: int, c1: int, r2: int, c2: int):
    """The cells of the sheet inside the range: its positions when the range is smaller than
    the sheet's cells, the sheet's cells otherwise."""
    if (r2 - r1 + 1) * (c2 - c1 + 1) <= len(cells):
        return ((rc, cells[rc]) for rc in ((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)) if rc in cells)
    return sorted(((rc, cell) for rc, cell in cells.items() if r1 <= rc[0] <= r2 and c1 <= rc[1] <= c2), key=lambda x: x[0])


def evaluate_sum(formula: str, sheet: str, grid: Grid, depth: int = 0, memo: dict | None = None) -> float | None:
    """The value of a plain SUM(...) or a sum of cells (A1+B2+C3), or None for anything else."""
    if depth > 20:
        return None
    if memo is None:                 # kept on the grid: its cells never change once read
        memo = grid.__dict__.setdefault("_sums", {})
    m = _SUM.match(formula)
    parts = m.group(1).split(",") if m else formula.split("+")
    total = 0
    for part in parts:
        ref = _REF.match(part.strip().upper() if "'" not in part else part.strip())
        if not ref:
            return None
        target = (ref.group(1) or "").replace("''", "'") or ref.group(2) or sheet
        ws = grid.sheet(target)
        if ws is None:
            return None
        c1, r1 = col_number(ref.group(3).upper()), int(ref.group(4))
        c2, r2 = (col_number(ref.group(5).upper()), int(ref.group(6))) if ref.group(5) else (c1, r1)
        r1, r2, c1, c2 = min(r1, r2), max(r1, r2), min(c1, c2), max(c1, c2)
        for rc, cell in _in_range(ws.cells, r1, c1, r2, c2):
            value = cell.value
            if cell.formula and not cell.cached:
                key = (target, rc)
                value = memo.get(key)
                if key not in memo:
                    memo[key] = _PENDING
                    value = memo[key] = evaluate_sum(cell.formula, target, grid, depth + 1, memo)
                if value is None or value is _PENDING:
                    return None
            read = read_value(value)
            if not isinstance(read.value, (int, float)):
                if m and isinstance(read.value, str):
                    continue                                # SUM skips text
                return None
            total += read.value
    return total
