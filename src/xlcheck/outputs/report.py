"""Results as text (the console) and as one JSON document (for other tools)."""
from __future__ import annotations

import json
from typing import Iterable

import click

from ..check.diagnose import summary as diagnosis_summary
from ..check.reading import reading_lines
from ..check.result import Result
from ..findings import SEVERITY_TEXT

STATUS_EXIT = {"ok": 0, "invalid": 1, "error": 2}


def exit_code(results: Iterable[Result]) -> int:
    return max((STATUS_EXIT[r.status] for r in results), default=0)


def to_json(results: list[Result], extra: dict | None = None) -> str:
    doc = {"files": [r.to_json() for r in results]}
    if extra:
        doc.update(extra)
    return json.dumps(doc, ensure_ascii=False, indent=2)


def json_file(result: Result) -> str:
    """One file's entry of the JSON document, indented as `to_json` indents it."""
    text = json.dumps(result.to_json(), ensure_ascii=False, indent=2)
    return "  " + text.replace("\n", "\n  ")


def text_lines(result: Result, lang: str = "zh", color: bool = False) -> list[str]:
    """A readable summary of one file: counts by severity, then each finding with its cell."""
    zh = lang != "en"
    sev = SEVERITY_TEXT["en" if not zh else "zh"]

    def paint(text, severity):
        if not color:
            return text
        return click.style(text, fg={"error": "red", "warning": "yellow"}.get(severity, None), bold=severity == "error")

    if result.status == "error":
        return [paint(f"✗ {result.error}", "error")]
    c = result.counts
    edition = (f"{result.edition} 年版" if zh else f"{result.edition} edition") if result.edition else ""
    head = result.path
    if result.organ or result.year:
        who = " ".join(str(x) for x in (result.organ, f"{result.year}年度" if zh and result.year else result.year) if x)
        head += f"（{who}）" if zh else f" ({who})"
    if not result.findings:
        summary = "未发现问题" if zh else "no findings"
    elif zh:
        summary = f"{c.get('error', 0)} 个错误，{c.get('warning', 0)} 个警告"
    else:
        summary = f"{c.get('error', 0)} errors, {c.get('warning', 0)} warnings"
    mark = "✓" if result.status == "ok" else "✗"
    lines = [paint(f"{mark} {head}：{edition}，{summary}" if zh else f"{mark} {head}: {edition}, {summary}",
                   "error" if result.status == "invalid" else None)]
    if result.diagnosis is not None:
        lines.append(f"  {paint('→', 'error')} {diagnosis_summary(result.diagnosis, lang)}")
    for f in result.findings:
        if f.severity == "info" and result.continuity is not None and f.rule.startswith("continuity."):
            continue                  # said once above
        where = f.where or "—"
        if f.line and not zh:
            where = f"line {f.line}"
        lines.append(f"  {paint(sev.get(f.severity, f.severity), f.severity)}  {where}  {f.rule}  {f.message}")
    if result.continuity is not None:
        c = result.continuity
        if c["status"] == "assessed":
            lines.append(f"  上年对比：{c['previous']}" if zh else f"  last year: {c['previous']}")
        else:
            lines.append(f"  上年对比：未校验（{c.get('reason') or ''}）" if zh else f"  last year: not assessed ({c.get('reason') or ''})")
    if result.reading is not None:
        lines.extend(reading_lines(result.reading, lang))
    for note in result.notes:
        lines.append(f"  {paint('注意' if zh else 'note', 'warning')}{'：' if zh else ': '}{note}")
    if result.output:
        lines.append(f"  {'标注副本' if zh else 'annotated copy'}：{result.output}" if zh else f"  annotated copy: {result.output}")
    return lines
