"""Cell scope: each data point's cell read into the JSON instance, with the finding that says how
it was read (a blank, a placeholder, a number typed as text, a formula never calculated), and a
table left wholly blank as one `table.empty` finding instead of a warning per cell."""
from __future__ import annotations

from typing import Any

from ..findings import NOWHERE, Finding, Where, about
from ..grid import Grid
from ..model.schema import Edition
from ..values import Read, read_value


def read_cells(grid: Grid, model: Edition, cells: dict[str, tuple[str, int, int]], places: dict[str, Where],
               values: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, Read], list[Finding]]:
    """(instance, how each point was read, cell findings) of the located cells, and of the values
    the locator stands in where the report prints no cell."""
    instance: dict[str, Any] = {}
    reads: dict[str, Read] = {}
    findings: list[Finding] = []
    sheets = {s.name: s.cells for s in reversed(grid.sheets)}    # the first of a name wins, as grid.sheet()
    for table in model.tables:
        cell_findings: list[Finding] = []
        empty: list[bool] = []
        for key, row, column, _, pid in table.points:       # DataPoint, unpacked once
            ref = cells.get(pid)
            if ref is None:
                if values and pid in values:
                    instance.setdefault(key, {}).setdefault(row, {})[column] = values[pid]
                continue
            where = places[pid]
            sheet = sheets.get(ref[0])
            cell = None if sheet is None else sheet.get((ref[1], ref[2]))
            raw, formula, cached = (None, None, True) if cell is None else (cell.value, cell.formula, cell.cached)
            if formula and not cached:
                from .formulas import evaluate_sum        # deferred: start-up time (only a formula never calculated)
                value = evaluate_sum(formula, ref[0], grid)
                cell_findings.append(about(model, "cell.formula_not_calculated", pid, where=where, found=value,
                                           detail={"kind": "cell", "formula": formula, "evaluated": value is not None}))
                if value is None:
                    continue
                raw = value
            read = reads[pid] = read_value(raw)
            value, rule, seen, how = read
            instance.setdefault(key, {}).setdefault(row, {})[column] = value
            empty.append(read.empty)
            if rule and not (grid.report and how in ("text", "spaces")):   # a report's numbers are text
                cell_findings.append(about(model, rule, pid, where=where, found=value,
                                           detail={"kind": "cell", "seen": seen, "how": how}))
        if empty and all(empty) and len(empty) == len(table.points):
            first = table.points[0].id
            findings.append(about(model, "table.empty", table=table.key, where=places.get(first, NOWHERE),
                                  detail={"kind": "text", "zh": "整张表没有填写（所有单元格为空或为占位符；没有的应填 0）",
                                          "en": "the table was not filled in (every cell blank or a placeholder; write 0 for none)"}))
            cell_findings = [f for f in cell_findings if f.rule not in ("cell.blank", "cell.placeholder")]
        findings.extend(cell_findings)
    return instance, reads, findings
