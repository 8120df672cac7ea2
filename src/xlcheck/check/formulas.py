"""Formulas without a calculated result (a file written by a program that does not calculate):
a plain SUM(...) or a sum of cells is evaluated over the Grid, anything else is not."""
from __future__ import annotations

import re

from ..grid import Grid, col_number
from ..values import read_value

_SUM = re.compile(r"^\s*SUM\((.*)\)\s*$", re.IGNORECASE)
_REF = re.compile(r"^(?:(?:'((?:[^']|'')+)'|([^'!]+))!)?\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")


def evaluate_sum(formula: str, sheet: str, grid: Grid, depth: int = 0) -> float | None:
    """The value of a plain SUM(...) or a sum of cells (A1+B2+C3), or None for anything else."""
    if depth > 20:
        return None
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
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                cell = ws.cells.get((r, c))
                if cell is None:
                    continue
                value = cell.value
                if cell.formula and not cell.cached:
                    value = evaluate_sum(cell.formula, target, grid, depth + 1)
                    if value is None:
                        return None
                read = read_value(value)
                if not isinstance(read.value, (int, float)):
                    return None if not (m and isinstance(read.value, str)) else 0   # SUM skips text
                total += read.value
    return total
