"""Prose against tables (`narrative.mismatch`): the counts a report states in words — 「新收政府信息
公开申请26件」, 「上年结转5件」, 「被提起行政诉讼3件」 — checked against its tables.

The phrasings and the data points they refer to are the schema's ``x-narrative``. A count is read
only from a sentence that names what it counts (the item's ``subject``, such as 政府信息公开申请),
and never from a clause about something else (its ``exclude``: 人大代表建议, 政协提案, 信访, 咨询…).
A count the prose does not state is not a finding.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

from ..findings import NOWHERE, Finding, Where, about, fmt_number, shown
from ..model.schema import Edition, value_at

_SENTENCE = re.compile(r"[^。！？!?；;\n]+")
_CLAUSE_BREAK = "，,；;：:（()）、"
MAX_DIGITS = 15          # a longer run of digits is no count (and int() refuses 4,300 of them)


def _clause(sentence: str, start: int, end: int) -> str:
    """The clause of `sentence` holding the span start:end (between two clause breaks)."""
    left = max(sentence.rfind(ch, 0, start) for ch in _CLAUSE_BREAK) + 1
    rights = [i for i in (sentence.find(ch, end) for ch in _CLAUSE_BREAK) if i >= 0]
    return sentence[left: min(rights) if rights else len(sentence)]


def stated_counts(text: str, item: dict) -> list[tuple[str, str]]:
    """(digits, quote) for each count the prose states in the phrasings of one x-narrative item."""
    subject = re.compile(item["subject"]) if item.get("subject") else None
    exclude = re.compile(item["exclude"]) if item.get("exclude") else None
    out: list[tuple[str, str]] = []
    for m_sentence in _SENTENCE.finditer(text):
        sentence = m_sentence.group(0)
        if subject is not None and not subject.search(sentence):
            continue
        for pattern in item["patterns"]:
            for m in re.finditer(pattern, sentence):
                if exclude is not None and exclude.search(_clause(sentence, m.start(1), m.end(1))):
                    continue
                quote = sentence[max(0, m.start() - 6): m.end()].strip()
                out.append((m.group(1), quote))
    return out


def prose_findings(text: str, model: Edition, instance: dict[str, Any], places: dict[str, Where]) -> list[Finding]:
    if not text:
        return []
    text = unicodedata.normalize("NFKC", text)
    out = []
    for item in model.schema.get("x-narrative", []):
        values = [value_at(instance, p) for p in item["points"]]
        if not values or any(not isinstance(v, (int, float)) or isinstance(v, bool) for v in values):
            continue
        table_value = sum(values)
        seen = set()
        for digits, quote in stated_counts(text, item):
            if len(digits) > MAX_DIGITS:
                stated, difference = shown(digits), None
            else:
                stated = int(digits)
                difference = stated - table_value
            if stated == table_value or stated in seen:
                continue
            seen.add(stated)
            quote = shown(quote)
            point = item["points"][0]
            out.append(about(model, "narrative.mismatch", point, where=places.get(point, NOWHERE),
                             found=stated, expected=table_value, difference=difference,
                             detail={"kind": "text",
                                     "zh": f"正文称{item['label']['zh']} {stated} 件（「…{quote}」），表中为 {fmt_number(table_value)} 件",
                                     "en": f"the prose states {stated} {item['label'].get('en', item['key'])} (“…{quote}”), the table has {fmt_number(table_value)}"}))
    return out
