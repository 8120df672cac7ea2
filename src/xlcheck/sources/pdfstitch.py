"""Tables broken by a page, made whole again (the rows of `pdftables.Table`s, in reading order).

A table whose part on one page is followed, with no text between but page numbers, by a table at
the top of the next page is one table. On the new page: the rows repeating the table's first rows
(a repeated header) are dropped; a cell at the top with the x-extent of a merged cell still running
at the foot of the previous page (a group label spanning rows) continues that cell; and the first
row is the rest of the previous page's last row only when the two cannot be two rows: its label
goes on (no digits, no placeholder, not starting a new number such as 「4.」 or 「（三）」) or it has no
label at all, and each of its cells is blank where the last row has something, or goes on with it:
label text, or the digits of a number wrapped in its cell, after a last line that runs to the cell's
end (a label that ends short of it is whole). A row of its own at the top of a page
(its own label, or placeholders where the last row has numbers) stays a row.
"""
from __future__ import annotations

import re
import unicodedata

from .pdftables import SNAP, Box, Line, Table

_NUMBERED = re.compile(r"^\s*(?:[(（][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+[、.]|\d+[、.．])")
_VALUE = re.compile(r"^[\s\d.,，%\-—–－/／无]*$")


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _same(a: Box, b: Box) -> bool:
    return abs(a.x0 - b.x0) <= SNAP and abs(a.x1 - b.x1) <= SNAP


def _goes_on(text: str) -> bool:
    """Text that may be the rest of a label broken by the page."""
    k = _key(text)
    return bool(k) and not _VALUE.match(k) and not re.search(r"\d", k) and not _NUMBERED.match(unicodedata.normalize("NFKC", text))


def _is_value(text: str) -> bool:
    k = _key(text)
    return bool(k) and bool(_VALUE.match(k))


def _repeats(row: list[Box], first: list[Box]) -> bool:
    """Is `row` one of the table's first rows printed again (maybe cut short: a repeated header
    row lower than the original clips its text)?"""
    if len(row) != len(first) or not any(b.text.strip() for b in row):
        return False
    return all(_same(a, b) and _key(b.text) == _key(a.text)[:len(_key(b.text))] for a, b in zip(first, row))


def _drop_repeated_header(whole: list[list[Box]], rows: list[list[Box]]) -> list[list[Box]]:
    k = 0
    while k < len(rows) and k < len(whole) and _repeats(rows[k], whole[k]):
        k += 1
    return rows[k:]


def _continue_spans(last: Table, rows: list[list[Box]]) -> None:
    """Cells at the top of the new page that go on with a merged cell running at the foot of the
    previous part (label text going on from a label): their text joins that cell, and they are no
    cells of their own. A cell merged over rows on the previous page, or over rows on this one, or
    in a header row (no numbers on either side), after a last line that runs to the cell's end (a
    header cell broken by the page), is running.
    An empty one stays an empty cell, before the row's label."""
    end = len(last.rows) - 1
    pad = _padding(last)
    foot = [b for row in last.rows for b in row if b.r1 == end]
    if not rows or not rows[0] or not foot:
        return
    row = rows[0]
    header = not any(_is_value(b.text) for b in row + [b for b in foot if b.r0 == end])   # no numbers either side
    for box in list(row):
        match = next((a for a in foot if _same(a, box)), None)
        if match is None or not _goes_on(box.text) or _is_value(match.text):
            continue
        if match.r0 < end or ((box.r1 > box.r0 or header) and _full(match, pad)):
            match.text = (match.text + "\n" + box.text).strip()
            row.remove(box)


def _padding(table: Table) -> float:
    """The cells' inner margin: the least distance from a cell's left edge to its text."""
    gaps = [line[0] - b.x0 for row in table.rows for b in row for line in b.lines]
    return max(min(gaps), 0.0) if gaps else 0.0


def _full(box: Box, pad: float) -> bool:
    """Does the text of `box` run to the end of its last line (so that it may go on below)?"""
    if not box.lines:
        return False
    x0, x1, width = box.lines[-1]       # a line may end a character early: 「用、」 does not start a line
    return x1 - x0 + 2 * width + SNAP >= box.x1 - box.x0 - 2 * pad


def _glue(last: Table, rows: list[list[Box]]) -> bool:
    """Join the first row on the new page to the last row of the previous part, when it is that
    row broken by the page."""
    end = len(last.rows) - 1
    pad = _padding(last)
    before = list(last.rows[end]) if last.rows else []
    running = [b for row in last.rows[:end] for b in row if b.r1 == end]     # merged cells reaching the foot
    if not rows or not rows[0] or not before:
        return False
    pairs = []
    for box in rows[0]:
        match = next((a for a in before if _same(a, box)), None)
        if match is None and not box.text.strip() and any(_same(a, box) for a in running):
            continue                                            # an empty part of a merged group cell
        if match is None:
            return False
        pairs.append((match, box))
    went_on = False
    for a, b in pairs:
        if not a.text.strip() or not b.text.strip():
            continue
        if not _full(a, pad):
            return False
        if _goes_on(b.text) and not _is_value(a.text):
            went_on = True
        elif not (_digits(a.text) and _digits(b.text)):         # a number wrapped in its cell goes on too
            return False
    if not went_on and any(b.text.strip() and not _is_value(b.text) for _, b in pairs):
        return False                                            # its own label, not the rest of one
    if not any(b.text.strip() for _, b in pairs):
        return False
    for a, b in pairs:
        if b.text.strip():
            a.text = (a.text + "\n" + b.text).strip()
    return True


def _digits(text: str) -> bool:
    return bool(re.fullmatch(r"[\d.,]+", _key(text)))


def stitch(items: list) -> list[list[list[Box]]]:
    """The tables of the document as printed, each as its rows of boxes; parts of one table on
    consecutive pages joined."""
    out: list[list[list[Box]]] = []
    last: Table | None = None           # the previous table part, while nothing but page numbers followed it
    last_page = 0
    for page, what in items:
        if isinstance(what, Line):
            last = None
            continue
        rows = [list(r) for r in what.rows]
        if last is not None and page == last_page + 1 and _columns_meet(last, what):
            rows = _drop_repeated_header(out[-1], rows)
            _continue_spans(last, rows)
            rows = [r for r in rows if r] if rows else rows
            if rows and _glue(last, rows):
                rows = rows[1:]
            out[-1].extend(rows)
        else:
            out.append(rows)
        last, last_page = what, page
    return out


def _columns_meet(a: Table, b: Table) -> bool:
    """Do two table parts span the same width (the same table's outer rulings)?"""
    return abs(a.xs[0] - b.xs[0]) <= SNAP and abs(a.xs[-1] - b.xs[-1]) <= SNAP
