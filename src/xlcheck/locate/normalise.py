"""A label as compared (`norm`): the one normalisation every printed label and every cell text
goes through before two are compared, remembered once per process for short texts."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "〔": "[", "〕": "]"})
_SPACE = re.compile(r"\s+")
_NUMBERING = re.compile(r"^(\d+)[、.．]")


def norm(text) -> str:
    """A label as compared: NFKC (full-width → half-width), no whitespace, straight quotes,
    「1、」 numbering as 「1.」, no trailing colon. Normalised once per process: the labels of
    every report are the same few hundred texts (a long text, prose rather than a label, is not
    kept)."""
    if text.__class__ is not str:
        text = str(text)
    return _norm_cached(text) if len(text) < SHORT else _normalise(text)


SHORT = 200         # texts up to this long are remembered once seen


def _normalise(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    s = _SPACE.sub("", s)
    s = _NUMBERING.sub(r"\1.", s)
    return s.rstrip(":：")


_norm_cached = lru_cache(maxsize=1 << 16)(_normalise)
