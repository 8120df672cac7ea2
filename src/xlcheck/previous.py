"""Last year's report: finding it (by organ, then by file name) and checking this year's report
against it with the schema's continuity rules."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .check import Options, Result, check_file, finish, status_of
from .check.continuity import assess, not_assessed


def add_continuity(result: Result, options: Options, previous: str | None, reason: str | None = None) -> None:
    """Check `result` against last year's report at `previous`; without one, say the continuity
    rules were not assessed."""
    if result.status == "error" or result.model is None:
        return
    model = result.model
    if previous is None:
        new = not_assessed(model, reason or "没有找到上一年度的报告", "no report of the previous year was found")
        result.continuity = {"status": "not_assessed", "previous": None, "reason": reason or "没有找到上一年度的报告"}
    else:
        last = check_file(previous, None, Options(lang=options.lang))
        if last.status == "error":
            new = not_assessed(model, f"上一年度的报告无法读取：{last.error}", f"last year's report could not be read: {last.error}")
            result.continuity = {"status": "not_assessed", "previous": previous, "reason": last.error}
        else:
            new = assess(model, result, last, previous)
            result.continuity = {"status": "assessed", "previous": previous, "previous_year": last.year}
    result.findings = finish(result.findings + new, options)
    result.status = status_of(result.findings, options.strict)


def name_key(path: str) -> str:
    """A file name without its digits, extension and our suffixes: 乐清市2023年报.xlsx → 乐清市年报."""
    stem = Path(path).name
    stem = re.sub(r"\.checked(?=\.)", "", stem)
    stem = stem.rsplit(".", 1)[0]
    return re.sub(r"[\d\s_\-—（）()]+", "", stem)


@dataclass
class PreviousIndex:
    by_organ: dict[str, list[tuple[int | None, str]]] = field(default_factory=dict)
    by_name: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, files: list[str], model=None) -> "PreviousIndex":
        index = cls()
        for path in files:
            index.by_name.setdefault(name_key(path), []).append(path)
            result = check_file(path, model)
            if result.status != "error" and result.organ:
                index.by_organ.setdefault(result.organ, []).append((result.year, path))
        return index

    def find(self, path: str, organ: str | None, year: int | None) -> str | None:
        if organ and organ in self.by_organ:
            candidates = self.by_organ[organ]
            if year:
                exact = [p for y, p in candidates if y == year - 1]
                if exact:
                    return exact[0]
            if len(candidates) == 1:
                return candidates[0][1]
        named = [p for p in self.by_name.get(name_key(path), []) if Path(p).resolve() != Path(path).resolve()]
        return named[0] if len(named) == 1 else None
