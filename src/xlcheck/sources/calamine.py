"""Legacy .xls workbooks through python-calamine (an optional, compiled extra: not needed for
.xlsx, and not available inside Pyodide). Values and merged ranges; no formulas."""
from __future__ import annotations

from ..errors import InputError
from . import optional
from ..grid import Cell, Grid, Sheet


def read_with_calamine(path: str, fmt: str) -> Grid:
    CalamineWorkbook = optional("python_calamine", path, f" .{fmt} 文件（或另存为 .xlsx）", "xls").CalamineWorkbook
    try:
        workbook = CalamineWorkbook.from_path(path)
    except Exception as exc:
        raise InputError(f"{path}：无法读取（{str(exc).splitlines()[0][:80] if str(exc) else exc.__class__.__name__}）") from None
    grid = Grid(path=path, format=fmt)
    for index, name in enumerate(workbook.sheet_names):
        try:
            data = workbook.get_sheet_by_index(index)
            rows = data.to_python()
        except Exception:
            continue
        sheet = Sheet(name)
        r0, c0 = getattr(data, "start", None) or (0, 0)
        for r, row in enumerate(rows, start=1 + r0):
            for c, value in enumerate(row, start=1 + c0):
                if value not in ("", None):
                    if isinstance(value, float) and value.is_integer():
                        value = int(value)
                    sheet.cells[(r, c)] = Cell(value if isinstance(value, (int, float, str, bool)) else str(value))
        for (r1, c1), (r2, c2) in (getattr(data, "merged_cell_ranges", None) or []):
            sheet.merged.append((r1 + 1, c1 + 1, r2 + 1, c2 + 1))
        grid.sheets.append(sheet)
    return grid
