"""Results as text (the console) and as one JSON document (for other tools)."""
from __future__ import annotations

import json
import math
import re
from typing import Any, Iterable

import click

from ..check.explain import EXPLAINED
from ..check.result import Result
from ..findings import SEVERITY_TEXT, fmt_number, printable

STATUS_EXIT = {"ok": 0, "invalid": 1, "error": 2}


def exit_code(results: Iterable[Result]) -> int:
    return max((STATUS_EXIT[r.status] for r in results), default=0)


def to_json(results: list[Result], extra: dict | None = None) -> str:
    doc = {"files": [r.to_json() for r in results]}
    if extra:
        doc.update(extra)
    return json_text(doc)


def json_file(result: Result) -> str:
    """One file's entry of the JSON document, indented as `to_json` indents it."""
    return "  " + json_text(result.to_json()).replace("\n", "\n  ")


# Written as \uXXXX escapes, which every JSON parser reads: lone surrogates (an undecodable file
# name, a cell's _xD800_) cannot be encoded as UTF-8 at all, and C1 controls and DEL would reach a
# terminal raw (json.dumps escapes only C0).
_RAW = "[\x7f-\x9f\ud800-\udfff]"       # compiled by `re` on first use: only JSON output needs it


def _plain(value: Any) -> Any:
    """Valid JSON whatever was read: non-finite numbers (inf, nan) as text, integers past what
    a JSON reader takes as text."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 1000:
        return fmt_number(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def json_text(doc: Any) -> str:
    text = json.dumps(_plain(doc), ensure_ascii=False, indent=2, allow_nan=False, default=str)
    return re.sub(_RAW, lambda m: f"\\u{ord(m.group(0)):04x}", text)


GROUPED = 4        # this many findings of one rule in one table are one console line (unless --verbose)


def _grouped(findings):
    """(finding, how many of its kind) in order: findings of one rule and severity in one table,
    when there are at least GROUPED of them, are one entry at the first one's place. An explained
    finding is never grouped (its explanation is shown)."""
    kinds: dict[tuple, list] = {}
    for f in findings:
        if f.table and not f.explanation:
            kinds.setdefault((f.rule, f.severity, f.table), []).append(f)
    out = []
    for f in findings:
        same = kinds.get((f.rule, f.severity, f.table)) if f.table and not f.explanation else None
        if same is None or len(same) < GROUPED:
            out.append((f, 1))
        elif same[0] is f:
            out.append((f, len(same)))
    return out


def text_lines(result: Result, lang: str = "zh", color: bool = False, verbose: bool = False) -> list[str]:
    """A readable summary of one file: counts by severity, then each finding with its cell (many of
    one kind in one table as one line, unless `verbose`). Every text that came from a file or a
    path goes through `printable`: nothing reaches the terminal raw."""
    zh = lang != "en"
    sev = SEVERITY_TEXT["en" if not zh else "zh"]

    def paint(text, severity):
        if not color:
            return text
        return click.style(text, fg={"error": "red", "warning": "yellow"}.get(severity, None), bold=severity == "error")

    if result.status == "error":
        return [paint(f"✗ {printable(result.error)}", "error")]
    c = result.counts
    edition = (f"{result.edition} 年版" if zh else f"{result.edition} edition") if result.edition else ""
    head = printable(result.path)
    if result.organ or result.year:
        who = " ".join(printable(x) for x in (result.organ, f"{result.year}年度" if zh and result.year else result.year) if x)
        head += f"（{who}）" if zh else f" ({who})"
    if not result.findings:
        summary = "未发现问题" if zh else "no findings"
    elif zh:
        summary = f"{c.get('error', 0)} 个错误，{c.get('warning', 0)} 个警告"
    else:
        summary = f"{c.get('error', 0)} errors, {c.get('warning', 0)} warnings"
    explained = sum(1 for f in result.findings if f.explanation)
    if explained:
        summary += f"，{explained} 个已说明" if zh else f", {explained} explained"
    mark = "✓" if result.status == "ok" else "✗"
    lines = [paint(f"{mark} {head}：{edition}，{summary}" if zh else f"{mark} {head}: {edition}, {summary}",
                   "error" if result.status == "invalid" else None)]
    if result.diagnosis is not None:
        from ..check.diagnose import summary as diagnosis_summary    # deferred: start-up time (only with a diagnosis)
        lines.append(f"  {paint('→', 'error')} {printable(diagnosis_summary(result.diagnosis, lang))}")
    for f, n in (_grouped(result.findings) if not verbose else [(f, 1) for f in result.findings]):
        if f.severity == "info" and result.continuity is not None and f.rule.startswith("continuity."):
            continue                  # said once above
        where = printable(f.where) or "—"
        if f.line and not zh:
            where = f"line {f.line}"
        level = paint(EXPLAINED["zh" if zh else "en"], None) if f.explanation else paint(sev.get(f.severity, f.severity), f.severity)
        if n > 1:
            table = printable(f.table_label or "")
            lines.append(f"  {level}  {table}  {f.rule}  共 {n} 处，例如 {where}：{printable(f.message)}（加 --verbose 列出全部）" if zh
                         else f"  {level}  {table}  {f.rule}  {n} cells, e.g. {where}: {printable(f.message)} (--verbose lists them all)")
            continue
        lines.append(f"  {level}  {where}  {f.rule}  {printable(f.message)}")
        if f.explanation:
            lines.append(f"      核实说明：{printable(f.explanation)}" if zh else f"      explanation: {printable(f.explanation)}")
    if result.continuity is not None:
        c = result.continuity
        if c["status"] == "assessed":
            previous = printable(c["previous"])
            lines.append(f"  上年对比：{previous}" if zh else f"  last year: {previous}")
        else:
            reason = printable(c.get("reason") or "")
            lines.append(f"  上年对比：未校验（{reason}）" if zh else f"  last year: not assessed ({reason})")
    if result.reading is not None:
        from ..check.reading import reading_lines                    # deferred: start-up time (only with --explain-reading)
        lines.extend(reading_lines(result.reading, lang))
    for note in result.notes:
        lines.append(f"  {paint('注意' if zh else 'note', 'warning')}{'：' if zh else ': '}{printable(note)}")
    if result.output:
        output = printable(result.output)
        lines.append(f"  标注副本：{output}" if zh else f"  annotated copy: {output}")
    return lines
