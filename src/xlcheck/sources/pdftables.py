"""The ruled tables of one PDF page, from pypdfium2's character boxes and path objects.

No layout analysis: the page's ruling segments (stroked lines, and the edges of thin or filled
rectangles, as Word, WPS and LibreOffice draw cell borders) are snapped to the lines they lie on
and joined; segments that touch form a table. Over a table's distinct column and row lines, the
fine cells not separated by a ruling are one printed cell (a merged cell). Each character goes to
the cell holding its centre, in lines top to bottom, left to right. A table comes back as its
printed cells (`Box`), each knowing the fine rows and the x-extent it spans, so that the reader
(`pdf.py`) can join a table broken by a page.

Coordinates are PDF user space with y turned downward (`top` grows down the page).
"""
from __future__ import annotations

import ctypes
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from operator import itemgetter

from .limits import MAX_AREA, too_large

SNAP = 3.0          # points: rulings this close are one line (as pdfplumber's snap/join tolerances)
_MID = itemgetter(5)
THIN = 2.0          # a filled rectangle thinner than this is a ruling
SPACE = 3.0         # a gap wider than this between two characters of a line is a space


@dataclass
class Box:
    """A printed cell: fine rows r0..r1 (inclusive) of its table, x-extent x0..x1, its text."""
    r0: int
    r1: int
    x0: float
    x1: float
    text: str = ""
    top: float = 0.0
    lines: list = field(default_factory=list)    # (x0, x1, character width) of each line of its text
    page: int = 0                                # the page it is printed on (1-based; set by the reader)


@dataclass
class Table:
    top: float
    bottom: float
    rows: list[list[Box]] = field(default_factory=list)     # the boxes starting in each fine row, left to right
    xs: list[float] = field(default_factory=list)


@dataclass
class Line:
    """A line of text outside every table (prose, captions, headers, footers)."""
    top: float
    bottom: float
    text: str


def _objects(page, raw, limit: int) -> tuple[list, list, int]:
    """One pass over the page's objects (raw handles, no wrappers), into form XObjects too: its
    paths, each with the matrix of the forms holding it (None at the top), the text objects that
    are partly clipped away, as (address, bounds, clip rectangle), and how many objects were seen
    (the pass stops past `limit`)."""
    paths, clipped = [], []
    left, bottom, right, top = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    matrix = raw.FS_MATRIX()
    seen = 0
    stack = [(raw.FPDFPage_CountObjects(page), lambda i: raw.FPDFPage_GetObject(page, i), None, 0)]
    while stack:
        count, get, outer, depth = stack.pop()
        for i in range(count):
            seen += 1
            if seen > limit:
                return paths, clipped, seen
            obj = get(i)
            kind = raw.FPDFPageObj_GetType(obj)
            if kind == raw.FPDF_PAGEOBJ_PATH:
                paths.append((obj, outer))
            elif kind == raw.FPDF_PAGEOBJ_FORM and depth < 8:
                raw.FPDFPageObj_GetMatrix(obj, matrix)
                own = (matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f)
                stack.append((raw.FPDFFormObj_CountObjects(obj), lambda k, form=obj: raw.FPDFFormObj_GetObject(form, k),
                              own if outer is None else _compose(outer, own), depth + 1))
            elif kind == raw.FPDF_PAGEOBJ_TEXT and outer is None:
                clip = _clip(raw, obj)
                if clip is None:
                    continue
                raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top)
                bounds = (left.value, bottom.value, right.value, top.value)
                if bounds[0] < clip[0] - 1 or bounds[1] < clip[1] - 1 or bounds[2] > clip[2] + 1 or bounds[3] > clip[3] + 1:
                    clipped.append((ctypes.cast(obj, ctypes.c_void_p).value, bounds, clip))
    return paths, clipped, seen


def _compose(outer: tuple, inner: tuple) -> tuple:
    """The matrix applying `inner`, then `outer` (PDF's a b c d e f)."""
    a, b, c, d, e, f = outer
    p, q, r, s, t, u = inner
    return (a * p + c * q, b * p + d * q, a * r + c * s, b * r + d * s, a * t + c * u + e, b * t + d * u + f)


def _segments(paths, raw) -> tuple[list, list]:
    """Horizontal (y, x0, x1) and vertical (x, y0, y1) rulings of the page, y downward."""
    hs, vs = [], []
    x, y = ctypes.c_float(), ctypes.c_float()
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    left, bottom, right, top = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    matrix = raw.FS_MATRIX()

    def edge(ax, ay, bx, by):
        if abs(ay - by) <= 0.5 and abs(ax - bx) > 0.5:
            hs.append((-(ay + by) / 2, min(ax, bx), max(ax, bx)))
        elif abs(ax - bx) <= 0.5 and abs(ay - by) > 0.5:
            vs.append(((ax + bx) / 2, -max(ay, by), -min(ay, by)))

    for obj, outer in paths:
        raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top)
        w, h = right.value - left.value, top.value - bottom.value
        if outer is None and (w < THIN) != (h < THIN):     # a hairline rectangle or a line: its bounds are the ruling
            if w < THIN:
                vs.append(((left.value + right.value) / 2, -top.value, -bottom.value))
            else:
                hs.append((-(top.value + bottom.value) / 2, left.value, right.value))
            continue
        if outer is None and w < THIN:
            continue
        raw.FPDFPageObj_GetMatrix(obj, matrix)
        a, b, c, d, e, f = matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f
        if outer is not None:                       # inside a form: its points go through the form's matrix too
            a, b, c, d, e, f = _compose(outer, (a, b, c, d, e, f))
        raw.FPDFPath_GetDrawMode(obj, fill, stroke)
        if not stroke.value and not fill.value:
            continue
        paths, points = [], []
        for k in range(raw.FPDFPath_CountSegments(obj)):
            seg = raw.FPDFPath_GetPathSegment(obj, k)
            raw.FPDFPathSegment_GetPoint(seg, x, y)
            pt = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
            if raw.FPDFPathSegment_GetType(seg) == raw.FPDF_SEGMENT_MOVETO and points:
                paths.append(points)
                points = []
            points.append(pt)
            if raw.FPDFPathSegment_GetClose(seg):
                points.append(points[0])
        paths.append(points)
        for points in paths:
            if not stroke.value:            # a filled shape is a ruling only when thin (a border drawn as a bar)
                px, py = [p[0] for p in points], [p[1] for p in points]
                w, h = max(px) - min(px), max(py) - min(py)
                if (w < THIN) != (h < THIN):
                    edge(min(px), min(py), min(px) if w < THIN else max(px), min(py) if h < THIN else max(py))
                continue
            for p, q in zip(points, points[1:]):
                edge(*p, *q)
    return hs, vs


def _snap(values: list[float]) -> dict[float, float]:
    """Each value → the mean of its cluster (values within SNAP of their neighbour)."""
    out, group = {}, []
    for v in sorted(set(values)):
        if group and v - group[-1] > SNAP:
            mean = sum(group) / len(group)
            out.update((g, mean) for g in group)
            group = []
        group.append(v)
    if group:
        mean = sum(group) / len(group)
        out.update((g, mean) for g in group)
    return out


def _join(segs: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Collinear segments (same snapped position) that overlap or nearly touch, joined."""
    out = []
    for pos, a, b in sorted(segs):
        if out and out[-1][0] == pos and a <= out[-1][2] + SNAP:
            out[-1] = (pos, out[-1][1], max(out[-1][2], b))
        else:
            out.append((pos, a, b))
    return out


def _find(parent, i):
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _covered(segs: dict, pos, a, b) -> bool:
    """Is the stretch a..b of the line at `pos` ruled (by one joined segment, within SNAP)?
    `segs`: each line's segments, by position."""
    return any(s <= a + SNAP and e >= b - SNAP for s, e in segs.get(pos, ()))


def _by_position(segs) -> dict:
    out: dict = {}
    for p, s, e in segs:
        out.setdefault(p, []).append((s, e))
    return out


def _grids(hs, vs) -> list[tuple[list, list]]:
    """The rulings grouped into tables: segments that cross or touch are one table. The pairs
    compared are bounded (MAX_AREA): a page of more rulings than any table is refused."""
    n = len(hs)
    if n * len(vs) > 4 * MAX_AREA:
        raise too_large(None, f"PDF 一页有 {n:,} 条横线、{len(vs):,} 条竖线")
    parent = list(range(n + len(vs)))
    by_x = sorted(range(len(vs)), key=lambda j: vs[j][0])
    xs = [vs[j][0] for j in by_x]
    for i, (y, x0, x1) in enumerate(hs):
        for j in by_x[bisect_left(xs, x0 - SNAP):bisect_right(xs, x1 + SNAP)]:
            x, y0, y1 = vs[j]
            if y0 - SNAP <= y <= y1 + SNAP:
                ri, rj = _find(parent, i), _find(parent, n + j)
                if ri != rj:
                    parent[ri] = rj
    groups: dict[int, tuple[list, list]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(_find(parent, i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(_find(parent, n + j), ([], []))[1].append(v)
    return [(h, v) for h, v in groups.values() if len(h) >= 2 and len(v) >= 2]


def _rows(chars) -> list[tuple[float, list]]:
    """Characters as lines top to bottom (a new line where a character sits below the line's
    middle), each as (height, its characters left to right)."""
    lines: list[list] = []
    for ch in sorted(chars, key=_MID):
        mid = ch[5]
        if lines and mid - lines[-1][0] <= lines[-1][1]:
            lines[-1][2].append(ch)
        else:
            lines.append([mid, max(ch[3] - ch[1], 1.0) / 2, [ch]])
    return [(2 * half, sorted(row)) for _, half, row in lines]


def _line(height: float, row: list) -> str:
    """One line's characters as text; a gap wider than SPACE or half the line's height is a space."""
    parts, last = [], None
    gap = max(SPACE, height / 2)
    for x0, _, x1, _, u, _ in row:
        if last is not None and x0 - last > gap:
            parts.append(" ")
        parts.append(u)
        last = x1
    return "".join(parts).strip()


def _text(chars, spans: list | None = None) -> str:
    """A cell's characters as lines joined by newlines; `spans` gets each line's extent."""
    out = []
    for height, row in _rows(chars):
        out.append(_line(height, row))
        if spans is not None:
            spans.append((row[0][0], row[-1][2], (row[-1][2] - row[0][0]) / len(row)))
    return "\n".join(out)


def _table(hs, vs, chars, taken) -> Table:
    xs = sorted({x for x, _, _ in vs})
    ys = sorted({y for y, _, _ in hs})
    rows, cols = len(ys) - 1, len(xs) - 1
    parent = list(range(rows * cols))
    across, down = _by_position(vs), _by_position(hs)
    for i in range(rows):
        for j in range(cols):
            if j + 1 < cols and not _covered(across, xs[j + 1], ys[i], ys[i + 1]):
                parent[_find(parent, i * cols + j)] = _find(parent, i * cols + j + 1)
            if i + 1 < rows and not _covered(down, ys[i + 1], xs[j], xs[j + 1]):
                parent[_find(parent, i * cols + j)] = _find(parent, (i + 1) * cols + j)
    extent: dict[int, list] = {}
    for i in range(rows):
        for j in range(cols):
            e = extent.setdefault(_find(parent, i * cols + j), [i, i, j, j])
            e[0], e[1], e[2], e[3] = min(e[0], i), max(e[1], i), min(e[2], j), max(e[3], j)
    inside: dict[int, list] = {}
    for k, ch in enumerate(chars):
        cx, cy = (ch[0] + ch[2]) / 2, (ch[1] + ch[3]) / 2
        i, j = bisect_right(ys, cy) - 1, bisect_right(xs, cx) - 1
        if 0 <= i < rows and 0 <= j < cols:
            inside.setdefault(_find(parent, i * cols + j), []).append(ch)
            taken.add(k)
    table = Table(ys[0], ys[-1], [[] for _ in range(rows)], xs)
    for root, (i0, i1, j0, j1) in sorted(extent.items(), key=lambda kv: (kv[1][0], kv[1][2])):
        spans: list = []
        text = _text(inside.get(root, []), spans)
        table.rows[i0].append(Box(i0, i1, xs[j0], xs[j1 + 1], text, ys[i0], spans))
    return table


def _clip(raw, textobj) -> tuple | None:
    """The rectangle a text object is clipped to (the bounding box of its clip paths' common
    part), or None. A cell's text overflowing a row that is too short (a header repeated on a new
    page) is clipped there: those characters are not printed, so they are not read."""
    clip = raw.FPDFPageObj_GetClipPath(textobj)
    if not clip:
        return None
    box = None
    x, y = ctypes.c_float(), ctypes.c_float()
    for p in range(max(raw.FPDFClipPath_CountPaths(clip), 0)):
        xs, ys = [], []
        for k in range(raw.FPDFClipPath_CountPathSegments(clip, p)):
            raw.FPDFPathSegment_GetPoint(raw.FPDFClipPath_GetPathSegment(clip, p, k), x, y)
            xs.append(x.value)
            ys.append(y.value)
        if xs:
            b = (min(xs), min(ys), max(xs), max(ys))
            box = b if box is None else (max(box[0], b[0]), max(box[1], b[1]), min(box[2], b[2]), min(box[3], b[3]))
    return box


def _chars(textpage, raw, clipped: list) -> list[tuple]:
    """The printed characters: (x0, top, x1, bottom, char, middle), y downward; spaces and
    characters clipped away left out."""
    n = textpage.count_chars()
    buffer = (ctypes.c_ushort * (n + 1))()
    raw.FPDFText_GetText(textpage, 0, n, buffer)
    text = bytes(buffer)[: 2 * n].decode("utf-16-le", errors="replace")
    if len(text) != n:                                  # characters outside the BMP: one at a time
        text = "".join(chr(raw.FPDFText_GetUnicode(textpage, i)) for i in range(n))
    rect = raw.FS_RECTF()
    get_box = raw.FPDFText_GetLooseCharBox
    chars = []
    for i, u in enumerate(text):
        if u <= " " or u == "\ufffe":
            continue
        get_box(textpage, i, rect)
        left, top, right, bottom = rect.left, rect.top, rect.right, rect.bottom
        if clipped:
            cx, cy = (left + right) / 2, (bottom + top) / 2
            inside = [c for c in clipped if c[1][0] <= cx <= c[1][2] and c[1][1] <= cy <= c[1][3]]
            if inside:
                address = ctypes.cast(raw.FPDFText_GetTextObject(textpage, i), ctypes.c_void_p).value
                box = next((c[2] for c in inside if c[0] == address), None)
                if box is not None and not (box[0] - 1 <= cx <= box[2] + 1 and box[1] - 1 <= cy <= box[3] + 1):
                    continue
        chars.append((left, -top, right, -bottom, u, -(top + bottom) / 2))
    return chars


def read_page(page, textpage, raw, limit: int) -> tuple[list[Table], list[Line], int]:
    """The page's tables (top to bottom), its lines of text outside them, and how many objects it
    holds (counted no further than past `limit`, and then nothing is read)."""
    paths, clipped, seen = _objects(page, raw, limit)
    if seen > limit:
        return [], [], seen
    chars = _chars(textpage, raw, clipped)
    hs, vs = _segments(paths, raw)
    ysnap = _snap([h[0] for h in hs])
    xsnap = _snap([v[0] for v in vs])
    hs = _join([(ysnap[y], a, b) for y, a, b in hs])
    vs = _join([(xsnap[x], a, b) for x, a, b in vs])
    taken: set[int] = set()
    tables = sorted((_table(h, v, chars, taken) for h, v in _grids(hs, vs)), key=lambda t: t.top)
    rest = [ch for k, ch in enumerate(chars) if k not in taken]
    return tables, _lines(rest), seen


def _lines(chars) -> list[Line]:
    """Characters outside the tables as lines of text, top to bottom."""
    out: list[Line] = []
    for height, row in _rows(chars):
        text = _line(height, row)
        if text:
            out.append(Line(min(c[1] for c in row), max(c[3] for c in row), text))
    return out
