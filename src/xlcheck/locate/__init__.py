"""Grid → the cell of each data point: by the defined names of a workbook xlcheck made (`names`),
otherwise by the printed labels wherever the tables sit (`labels`)."""
from __future__ import annotations

import re

from ..errors import InputError, NotAReport
from ..grid import Grid
from ..model import editions
from ..model.schema import Edition
from .normalise import norm
from .location import Location
from .names import locate_by_names, template_meta
from .visible import source_findings

__all__ = ["Location", "locate"]


def _labels_in_running_text(grid: Grid) -> str | None:
    """A quote showing the tables' labels run together with their numbers (a page's text copied
    without cell separators), or None."""
    text = norm(grid.text or "")
    if not text:
        return None
    for model in editions.shipped().values():
        for table in model.tables:
            for row in table.rows:
                key = norm(row.label)
                m = re.search(re.escape(key) + r"\d{2,}", text)
                if m and len(key) >= 8:
                    return text[m.start(): m.end() + 6]
    return None


def locate(grid: Grid, model: Edition | None = None, year: int | None = None) -> Location:
    meta = template_meta(grid)
    located = locate_by_names(grid, model, meta)
    if located is not None:
        located.findings.extend(source_findings(grid, located, year))
        return located
    from .labels import locate_by_labels                  # deferred: start-up time (a template is located by its names)
    located = locate_by_labels(grid, model, year)
    if located is None:
        run_together = _labels_in_running_text(grid)
        if run_together:
            raise InputError(f"{grid.path}：文中有统计表的标签，但表格各单元格的文字和数字连在一起（如「{run_together}」），"
                             "无法可靠地拆分成单元格；请改用报告的网页（HTML）、Word 或 PDF 原件")
        raise NotAReport(f"{grid.path}：没有找到统计表（既没有 xlcheck 模板的名称，也没有可识别的表格标签）")
    located.meta = meta or located.meta
    located.findings.extend(source_findings(grid, located, year))
    return located
