"""This year's report against last year's (`continuity.*`): this year's 上年结转 equals last year's
结转下年度, and so on. The relations are the schema's ``x-continuity``, checked by the keyword of
that name; with no previous report they are reported as not assessed, never as passed."""
from __future__ import annotations

from pathlib import Path

from ..findings import NOWHERE, Finding, Operand, about
from ..model.schema import Edition
from ..rules.registry import broken_continuities


def rules_of(model: Edition) -> list[dict]:
    return list(model.schema.get("x-continuity", []))


def assess(model: Edition, this, previous, previous_path: str) -> list[Finding]:
    """Findings of the continuity rules between two checked reports (Results)."""
    out = []
    for rel in broken_continuities(model, this.instance, previous.instance, previous.edition == this.edition):
        point = ".".join(rel.target)
        f = about(model, rel.rule, point, where=this.places.get(point, NOWHERE),
                  found=rel.found, expected=rel.expected, difference=rel.found - rel.expected)
        words = []
        for sign, year, path in rel.terms:
            pid = ".".join(path)
            sheet, cell, line = (previous if year == "previous" else this).places.get(pid, NOWHERE)
            op = Operand(pid, sheet, cell, rel.values[(year, path)], sign, line=line)
            if year == "previous":
                op.file = previous_path
            f.operands.append(op)
            t = model.table(path[0])
            label = f"{'上年' if year == 'previous' else '本年'}「{t.row(path[1]).label} › {t.column_label(path[2])}」"
            words.append((sign, label, rel.values[(year, path)]))
        if len(words) == 1:
            how = f"应等于{words[0][1]}的 {rel.expected}"
        else:
            expr = " ".join(("" if i == 0 and s > 0 else ("+ " if s > 0 else "− ")) + f"{label} {v}" for i, (s, label, v) in enumerate(words))
            how = f"应为 {rel.expected}（= {expr}）"
        f.detail = {"kind": "text",
                    "zh": f"与上一年度报告不衔接：{how}，实际为 {rel.found}，差 {rel.found - rel.expected:+}（上年报告：{Path(previous_path).name}）",
                    "en": f"does not follow from last year's report: should be {rel.expected}, found {rel.found} (last year: {Path(previous_path).name})"}
        out.append(f)
    return out


def not_assessed(model: Edition, reason_zh: str, reason_en: str) -> list[Finding]:
    return [Finding(rule["rule"], "info", detail={"kind": "text", "zh": f"未校验：{reason_zh}", "en": f"not assessed: {reason_en}"})
            for rule in rules_of(model) if rule.get("rule")]
