"""A raw cell value → the number it stands for, plus the note that says how it was read.

Real tables hold blanks, placeholders (/ - — 无), numbers typed as text, full-width digits,
units typed into the cell (251000元, 3件), stray spaces and thousands separators. Each of these
is read as its number with a note (rule id + what was seen); a placeholder or blank counts as 0.
Anything that is not a number is passed through unchanged so the schema's type check reports
it as ``cell.type`` on that cell.
"""
from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache
from typing import Any, NamedTuple

PLACEHOLDERS = {"/", "／", "-", "－", "—", "——", "--", "–", "无", "空", "\\", "、", "×", "N/A", "n/a", "NA", "——/"}
UNITS = ("万元", "元", "件", "个", "项", "条", "次", "宗", "人次", "份")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


class Read(NamedTuple):
    value: Any                  # the number for the instance; the raw value when not a number
    rule: str | None = None     # cell.blank | cell.placeholder | cell.text_number | None
    seen: str | None = None     # what was in the cell, for the message
    how: str | None = None      # text | fullwidth | unit | spaces | thousands (for cell.text_number)

    @property
    def empty(self) -> bool:
        return self.rule in ("cell.blank", "cell.placeholder")


def _as_number(text: str) -> int | float | None:
    if not _NUMBER.match(text):
        return None
    number = float(text)
    if not math.isfinite(number):
        return None                      # 400 nines: not a number of any cell's type
    return int(number) if number.is_integer() else number


_BLANK = Read(0, "cell.blank", "")
_whole = lru_cache(maxsize=8192)(Read)       # a whole number reads as itself; Read is immutable, so share it


def read_value(raw: Any) -> Read:
    if raw.__class__ is int:
        return _whole(raw)
    if raw is None:
        return _BLANK
    if isinstance(raw, bool):
        return Read(str(raw).upper())
    if isinstance(raw, int):
        return Read(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):       # inf, nan, 1e400 or 400 nines in <v>: a cell.type error, never a number
            return Read(str(raw))
        return Read(int(raw) if raw.is_integer() else raw)
    if not isinstance(raw, str):
        return Read(str(raw))
    text = raw
    if not text.strip():
        return Read(0, "cell.blank", raw)
    seen = raw
    text = text.replace("\xa0", " ").replace("\u3000", " ")     # no-break and ideographic spaces are spaces
    folded = unicodedata.normalize("NFKC", text)
    stripped = folded.strip().replace("\u3000", "").replace(" ", "")
    if stripped in PLACEHOLDERS or text.strip() in PLACEHOLDERS:
        return Read(0, "cell.placeholder", text.strip())
    how = "text"
    if folded != text:
        how = "fullwidth"
    elif stripped != text:
        how = "spaces"
    body = stripped
    for unit in UNITS:
        if body.endswith(unit) and len(body) > len(unit):
            body = body[: -len(unit)]
            how = "unit"
            break
    if _THOUSANDS.match(body):
        body = body.replace(",", "")
        how = "thousands" if how == "text" else how
    number = _as_number(body)
    if number is None:
        return Read(text.strip())
    return Read(number, "cell.text_number", seen, how)
