"""Prose against tables (`narrative.mismatch`): the counts a report states in words — 「新收政府信息
公开申请26件」, 「上年结转5件」, 「被提起行政诉讼3件」 — checked against its tables. The phrasings and
the data points they refer to are the schema's ``x-narrative``; a count the prose does not state is
not a finding."""
from __future__ import annotations

import re
import unicodedata
from typing import Any

from ..findings import NOWHERE, Finding, Where, about, fmt_number, shown

MAX_DIGITS = 15
from ..model.schema import Edition, value_at


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
        for pattern in item["patterns"]:
            for m in re.finditer(pattern, text):
                digits = m.group(1)
                if len(digits) > MAX_DIGITS:      # no count has that many digits (and int() refuses 4,300)
                    stated = shown(digits)
                    difference = None
                else:
                    stated = int(digits)
                    difference = stated - table_value
                if stated == table_value or stated in seen:
                    continue
                seen.add(stated)
                quote = shown(text[max(0, m.start() - 6): m.end()].replace("\n", " ").strip())
                point = item["points"][0]
                f = about(model, "narrative.mismatch", point, where=places.get(point, NOWHERE),
                          found=stated, expected=table_value, difference=difference,
                          detail={"kind": "text",
                                    "zh": f"正文称{item['label']['zh']} {stated} 件（「…{quote}」），表中为 {fmt_number(table_value)} 件",
                                    "en": f"the prose states {stated} {item['label'].get('en', item['key'])} (“…{quote}”), the table has {fmt_number(table_value)}"})
                out.append(f)
    return out
