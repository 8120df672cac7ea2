"""What a check gives back: the options it ran with and the Result of one file (findings,
diagnosis, where each data point was read, the instance), as data before text."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ..errors import InputError, NotAReport
from ..findings import Finding, Where, counts, printable, render
from ..model.schema import Edition
from ..values import Read


@dataclass
class Options:
    lang: str = "zh"
    strict: bool = False
    year: int | None = None
    severities: dict[str, str] = field(default_factory=dict)   # rule id → error | warning | off
    explain_reading: bool = False      # keep how each table was read (Result.reading)
    explanations: tuple = ()           # 核实说明 given in a file (`check.explain.Explanation`), for any file they name


@dataclass(eq=False)      # never compared by value: no __eq__ to generate at start-up
class Result:
    path: str
    edition: str | None = None
    status: str = "ok"                 # ok | invalid | error
    findings: list[Finding] = field(default_factory=list)
    output: str | None = None
    error: str | None = None
    organ: str | None = None
    year: int | None = None
    year_source: str | None = None     # option | template | title | statistics_period | publication_date
    model: Edition | None = field(default=None, repr=False)
    places: dict[str, Where] = field(default_factory=dict, repr=False)   # point id → (sheet, cell, line) read from
    instance: dict[str, Any] = field(default_factory=dict, repr=False)
    reads: dict[str, Read] = field(default_factory=dict, repr=False)
    source_format: str | None = None
    report: bool = False               # a published report (text, HTML, Word, PDF), not a workbook
    diagnosis: Any = None
    continuity: dict | None = None     # None: last year's report was not asked for
    notes: list[str] = field(default_factory=list)   # things the user should know about the outputs
    reading: list[dict] | None = None  # how each table was read, when asked (check.reading)
    not_report: bool = False           # status `error` because the file holds no statutory table at all

    @property
    def counts(self) -> dict[str, int]:
        return counts(self.findings)

    def to_json(self) -> dict[str, Any]:
        out = {"path": self.path, "edition": self.edition, "status": self.status, "organ": self.organ,
               "year": self.year, "year_source": self.year_source, "counts": self.counts, "findings": [f.to_json() for f in self.findings],
               "diagnosis": self.diagnosis.to_json() if self.diagnosis else None, "output": self.output}
        if self.continuity is not None:
            out["continuity"] = self.continuity
        if self.notes:
            out["notes"] = self.notes
        if self.reading is not None:
            out["reading"] = self.reading
        if self.error:
            out["error"] = self.error
        if self.not_report:
            out["not_report"] = True
        return out


def failed(path: str, message: str, checked: Result | None = None) -> Result:
    """A Result with status `error`; `checked` keeps the findings of a check whose outputs failed."""
    out = Result(path=str(path), status="error", error=message)
    if checked is not None:
        out.findings, out.edition = checked.findings, checked.edition
    return out


def guarded(path: str, work: Callable[[], Result]) -> Result:
    """`work()` for one file; any failure becomes that file's Result with status `error` — one line
    naming the file — so that a batch goes on."""
    try:
        return work()
    except InputError as exc:
        out = failed(path, str(exc))
        out.not_report = isinstance(exc, NotAReport)
        return out
    except MemoryError:
        return failed(path, f"{printable(path)}：文件过大，内存不足，无法校验")
    except RecursionError:
        return failed(path, f"{printable(path)}：文件结构嵌套过深，无法校验")
    except Exception as exc:       # a bug must not end the batch: report it on this file
        return failed(path, f"{printable(path)}：内部错误（{exc.__class__.__name__}: {printable(exc)[:200]}），请报告此问题")


def finish(findings: list[Finding], options: Options) -> list[Finding]:
    """Apply severity overrides, drop switched-off rules, render messages, report each finding
    once, sort."""
    out, seen = [], set()
    for f in findings:
        severity = options.severities.get(f.rule, f.severity)
        if severity == "off":
            continue
        f.severity = severity
        f.message = render(f, options.lang)
        key = repr(f.to_json())
        if key in seen:
            continue
        seen.add(key)
        out.append(f)
    out.sort(key=Finding.sort_key)
    return out


def status_of(findings: list[Finding], strict: bool) -> str:
    bad = {"error", "warning"} if strict else {"error"}
    return "invalid" if any(f.severity in bad for f in findings) else "ok"


def severity_overrides(values, option: str = "--severity") -> dict[str, str]:
    """`RULE=error|warning|off` items (the CLI's --severity, the server's `severity` fields) → {rule: level}."""
    out = {}
    for item in values:
        rule, sep, level = str(item).partition("=")
        if not sep or level not in ("error", "warning", "off"):
            raise InputError(f"{option} 的格式应为 规则=error|warning|off，而不是「{item}」")
        out[rule.strip()] = level
    return out
