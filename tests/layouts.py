"""Tables as other tools print them: from the schema's printed layout, rendered into workbooks at
other positions and shapes, HTML pages and Word files (for the reader tests)."""
from xlcheck.model import editions as schemas
from xlcheck.model.layout import place
from xlcheck.model import flatten


def printed(edition, values, label=lambda t: t):
    """{table key: (caption, [(row, col, rowspan, colspan, text)])} with values filled in."""
    model = schemas.edition(edition)
    flat = flatten(values) if isinstance(next(iter(values.values())), dict) else values
    out = {}
    for table in model.tables:
        cells = []
        for p in place(table):
            text = flat.get(p.text) if p.kind == "point" else label(p.text)
            cells.append((p.row, p.col, p.rowspan, p.colspan, text))
        out[table.key] = (table.label, cells)
    return out


def to_sheet(ws, top, left, caption, cells, blank_col=None, merge=True):
    """Draw one printed table with its top-left at (top, left); `blank_col` inserts an empty
    column after that table column."""
    ws.cell(top, left, caption)
    top += 1

    def col(c):
        return left + c + (1 if blank_col is not None and c > blank_col else 0)

    height = 0
    for r, c, rs, cs, text in cells:
        ws.cell(top + r, col(c), text)
        if merge and (rs > 1 or cs > 1):
            ws.merge_cells(start_row=top + r, start_column=col(c), end_row=top + r + rs - 1, end_column=col(c + cs - 1))
        height = max(height, r + rs)
    return top + height


def to_html(title, tables, prose=""):
    parts = [f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>",
             f"<h1>{title}</h1><p>{prose}</p>"]
    for caption, cells in tables.values():
        parts.append(f"<p><strong>{caption}</strong></p><table border='1'><tbody>")
        rows = {}
        for r, c, rs, cs, text in cells:
            rows.setdefault(r, []).append((c, rs, cs, text))
        for r in sorted(rows):
            parts.append("<tr>")
            for c, rs, cs, text in sorted(rows[r]):
                span = (f" rowspan='{rs}'" if rs > 1 else "") + (f" colspan='{cs}'" if cs > 1 else "")
                body = "" if text is None else str(text).replace("\n", "<br />")
                parts.append(f"<td{span}><p align='center'>{body}</p></td>")
            parts.append("</tr>")
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "\n".join(parts)


def to_docx(path, title, tables, prose=""):
    import docx
    doc = docx.Document()
    doc.add_paragraph(title)
    doc.add_paragraph(prose)
    for caption, cells in tables.values():
        doc.add_paragraph(caption)
        height = max(r + rs for r, c, rs, cs, t in cells)
        width = max(c + cs for r, c, rs, cs, t in cells)
        table = doc.add_table(rows=height, cols=width)
        table.style = "Table Grid"             # ruled, as published tables are
        for r, c, rs, cs, text in cells:
            cell = table.cell(r, c)
            if rs > 1 or cs > 1:
                cell = cell.merge(table.cell(r + rs - 1, c + cs - 1))
            cell.text = "" if text is None else str(text)
    doc.save(path)
    return path
