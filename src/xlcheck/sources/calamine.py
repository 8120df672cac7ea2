"""Legacy .xls workbooks through python-calamine (an optional, compiled extra: not needed for
.xlsx, and not available inside Pyodide). Values and merged ranges; no formulas.

calamine holds each sheet as the dense rectangle from its first to its last cell, and a failed
allocation aborts the process; so the cells' extent is measured first from the BIFF records
(through olefile, pure Python, in the same extra) and a sheet whose rectangle would be huge is
refused before calamine sees it."""
from __future__ import annotations

import struct

from ..errors import InputError
from . import optional
from ..grid import Cell, Grid, Sheet
from .limits import MAX_XLS_AREA, Budget, too_large

_BOF, _EOF = 0x0809, 0x000A
_CELLS = {0x0006, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x0406, 0x00BD, 0x00BE}   # MULRK, MULBLANK last
_MULTI = {0x00BD, 0x00BE}


def biff_extents(data: bytes) -> list[int]:
    """The area (rows × columns from first to last cell) of each sheet substream of a BIFF8
    workbook stream, read record by record."""
    areas, depth, box = [], 0, None
    pos, n = 0, len(data)
    while pos + 4 <= n:
        rid, size = struct.unpack_from("<HH", data, pos)
        body = data[pos + 4:pos + 4 + size]
        pos += 4 + size
        if rid == _BOF:
            depth += 1
            if depth == 1:
                box = [1 << 30, -1, 1 << 30, -1]
        elif rid == _EOF and depth:
            depth -= 1
            if depth == 0 and box and box[1] >= 0:
                areas.append((box[1] - box[0] + 1) * (box[3] - box[2] + 1))
        elif rid in _CELLS and box is not None and len(body) >= 4:
            row, col = struct.unpack_from("<HH", body)
            last = struct.unpack_from("<H", body, len(body) - 2)[0] if rid in _MULTI and len(body) >= 6 else col
            box[:] = min(box[0], row), max(box[1], row), min(box[2], col, last), max(box[3], col, last)
    return areas


def _check_extent(path: str) -> None:
    olefile = optional("olefile", path, " .xls 文件", "xls")
    try:
        with olefile.OleFileIO(path) as ole:
            stream = next((s for s in ("Workbook", "Book") if ole.exists(s)), None)
            data = ole.openstream(stream).read() if stream else b""
    except Exception:
        return                                   # not a compound file calamine can read either: it will say so
    for area in biff_extents(data):
        if area > MAX_XLS_AREA:
            raise too_large(path, f"工作表从第一个到最后一个单元格的范围有 {area:,} 格（上限 {MAX_XLS_AREA:,}）")


def read_with_calamine(path: str, fmt: str) -> Grid:
    CalamineWorkbook = optional("python_calamine", path, f" .{fmt} 文件（或另存为 .xlsx）", "xls").CalamineWorkbook
    _check_extent(path)
    try:
        workbook = CalamineWorkbook.from_path(path)
    except Exception as exc:
        raise InputError(f"{path}：无法读取（{str(exc).splitlines()[0][:80] if str(exc) else exc.__class__.__name__}）") from None
    grid = Grid(path=path, format=fmt)
    budget = Budget(path)
    for index, name in enumerate(workbook.sheet_names):
        try:
            data = workbook.get_sheet_by_index(index)
            rows = data.iter_rows()          # a row at a time: a far-away cell makes the range, not the lists, large
        except Exception:
            continue
        sheet = Sheet(name)
        r0, c0 = getattr(data, "start", None) or (0, 0)
        try:
            for r, row in enumerate(rows, start=1 + r0):
                for c, value in enumerate(row, start=1 + c0):
                    if value not in ("", None):
                        budget.take()
                        if isinstance(value, float) and value.is_integer():
                            value = int(value)
                        sheet.cells[(r, c)] = Cell(value if isinstance(value, (int, float, str, bool)) else str(value))
        except InputError:
            raise
        except Exception:
            continue
        for (r1, c1), (r2, c2) in (getattr(data, "merged_cell_ranges", None) or []):
            sheet.merged.append((r1 + 1, c1 + 1, r2 + 1, c2 + 1))
        grid.sheets.append(sheet)
    return grid
