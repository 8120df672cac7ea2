"""How a report was read, for an evaluator to see why a finding arose before publishing it: per
table, each data row found — its label as printed, where it stands (line, or sheet and cell) and
the values as printed — and the rows not found."""
from __future__ import annotations

from typing import Any

from ..findings import printable
from ..grid import Grid
from ..locate import Location
from ..model.schema import Edition


def reading(model: Edition, grid: Grid, located: Location) -> list[dict[str, Any]]:
    sheets = {s.name: s for s in reversed(grid.sheets)}
    out = []
    for table in model.tables:
        rows, missing = [], []
        for row in table.rows:
            points = [f"{table.key}.{row.key}.{c.key}" for c in row.columns]
            refs = [located.cells.get(p) for p in points]
            printed, label_ref = located.labels.get(f"{table.key}.{row.key}", (None, None))
            first = label_ref or next((r for r in refs if r), None)
            if first is None:
                missing.append(row.key)
                continue
            sheet, cell, line = grid.where(*first)
            found = sheets.get(first[0])
            printed_at = found.cells.get(first[1:]) if found else None
            page = printed_at.page if printed_at is not None else None
            values = []
            for p, ref in zip(points, refs):
                if ref is None:
                    values.append(located.values.get(p))
                    continue
                found = sheets.get(ref[0])
                values.append(found.value(ref[1], ref[2]) if found else None)
            rows.append({"row": row.key, "label": row.label, "printed": printed, "sheet": sheet, "cell": cell,
                         "line": line, "page": page, "values": values})
        out.append({"table": table.key, "label": table.label, "how": located.how, "rows": rows, "missing": missing})
    return out


def reading_lines(tables: list[dict[str, Any]], lang: str = "zh") -> list[str]:
    """The reading as console lines."""
    zh = lang != "en"
    lines = []
    for t in tables:
        lines.append(f"  {'读取' if zh else 'read'} {t['label']}（{len(t['rows'])} 行）" if zh
                     else f"  read {t['label']} ({len(t['rows'])} rows)")
        for r in t["rows"]:
            if r["page"]:
                where = f"第 {r['page']} 页" if zh else f"page {r['page']}"
            elif r["line"]:
                where = f"第 {r['line']} 行" if zh else f"line {r['line']}"
            else:
                where = f"{r['sheet']}!{r['cell']}" if r["sheet"] else "—"
            printed = r["printed"] if r["printed"] is not None else r["label"]
            shown = " ".join("·" if v is None else str(v) for v in r["values"])
            lines.append(printable(f"    {where}  「{printed}」  {shown}"))
        for key in t["missing"]:
            lines.append(f"    {'未找到' if zh else 'not found'}：{key}")
    return lines
