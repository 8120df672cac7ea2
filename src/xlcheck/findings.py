"""Findings: typed data first (rule, severity, where, values), text second.

A Finding names the rule and its severity, the data point (table, row, column keys and their
printed labels), the cell it is reported on, the cells of every other operand, the value found,
the value expected and the difference. ``message`` renders it in Chinese or English.

Every finding about the tables is built one way, by `about`: its severity and printed labels come
from the edition model (anything with ``severity(rule)`` and ``table(key)``), its place from the
source (a sheet and cell, or a report's line).
"""
from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
SEVERITY_TEXT = {"zh": {"error": "错误", "warning": "警告", "info": "提示"},
                 "en": {"error": "error", "warning": "warning", "info": "info"}}


@dataclass(eq=False)      # never compared by value: no __eq__ to generate at start-up
class Operand:
    point: str
    sheet: str | None
    cell: str | None
    value: Any = None
    sign: int = 1
    line: int | None = None
    file: str | None = None         # another file's cell (last year's report)


@dataclass(eq=False)      # never compared by value: no __eq__ to generate at start-up
class Finding:
    rule: str
    severity: str
    table: str | None = None
    row: str | None = None
    column: str | None = None
    table_label: str | None = None
    row_label: str | None = None
    column_label: str | None = None
    sheet: str | None = None
    cell: str | None = None
    operands: list[Operand] = field(default_factory=list)
    found: Any = None
    expected: Any = None
    difference: Any = None
    message: str = ""
    line: int | None = None                                  # the source line, for text reports
    detail: dict[str, Any] = field(default_factory=dict)   # what the message is made from
    explanation: str | None = None   # the filer's 核实说明 accepting this warning (check.explain)

    @property
    def point(self) -> str | None:
        if self.table and self.row and self.column:
            return f"{self.table}.{self.row}.{self.column}"
        return None

    @property
    def where(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        if self.line:
            return f"第 {self.line} 行"
        return self.sheet or ""

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("detail")
        out["operands"] = [{"point": o.point, "sheet": o.sheet, "cell": o.cell, "value": o.value}
                           | ({"line": o.line} if o.line else {}) | ({"file": o.file} if o.file else {})
                           for o in self.operands]
        if self.line is None:
            out.pop("line")
        if self.explanation is None:
            out.pop("explanation")
        return out

    def sort_key(self):
        return (SEVERITY_ORDER.get(self.severity, 9), self.sheet or "", self.line or 0, _cell_order(self.cell), self.rule)


Where = tuple  # (sheet, cell, line), as Grid.where gives it
NOWHERE: Where = (None, None, None)


def about(model, rule: str, point: str | None = None, *, table: str | None = None, row: str | None = None,
          column: str | None = None, where: Where = NOWHERE, **fields) -> Finding:
    """A finding of `rule` about a data point (``table.row.column``) or a table, row or column
    (by key): its severity and the labels as printed come from the model, its place is `where`."""
    if point:
        table, row, column = point.split(".")
    f = Finding(rule, model.severity(rule), table=table, row=row, column=column, **fields)
    if table:
        t = model.table(table)
        f.table_label = t.label
        f.row_label = t.row(row).label if row else None
        f.column_label = t.column_label(column) if column else None
    f.sheet, f.cell, f.line = where
    return f


def _cell_order(cell: str | None):
    if not cell:
        return (0, 0)
    letters = "".join(ch for ch in cell if ch.isalpha())
    digits = "".join(ch for ch in cell if ch.isdigit())
    return (int(digits or 0), len(letters), letters)


def fmt_number(v: Any) -> str:
    if isinstance(v, float):
        if not math.isfinite(v):
            return str(v)
        text = f"{v:.4f}".rstrip("0").rstrip(".")
        return text if text not in ("-0", "") else "0"
    if isinstance(v, int) and not isinstance(v, bool) and v.bit_length() > 200:
        return f"{'-' if v < 0 else ''}≈10^{int(abs(v).bit_length() * math.log10(2))}"   # str() refuses > 4,300 digits
    return shown(v) if isinstance(v, str) else str(v)


# ------------------------------------------------------------------ text from a hostile file

MAX_CELL = 32767          # Excel's limit on the characters of a cell and of a comment
MAX_MESSAGE = 2000        # a message, whatever a hostile file puts into the labels it quotes
SHOWN = 120               # a value quoted in a message is cut to this many characters
# C0 and C1 controls (ESC starts a terminal escape sequence, CSI is U+009B), DEL, bidi overrides
# (they reorder what the terminal shows) and lone surrogates (invalid UTF-8 in a file name, _xD800_).
# Patterns `re` compiles on first use (and keeps): most texts are printable and never need them.
_UNPRINTABLE = "[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
_UNDECODED = "[\udc80-\udcff]"


def _escaped(ch: str) -> str:
    n = ord(ch)
    if 0xDC80 <= n <= 0xDCFF:          # a byte of an undecodable file name (surrogateescape)
        return f"\\x{n - 0xDC00:02x}"
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"


def printable(text: Any, newlines: bool = False) -> str:
    """Text safe to show on a terminal or in a cell: every control character, escape sequence,
    bidi override and lone surrogate written out as \\xNN / \\uNNNN (newlines and tabs kept when
    `newlines`)."""
    text = str(text)
    if text.isprintable() or not re.search(_UNPRINTABLE, text):   # every character it matches is unprintable
        return text
    if re.search(_UNDECODED, text):        # a name the locale could not decode (LANG=C): shown as UTF-8 where it is
        try:
            text = text.encode("utf-8", "surrogateescape").decode("utf-8")
        except UnicodeError:
            pass
    keep = "\n\t" if newlines else ""
    return re.sub(_UNPRINTABLE, lambda m: m.group(0) if m.group(0) in keep else _escaped(m.group(0)), text)


def clip(text: str, limit: int = MAX_CELL) -> str:
    """`text` cut to at most `limit` characters, saying so."""
    if len(text) <= limit:
        return text
    tail = f"…（共 {len(text)} 字）"
    return text[:max(0, limit - len(tail))] + tail


def shown(value: Any) -> str:
    """A value as quoted in a message: printable and at most SHOWN characters."""
    return clip(printable(value), SHOWN)


def location(f: Finding, lang: str) -> str:
    parts = [p for p in (f.table_label, f.row_label, f.column_label) if p]
    return " › ".join(parts)


def render(f: Finding, lang: str = "zh") -> str:
    """The message of a finding: where (labels as printed), then what was found and expected."""
    d = f.detail
    kind = d.get("kind")
    zh = lang != "en"
    where = location(f, lang)
    if kind == "equation":
        expr = _expression(d["terms"])
        subject = d["subject"]
        if zh:
            core = f"{subject}应为 {fmt_number(f.expected)}（= {expr}），实际为 {fmt_number(f.found)}，差 {_signed(f.difference)}"
        else:
            core = f"{subject} should be {fmt_number(f.expected)} (= {expr}), found {fmt_number(f.found)}, difference {_signed(f.difference)}"
    elif kind == "comparison":
        left = " + ".join(d["left_labels"])
        right = " + ".join(d["right_labels"]) or "0"
        op = d["op"]
        if zh:
            word = {">=": "不少于", "<=": "不多于", "==": "等于"}[op]
            core = f"{left}为 {fmt_number(f.found)}，应{word}{right}（{fmt_number(f.expected)}）"
        else:
            word = {">=": "at least", "<=": "at most", "==": "equal to"}[op]
            core = f"{left} is {fmt_number(f.found)}, should be {word} {right} ({fmt_number(f.expected)})"
    elif kind == "cell":
        core = _cell_message(f, d, zh)
    else:
        core = d.get("zh" if zh else "en") or d.get("zh", "")
    text = f"{where}：{core}" if where and zh else (f"{where}: {core}" if where else core)
    return clip(text, MAX_MESSAGE)


def _signed(v: Any) -> str:
    text = fmt_number(v)
    return text if text.startswith("-") or text == "0" else f"+{text}"


def _expression(terms: list[tuple[int, Any]]) -> str:
    out = ""
    for i, (sign, value) in enumerate(terms):
        v = fmt_number(value)
        if i == 0:
            out = v if sign > 0 else f"−{v}"
        else:
            out += f" + {v}" if sign > 0 else f" − {v}"
    return out or "0"


_HOW = {"zh": {"text": "以文本形式保存的数字", "fullwidth": "全角数字", "unit": "带单位的数字", "spaces": "带空格的数字",
               "thousands": "带千位分隔符的数字"},
        "en": {"text": "a number stored as text", "fullwidth": "full-width digits", "unit": "a number with a unit typed in",
               "spaces": "a number with stray spaces", "thousands": "a number with thousands separators"}}


def _cell_message(f: Finding, d: dict, zh: bool) -> str:
    rule, seen = f.rule, (shown(d["seen"]) if d.get("seen") is not None else None)
    if rule == "cell.blank":
        return "单元格为空，按 0 计算" if zh else "blank cell, counted as 0"
    if rule == "cell.placeholder":
        return f"填写的是占位符「{seen}」，按 0 计算" if zh else f"placeholder “{seen}”, counted as 0"
    if rule == "cell.text_number":
        how = _HOW["zh" if zh else "en"].get(d.get("how"), "")
        return (f"「{seen}」是{how}，按 {fmt_number(f.found)} 读取；请填写纯数字" if zh
                else f"“{seen}” is {how}, read as {fmt_number(f.found)}; type a plain number")
    if rule == "cell.formula_not_calculated":
        if d.get("evaluated"):
            return (f"公式 ={shown(d['formula'])} 没有计算结果（文件由不计算公式的程序写成），已按求和算得 {fmt_number(f.found)}" if zh
                    else f"formula ={shown(d['formula'])} has no calculated result; evaluated as a sum: {fmt_number(f.found)}")
        return (f"公式 ={shown(d['formula'])} 没有计算结果，无法求值，相关规则未校验；请在 Excel 中打开并保存后再校验" if zh
                else f"formula ={shown(d['formula'])} has no calculated result and cannot be evaluated; rules over it were not assessed")
    if rule == "cell.type":
        want = {"count": ("大于或等于 0 的整数", "a whole number of 0 or more"),
                "signed_count": ("整数", "a whole number"),
                "amount": ("大于或等于 0 的数", "a number of 0 or more")}.get(d.get("type"), ("数字", "a number"))
        seen_text = fmt_number(f.found)
        return f"应为{want[0]}，实际为「{seen_text}」" if zh else f"should be {want[1]}, found “{seen_text}”"
    return d.get("zh" if zh else "en", rule)


def counts(findings: list[Finding]) -> dict[str, int]:
    out = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        out[f.severity] = out.get(f.severity, 0) + 1
    return out
