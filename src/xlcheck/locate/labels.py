"""Locating the statutory tables by their printed labels, wherever they sit.

Every source (a workbook of any layout, a published report as text, HTML or Word) is first seen
as a list of rows of cells, read left to right as printed: merged-cell continuations are
dropped, and so are columns that are empty on the whole sheet. The table's `x-layout` then says,
for each printed row holding data points, which label precedes them; the numbers that follow
that label are its data points, in the printed order. Header rows are matched by their labels
to check them and to find where a table starts. No layout is assumed in code.
"""
from __future__ import annotations

import difflib
from bisect import bisect_left
from collections import Counter

from ..findings import Finding, about
from ..grid import Grid
from ..model import editions
from ..model.layout import layout_rows
from ..model.schema import Edition, Table, derived
from .location import Location
from .normalise import norm
from .rows import SCell, is_number_like, source_rows
from .title import HEAD, report_meta

FUZZY = 0.75
WINDOW = 4          # how many rows past the expected one a label may sit




# ------------------------------------------------------------------ editions


def _keys(rows) -> set[str]:
    return rows.keys() if hasattr(rows, "keys") else {c.key for row in rows for c in row if c.key}


def _group_only_rows(model: Edition) -> list[tuple[str, str]]:
    """(label, key) of the edition's data rows that another edition only prints as a group label."""
    def build():
        others = [other for other in editions.shipped().values() if other is not model]
        group_only = {norm(g) for other in others for t in other.tables for g in t.groups.values()} - {
            norm(r.label) for other in others for t in other.tables for r in t.rows}
        return [(r.label, norm(r.label)) for t in model.tables for r in t.rows if norm(r.label) in group_only]
    return derived(model, "group_only", build)


def fingerprint_hits(rows, model: Edition) -> list[str]:
    """The edition's printed fingerprints found in the source, and its data rows that another
    edition only prints as a group label (such as 2019's single （六）其他处理 row) found with
    numbers right after them."""
    keys = _keys(rows)
    hits = [fp for fp, key in derived(model, "fingerprints", lambda: [(fp, norm(fp)) for fp in model.fingerprints])
            if key in keys]
    for label, key in _group_only_rows(model):
        if key not in keys:
            continue
        for row in rows:
            for j, cell in enumerate(row):
                after = row[j + 1:j + 4]
                if cell.key == key and len(after) >= 3 and all(c.text and is_number_like(c.text) for c in after):
                    hits.append(f"{label}（数据行）")
                    break
            else:
                continue
            break
    return hits


def _row_label_hits(rows, model: Edition) -> int:
    keys = _keys(rows)
    return sum(1 for key in derived(model, "row_keys", lambda: [norm(r.label) for t in model.tables for r in t.rows])
               if key in keys)


def detect_edition(rows, year: int | None = None) -> tuple[Edition | None, list[Edition]]:
    """The edition the labels show, and every edition whose fingerprints appear."""
    known = list(editions.shipped().values())
    prints = {id(m): fingerprint_hits(rows, m) for m in known}
    labels = {id(m): _row_label_hits(rows, m) for m in known}
    with_prints = [m for m in known if prints[id(m)]]
    candidates = with_prints or known
    scored = sorted(candidates, key=lambda m: (len(prints[id(m)]), labels[id(m)],
                                               bool(year and m.applies_to(year)), m.first_year), reverse=True)
    best = scored[0] if scored and (labels[id(scored[0])] or with_prints) else None
    return best, with_prints


# ------------------------------------------------------------------ one table


def _find_exact(rows, key: str, start: int, stop: int):
    found = rows.positions(key)
    k = bisect_left(found, (start, -1))
    return found[k] if k < len(found) and found[k][0] < stop else None


def _find_fuzzy(rows, key: str, start: int, stop: int, avoid: set[str]):
    """The cell most like `key` (ratio at least FUZZY) in rows start..stop: one matcher holds the
    key, and the length test and the character count bound each cell before its ratio."""
    matcher = difflib.SequenceMatcher(None, "", key)
    best, score = None, FUZZY
    for i in range(start, min(stop, len(rows))):
        for j, cell in enumerate(rows[i]):
            if not cell.key or cell.key in avoid or 2 * min(len(cell.key), len(key)) < score * (len(cell.key) + len(key)) \
                    or is_number_like(cell.text):
                continue                      # the length test: no ratio could reach the score
            matcher.set_seq1(cell.key)
            if matcher.quick_ratio() < score:
                continue
            ratio = matcher.ratio()
            if ratio >= score:
                best, score = (i, j), ratio
    return best


def _label_finding(model: Edition, table: Table, printed: str, found: str, where, row_key=None) -> Finding:
    return about(model, "layout.label_altered", table=table.key, row=row_key, where=where,
                 detail={"kind": "text", "zh": f"标签「{found}」与规定格式的「{printed}」不一致",
                         "en": f"label “{found}” differs from the printed “{printed}”"})


def _values_after(row: list[SCell], j: int, n: int, known: set[str]) -> list[SCell]:
    rest = row[j + 1:]
    while rest and rest[0].key and not is_number_like(rest[0].text) and (rest[0].key in known or len(rest[0].key) > 3):
        rest = rest[1:]            # another label printed before the numbers
    return rest[:n]


def locate_table(rows, model: Edition, table: Table, start: int, seen: dict | None = None):
    """(cells, findings, next position) for one table; cells maps point id → SCell. `seen`, when
    given, receives the printed label cell of each data row found ("table.row" → SCell)."""
    known = derived(table, "known", lambda: {norm(t) for t in ([r.label for r in table.rows] + [c.label for c in table.columns]
                                                             + list(table.groups.values()) + ([table.note] if table.note else []))})
    layout = layout_rows(table)
    cells: dict[str, SCell] = {}
    findings: list[Finding] = []
    pos = start
    first = True
    anchors = 0
    header_col = None          # where the last matched header row starts, for rows with no label
    padded = bool(rows) and getattr(rows, "padded", False)
    anchored: list = []        # (layout row, source row, anchor index) of spreadsheet rows, for column alignment
    for lrow in layout:
        if lrow.points and lrow.anchor:
            key = norm(lrow.anchor)
            hit = _find_exact(rows, key, pos, len(rows))        # printed labels are unique within a report
            if hit is None:
                hit = _find_fuzzy(rows, key, pos, pos + WINDOW + 1 if not first else len(rows), known - {key})
                if hit is not None:
                    cell = rows[hit[0]][hit[1]]
                    findings.append(_label_finding(model, table, lrow.anchor, cell.text, rows.where(cell), lrow.points[0].split(".")[1]))
            if hit is None:
                continue
            i, j = hit
            anchors += 1
            values = _values_after(rows[i], j, len(lrow.points), known)
            if padded:
                anchored.append((lrow, rows[i], j))
            k = i
            if not rows[i][j + 1:]:            # one cell a line: the numbers follow on the next lines
                while len(values) < len(lrow.points) and k + 1 < len(rows) and len(rows[k + 1]) == 1 \
                        and (not rows[k + 1][0].key or is_number_like(rows[k + 1][0].text)):
                    k += 1
                    values.append(rows[k][0])
            for point, cell in zip(lrow.points, values):
                cells[point] = cell
            if seen is not None:
                seen[lrow.points[0].rsplit(".", 1)[0]] = rows[i][j]
            pos, first = k + 1, False
        elif lrow.points:
            n = len(lrow.points)
            for i in range(pos, min(len(rows), pos + WINDOW + 2)):
                row = [c for c in rows[i] if header_col is None or c.sheet != header_col[0] or c.col >= header_col[1]]
                numeric = [c for c in row if c.text and is_number_like(c.text)]
                blank = [c for c in row if not c.text]
                if numeric and len(numeric) + len(blank) >= n:
                    lead = 0
                    while lead < len(row) and row[lead].key and not is_number_like(row[lead].text):
                        lead += 1
                    for point, cell in zip(lrow.points, row[lead:lead + n]):
                        cells[point] = cell
                    pos, first = i + 1, False
                    break
        else:
            hit = _match_header(rows, lrow.labels, pos, len(rows) if first else pos + WINDOW + 1)
            if hit is not None:
                pos = hit + 1
                anchors += 1
                filled = [c for c in rows[hit] if c.text]
                if filled:
                    col = min(c.col for c in filled)
                    if header_col is None or header_col[0] != filled[0].sheet or col < header_col[1]:
                        header_col = (filled[0].sheet, col)
                findings.extend(_check_header(model, table, rows[hit], lrow.labels, rows.where))
    if anchored:
        cells.update(_aligned(anchored))
    return cells, findings, pos, anchors


def _value_like(cell: SCell) -> bool:
    return bool(cell.text) and (is_number_like(cell.text) or len(cell.key) <= 6)


def _aligned(anchored) -> dict[str, SCell]:
    """Spreadsheet rows read by column: where merged areas are not known (a live workbook), a
    label spanning columns leaves empty cells before the numbers. A row whose cells after the
    label hold exactly as many values as it has data points shows the table's data columns;
    every row with that many points then takes the cells in those columns."""
    votes: dict[int, Counter] = {}
    for lrow, row, j in anchored:
        filled = [c for c in row[j + 1:] if _value_like(c)]
        if len(filled) == len(lrow.points):
            votes.setdefault(len(lrow.points), Counter())[tuple(c.col for c in filled)] += 1
    out: dict[str, SCell] = {}
    for lrow, row, j in anchored:
        n = len(lrow.points)
        filled = [c for c in row[j + 1:] if _value_like(c)]
        if len(filled) == n:
            chosen = filled
        elif n in votes:
            cols = votes[n].most_common(1)[0][0]
            by_col = {c.col: c for c in row[j + 1:]}
            sheet, r = row[j].sheet, row[j].row
            chosen = [by_col.get(col, SCell("", "", sheet, r, col)) for col in cols]
        else:
            continue
        out.update(zip(lrow.points, chosen))
    return out


def _match_header(rows, labels: list[str], start: int, stop: int):
    keys = [norm(l) for l in labels]
    need = max(1, (len(keys) + 1) // 2)
    for i in range(start, min(stop, len(rows))):
        present = rows.keys_of(i)
        if sum(1 for k in keys if k in present) >= need:
            return i
    return None


def _check_header(model, table, row: list[SCell], labels: list[str], where) -> list[Finding]:
    present = {c.key for c in row}
    out = []
    for label in labels:
        key = norm(label)
        if key in present:
            continue
        others = [c for c in row if c.key and c.key not in {norm(l) for l in labels}]
        best = max(others, key=lambda c: difflib.SequenceMatcher(None, c.key, key).ratio(), default=None)
        if best is not None and difflib.SequenceMatcher(None, best.key, key).ratio() >= FUZZY:
            out.append(_label_finding(model, table, label, best.text, where(best)))
    return out


def extra_rows(rows, model: Edition, table: Table, cells: dict[str, SCell]) -> list[Finding]:
    """Rows inside the table's span that carry numbers under a label the format does not have."""
    used_rows = sorted({(c.sheet, c.row) for c in cells.values()})
    if not used_rows:
        return []
    index = {(r[0].sheet, r[0].row): i for i, r in enumerate(rows) if r}
    spans = [index[k] for k in used_rows if k in index]
    known = derived(table, "labels", lambda: {norm(t) for t in ([r.label for r in table.rows] + [c.label for c in table.columns]
                                                              + list(table.groups.values()))})
    out = []
    for i in range(min(spans), max(spans) + 1):
        row = rows[i]
        if (row[0].sheet, row[0].row) in used_rows if row else True:
            continue
        labels = [c for c in row if c.key and not is_number_like(c.text) and c.key not in known]
        numbers = [c for c in row if c.text and is_number_like(c.text)]
        if labels and numbers:
            out.append(about(model, "layout.extra_row", table=table.key, where=rows.where(labels[0]),
                             detail={"kind": "text", "zh": f"规定格式中没有「{labels[-1].text}」这一行，其数字未参与校验",
                                     "en": f"the format has no row “{labels[-1].text}”; its numbers were not checked"}))
    return out


def printed_groups(rows, model: Edition, table: Table, cells: dict[str, SCell]) -> tuple[dict[str, object], list[Finding]]:
    """A group of rows printed as one data row — the 2019 edition's single （六）其他处理 where the
    2021 edition has three sub-rows: the group's numbers are kept, on the cells of its first row,
    and its other rows count 0, so the totals check as the author printed them; each row the
    format has and the report lacks is reported once. Returns (values standing in, findings)."""
    values: dict[str, object] = {}
    findings: list[Finding] = []
    keys = {norm(r.label) for r in table.rows} | {norm(c.label) for c in table.columns}
    for group, label in table.groups.items():
        members = [r for r in table.rows if group in r.groups]
        if not members or any(f"{table.key}.{r.key}.{c.key}" in cells for r in members for c in r.columns):
            continue
        first = members[0]
        width = len(first.columns)
        hit = None
        for row in rows:
            for j, cell in enumerate(row):
                if cell.key == norm(label) and cell.key not in keys:
                    numbers = [c for c in row[j + 1:] if c.text and is_number_like(c.text)]
                    if len(numbers) == width:
                        hit = numbers
                        break
            if hit:
                break
        if not hit:
            continue
        for column, cell in zip(first.columns, hit):
            cells[f"{table.key}.{first.key}.{column.key}"] = cell
        for other in members[1:]:
            values.update({f"{table.key}.{other.key}.{c.key}": 0 for c in other.columns})
        for member in members:
            findings.append(about(model, "layout.missing_row", table=table.key, row=member.key,
                                  detail={"kind": "text",
                                          "zh": f"没有找到数据行「{member.label}」：报告只印了合并的一行「{label}」，"
                                                f"其数字按「{first.label}」计入校验，其余各行按 0 计",
                                          "en": f"data row “{member.label}” was not found: the report prints one row "
                                                f"“{label}”, whose numbers are checked as “{first.label}” (the other rows as 0)"}))
    return values, findings


def locate_by_labels(grid: Grid, model: Edition | None = None, year: int | None = None):
    """The Location of the statutory tables found by their printed labels, or None."""
    rows = source_rows(grid)
    if not rows:
        return None
    detected, with_prints = detect_edition(rows, year)
    chosen = model or detected
    if chosen is None:
        return None
    findings: list[Finding] = []
    if len(with_prints) > 1:
        parts = "；".join(f"{m.edition} 年版：{'、'.join(fingerprint_hits(rows, m)[:3])}" for m in with_prints)
        findings.append(about(chosen, "edition.mixed",
                              detail={"kind": "text", "zh": f"同一报告混用了两个版本的表格（{parts}）",
                                        "en": f"the report mixes both editions' tables ({parts})"}))
    cells: dict[str, SCell] = {}
    values: dict[str, object] = {}
    seen: dict[str, SCell] = {}
    pos = 0
    found_tables = 0
    for table in chosen.tables:
        got, table_findings, after, anchors = locate_table(rows, chosen, table, pos, seen)
        if not got and pos:
            got, table_findings, after, anchors = locate_table(rows, chosen, table, 0, seen)
        if not got and anchors:
            found_tables += 1
            findings.append(about(chosen, "table.empty", table=table.key,
                                  detail={"kind": "text", "zh": "表格只有标签，没有填写任何数字（没有的应填 0）",
                                            "en": "the table has its labels but no numbers (write 0 for none)"}))
        elif got:
            found_tables += 1
            pos = after
            stand_in, group_findings = printed_groups(rows, chosen, table, got)
            cells.update(got)
            values.update(stand_in)
            findings.extend(table_findings)
            findings.extend(group_findings)
            findings.extend(extra_rows(rows, chosen, table, got))
        else:
            findings.append(about(chosen, "layout.missing_row", table=table.key,
                                  detail={"kind": "text", "zh": f"没有找到表「{table.label}」（其各行各栏均未找到）",
                                            "en": f"table “{table.label}” was not found (none of its rows or columns)"}))
    if not found_tables:
        return None
    loc = Location(chosen, {p: c.ref for p, c in cells.items()}, values=values, findings=findings, how="labels",
                   labels={row: (c.text, c.ref) for row, c in seen.items()})
    lines = [texts[0] if len(texts) == 1 else "" for texts in ([c.text for c in row if c.text] for row in rows[:HEAD])]
    loc.meta = report_meta(lines, rows.grid.text if rows.grid is not None else "")
    return loc
