"""The conventions a workbook made by xlcheck follows, shared by the template writer, the
locator that reads it back, the annotation and the Excel and WPS buttons: where each data point
sits, the defined name that finds it, the hidden sheet recording the schema, and the names of
xlcheck's own sheets (never read as tables)."""
from __future__ import annotations

import re

from .layout import place
from .schema import Edition

META_SHEET = "_xlcheck_meta"        # hidden: schema id, edition, schema hash, report year, organ
RESULT_SHEET = "校验结果"            # the findings of the last check, a row each
RECORD_SHEET = "_xlcheck"           # hidden: the record of every mark, so it can be undone
OWN_SHEETS = frozenset({META_SHEET, RESULT_SHEET, RECORD_SHEET})
TITLE_ROWS = 2                      # report title and table caption above each table
# Sheets an xlwings add-in reads as its settings (<project>.conf: interpreter, PYTHONPATH) or as
# code to run (<module>.py, xlwings' embedded code), whatever their visibility.
_ADDIN_SETTINGS = re.compile(r".*\.(?:conf|py)\s*$", re.I | re.S)


def addin_settings_sheets(names) -> list[str]:
    """The sheet names among `names` that an xlwings add-in would take as settings or code."""
    return [n for n in names if _ADDIN_SETTINGS.fullmatch(n)]


def template_name(year: int) -> str:
    """The file name a blank template of a report year gets when none is asked for."""
    return f"{year}年政府信息公开统计表.xlsx"


def defined_name(point_id: str) -> str:
    """The workbook-level defined name of a data point: the data-point id itself."""
    return point_id


def cell_positions(model: Edition) -> dict[str, tuple[str, int, int]]:
    """data-point id → (sheet, row, column), 1-based, as the template places it."""
    found = model.__dict__.get("_positions")
    if found is None:
        found = {}
        for table in model.tables:
            for p in place(table):
                if p.kind == "point":
                    found[p.text] = (table.sheet, TITLE_ROWS + 1 + p.row, 1 + p.col)
        object.__setattr__(model, "_positions", found)
    return dict(found)


def meta_rows(model: Edition, year: int | None, organ: str, formulas: bool, generator: str) -> list[tuple[str, object]]:
    """The rows of the hidden meta sheet: a header, then key, value."""
    return [("key", "value"), ("schema_id", model.id), ("edition", model.edition), ("schema_sha256", model.sha256),
            ("report_year", year or ""), ("organ", organ), ("generator", generator),
            ("formulas", "yes" if formulas else "no")]


def read_meta(sheet_rows) -> dict[str, str]:
    """The meta sheet's rows (as values) → {key: value}."""
    out = {}
    for row in sheet_rows:
        if len(row) >= 2 and isinstance(row[0], str) and row[0] != "key":
            out[row[0]] = "" if row[1] is None else str(row[1])
    return out
