"""Where each data point of a Grid was found: what the locator gives the checker."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..findings import Finding
from ..model.schema import Edition


@dataclass(eq=False)      # never compared by value: no __eq__ to generate at start-up
class Location:
    model: Edition
    cells: dict[str, tuple[str, int, int]]               # point id → sheet, row, col of the Grid
    values: dict[str, object] = field(default_factory=dict)   # point id → a value standing in where the report
                                                         # prints no cell (a group printed as one row)
    meta: dict[str, str] = field(default_factory=dict)   # report year, organ, edition and schema hash where known
    findings: list[Finding] = field(default_factory=list)     # layout and edition findings met while locating
    how: str = "names"                                   # names | labels
    labels: dict[str, tuple[str, tuple[str, int, int]]] = field(default_factory=dict)   # "table.row" → the row's
                                                         # label as printed and its cell (when found by labels)
