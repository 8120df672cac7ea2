"""Finding each data point's cell in a Grid: the template's defined names first (and its hidden
metadata sheet for the edition), the printed labels otherwise."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import schema as schemas
from .errors import InputError
from .schema import Edition
from .sources.grid import Grid
from .template import META_SHEET, defined_name, read_meta


@dataclass
class Location:
    model: Edition
    cells: dict[str, tuple[str, int, int]]           # point id → sheet, row, col
    values: dict[str, Any] = field(default_factory=dict)   # point id → raw value, for sources without cells
    meta: dict[str, str] = field(default_factory=dict)
    findings: list = field(default_factory=list)     # layout and edition findings met while locating
    how: str = "names"


def template_meta(grid: Grid) -> dict[str, str]:
    sheet = grid.sheet(META_SHEET)
    return read_meta(sheet.rows()) if sheet else {}


def _edition_from_names(grid: Grid) -> Edition | None:
    best, score = None, 0
    for model in schemas.shipped().values():
        hits = sum(1 for p in model.points if defined_name(p.id) in grid.names)
        if hits > score:
            best, score = model, hits
    return best


def choose_edition(grid: Grid, meta: dict[str, str]) -> Edition | None:
    if meta.get("schema_sha256"):
        model = schemas.by_hash(meta["schema_sha256"])
        if model:
            return model
    if meta.get("edition") in schemas.shipped():
        return schemas.edition(meta["edition"])
    return _edition_from_names(grid)


def _labels_in_running_text(grid: Grid) -> str | None:
    """A quote showing the tables' labels run together with their numbers (a page's text copied
    without cell separators), or None."""
    import re
    from .labels import norm
    text = norm(grid.text or "")
    if not text:
        return None
    for model in schemas.shipped().values():
        for table in model.tables:
            for row in table.rows:
                key = norm(row.label)
                m = re.search(re.escape(key) + r"\d{2,}", text)
                if m and len(key) >= 8:
                    return text[m.start(): m.end() + 6]
    return None


def locate(grid: Grid, model: Edition | None = None, year: int | None = None) -> Location:
    meta = template_meta(grid)
    chosen = model or choose_edition(grid, meta)
    if chosen is not None:
        names = grid.names
        cells = {p.id: names[name] for p in chosen.points if (name := defined_name(p.id)) in names}
        if cells:
            return Location(chosen, cells, meta=meta)
    from .labels import locate_by_labels
    located = locate_by_labels(grid, model, year)
    if located is None:
        run_together = _labels_in_running_text(grid)
        if run_together:
            raise InputError(f"{grid.path}：文中有统计表的标签，但表格各单元格的文字和数字连在一起（如「{run_together}」），"
                             "无法可靠地拆分成单元格；请改用报告的网页（HTML）、Word 或 PDF 原件")
        raise InputError(f"{grid.path}：没有找到统计表（既没有 xlcheck 模板的名称，也没有可识别的表格标签）")
    located.meta = meta or located.meta
    return located
