"""A table's printed layout (`x-layout`), placed on a grid.

The layout is written like an HTML table: a list of printed rows, each a list of cells that
flow left to right into the next free position, with `rowspan` and `colspan`. A cell is
literal `text`, a reference to a printed label (`row`, `column`, `group`, `block`, `note`),
or a data `point` ("row.column" within the table).
"""
from __future__ import annotations

from typing import NamedTuple

from .schema import Table, derived


class Placed(NamedTuple):
    row: int          # 0-based, relative to the table's top-left cell
    col: int
    rowspan: int
    colspan: int
    kind: str         # text | label | point
    text: str         # the printed text; for a point, the data-point id
    role: str         # header | caption | label | data


def label_of(table: Table, cell: dict) -> str:
    if "text" in cell:
        return cell["text"]
    if "row" in cell:
        return table.row(cell["row"]).label
    if "column" in cell:
        return table.column_label(cell["column"])
    if "group" in cell:
        return table.groups[cell["group"]]
    if "block" in cell:
        return table.groups[cell["block"]]
    if cell.get("note"):
        if table.note is None:
            raise KeyError("note")
        return table.note
    raise KeyError(f"不认识的版式单元格：{cell}")


def place(table: Table) -> list[Placed]:
    occupied: set[tuple[int, int]] = set()
    out: list[Placed] = []
    for r, printed_row in enumerate(table.layout.get("rows", [])):
        c = 0
        for cell in printed_row:
            while (r, c) in occupied:
                c += 1
            rs, cs = int(cell.get("rowspan", 1)), int(cell.get("colspan", 1))
            for dr in range(rs):
                for dc in range(cs):
                    occupied.add((r + dr, c + dc))
            if "point" in cell:
                out.append(Placed(r, c, rs, cs, "point", f"{table.key}.{cell['point']}", "data"))
            else:
                kind = "text" if "text" in cell else "label"
                out.append(Placed(r, c, rs, cs, kind, label_of(table, cell), cell.get("role", "label")))
            c += cs
    return out


class LayoutRow(NamedTuple):
    """One printed row of a table as its labels and data points read left to right."""
    labels: list[str]
    points: list[str]           # data-point ids in printed order
    anchor: str | None          # the printed label that precedes the points


def layout_rows(table: Table) -> list[LayoutRow]:
    """The table's printed rows, placed once per table."""
    return derived(table, "layout_rows", lambda: _layout_rows(table))


def _layout_rows(table: Table) -> list[LayoutRow]:
    by_row: dict[int, list] = {}
    for p in place(table):
        by_row.setdefault(p.row, []).append(p)
    out = []
    for r in sorted(by_row):
        cells = sorted(by_row[r], key=lambda p: p.col)
        points = [p.text for p in cells if p.kind == "point"]
        labels = [p.text for p in cells if p.kind != "point"]
        anchor = None
        if points:
            row_label = table.row(points[0].split(".")[1]).label
            if row_label in labels:
                anchor = row_label
        out.append(LayoutRow(labels, points, anchor))
    return out


def size(table: Table) -> tuple[int, int]:
    """(rows, columns) the placed table covers."""
    cells = place(table)
    height = max((p.row + p.rowspan for p in cells), default=0)
    width = max((p.col + p.colspan for p in cells), default=0)
    return height, max(width, len(table.layout.get("widths", [])))


def layout_problems(table: Table) -> list[str]:
    problems = []
    try:
        placed = place(table)
    except KeyError as exc:
        return [f"表 {table.key} 的版式引用了不存在的标签：{exc}"]
    ids = [p.text for p in placed if p.kind == "point"]
    expected = {p.id for p in table.points}
    for missing in sorted(expected - set(ids)):
        problems.append(f"表 {table.key} 的版式没有放置数据点 {missing}")
    for extra in sorted(set(ids) - expected):
        problems.append(f"表 {table.key} 的版式放置了未定义的数据点 {extra}")
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"表 {table.key} 的版式把数据点 {dup} 放了不止一次")
    return problems
