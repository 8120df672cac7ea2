"""The report year and the organ, from the title as organs print it:

「乐清市人民政府办公室2021年政府信息公开工作年度报告」 (organ first), 「2023年宣威市城市管理局政府信息
公开工作年度报告」 (year first), 「XX局2023年度…」, a title wrapped over two or three lines, spaces
around the year, the organ alone on the line above. Where the title gives no year, the statistics
period (「统计期限自2023年1月1日至2023年12月31日」) gives it, or failing that a publication date in
the first quarter of the next year; `year_source` says which.
"""
from __future__ import annotations

import re
import unicodedata

_YEAR = r"(?P<year>(?:19|20)\d{2})年度?"
_KIND = r"(?:政府信息公开|政务公开|信息公开)"
_TITLE = re.compile(rf"(?P<before>.*?){_YEAR}(?P<after>.*?){_KIND}(?:工作)?(?:年度)?报告")
_TITLE_NO_YEAR = re.compile(rf"(?P<before>.*?){_KIND}工作(?:年度)?报告")
_PERIOD = re.compile(r"(\d{4})年0?1月0?1日[^。\n\d]{0,6}?(?:至|到|—|－|-|～|~)\s*(\d{4})年12月31日")
_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_NOT_ORGAN = re.compile(r"^(?:关于|印发|转发)|[\d。，,；;：:]")
_TRIM = "　 \t【】[]《》〈〉「」“”·•-—:："
MAX_LINES = 3          # a title wraps over at most this many lines
HEAD = 40              # the title is among the first rows


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _organ(text: str) -> str:
    organ = text.strip(_TRIM)
    organ = re.sub(r"^关于", "", organ).strip(_TRIM)
    return organ if 2 <= len(organ) <= 40 and not _NOT_ORGAN.search(organ) else ""


def report_meta(lines: list[str], prose: str = "") -> dict[str, str]:
    """{"report_year", "organ", "year_source"} as far as the title and prose give them. `lines`
    are the source's first lines of text (a line a row; a table row is not a title line)."""
    head = [_squash(line) for line in lines[:HEAD]]
    meta: dict[str, str] = {}
    without_organ = None          # a title line naming no organ: a running page header may print one first
    for size in range(1, MAX_LINES + 1):
        for i in range(len(head) - size + 1):
            window = head[i:i + size]
            if not all(window):
                continue
            text = "".join(window)
            m = _TITLE.search(text)
            if m and (size == 1 or m.start("year") < len(text) - len(window[-1])):
                organ = _organ(m.group("before")) or _organ(m.group("after"))
                if not organ and i > 0:
                    organ = _organ(head[i - 1])              # the organ alone on the line above
                if organ:
                    return {"report_year": m.group("year"), "year_source": "title", "organ": organ}
                without_organ = without_organ or m.group("year")
    if without_organ:
        return {"report_year": without_organ, "year_source": "title"}
    for i, line in enumerate(head):
        m = _TITLE_NO_YEAR.search(line)
        if m:
            organ = _organ(m.group("before")) or (_organ(head[i - 1]) if i > 0 else "")
            if organ:
                meta["organ"] = organ
            break
    year, source = year_from_prose(_squash(prose) if prose else "".join(head))
    if year:
        meta.update(report_year=year, year_source=source)
    return meta


def year_from_prose(text: str) -> tuple[str | None, str | None]:
    """The report year from the statistics period, else from a publication date in January to
    March (reports are published for the year before)."""
    for m in _PERIOD.finditer(text):
        if m.group(1) == m.group(2):
            return m.group(1), "statistics_period"
    for m in _DATE.finditer(text):
        if 1 <= int(m.group(2)) <= 3:
            return str(int(m.group(1)) - 1), "publication_date"
    return None, None
