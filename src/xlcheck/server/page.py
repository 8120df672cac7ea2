"""The page, rendered on the server: the form, and the results of a check as HTML. The same
markup answers a plain form post (no JavaScript) and is what the script inserts after an upload,
so results are rendered in one place."""
from __future__ import annotations

import datetime
from html import escape
from pathlib import Path
from string import Template

from ..check.diagnose import summary as diagnosis_summary
from ..check.result import Result
from ..findings import SEVERITY_TEXT
from ..model import editions
from ..outputs.summary import LINK_COLUMN, STATUS_TEXT, SUMMARY_HEADERS, summary_rows
from ..sources.open import SUFFIXES
from ..version import __version__
from .config import Config, megabytes

PAGE = Template((Path(__file__).parent / "page.html").read_text(encoding="utf-8"))
FORMATS = "、".join(sorted(SUFFIXES))


def _duration(seconds: float) -> str:
    for unit, size in (("天", 86400), ("小时", 3600), ("分钟", 60)):
        if seconds >= size and seconds % size == 0:
            return f" {int(seconds // size)} {unit}"
    return f" {seconds:g} 秒"


def page(cfg: Config, base: str, results: str = "") -> str:
    return PAGE.substitute(base=escape(base), results=results, keep=_duration(cfg.keep), max_files=cfg.max_files,
                           max_size=megabytes(cfg.max_size), formats=FORMATS, accept=",".join(sorted(SUFFIXES)),
                           year=datetime.date.today().year - 1, version=__version__)


def notice(message: str) -> str:
    return f'<section class="panel notice" role="alert">{escape(message)}</section>'


def _rule_title(edition: str | None, rule: str) -> str:
    model = editions.shipped().get(edition) if edition else None
    found = model.rules.get(rule) if model else None
    return found.title.get("zh") or rule if found else rule


def file_section(result: Result, download: str | None) -> str:
    """One file: status, counts, the diagnosis, the findings table, the annotated copy."""
    c = result.counts
    out = [f'<section class="panel file status-{result.status}">',
           f'<h3><span class="name">{escape(result.path)}</span> <span class="badge">{STATUS_TEXT[result.status]}</span></h3>']
    if result.status == "error":
        out.append(f'<p class="error">{escape(result.error or "")}</p>')
    else:
        who = " · ".join(escape(str(x)) for x in (result.organ, f"{result.year} 年度" if result.year else None,
                                                   f"{result.edition} 年版格式" if result.edition else None) if x)
        out.append(f'<p class="meta">{who}</p>' if who else "")
        out.append(f'<p class="counts"><span class="n-error">{c.get("error", 0)} 个错误</span>，'
                   f'<span class="n-warning">{c.get("warning", 0)} 个警告</span></p>')
    if result.diagnosis is not None:
        out.append(f'<p class="diagnosis">→ {escape(diagnosis_summary(result.diagnosis))}</p>')
    if result.continuity is not None and result.continuity["status"] != "assessed":
        out.append(f'<p class="note">上年对比：未校验（{escape(result.continuity.get("reason") or "")}）</p>')
    for note in result.notes:
        out.append(f'<p class="note">注意：{escape(note)}</p>')
    if result.findings:
        out.append('<table class="findings"><thead><tr><th>级别</th><th>单元格</th><th>规则</th><th>说明</th></tr></thead><tbody>')
        for f in result.findings:
            out.append(f'<tr class="sev-{f.severity}"><td>{SEVERITY_TEXT["zh"].get(f.severity, f.severity)}</td>'
                       f'<td class="cell">{escape(f.where or "—")}</td><td class="rule" title="{escape(f.rule)}">'
                       f'{escape(_rule_title(result.edition, f.rule))}</td><td class="message">{escape(f.message)}</td></tr>')
        out.append("</tbody></table>")
    elif result.status != "error":
        out.append('<p class="ok">未发现问题。</p>')
    if download:
        out.append(f'<p><a class="download" href="{escape(download)}" download>下载标注副本</a>'
                   '（出错的单元格已加批注和底色，另有「校验结果」工作表）</p>')
    out.append("</section>")
    return "\n".join(x for x in out if x)


def summary_section(results: list[Result], downloads: list[str | None], summary: str | None) -> str:
    """Several files: one row each (the summary workbook's first sheet), and the workbook."""
    rows, _ = summary_rows(results)
    head = "".join(f"<th>{h}</th>" for h in SUMMARY_HEADERS[:LINK_COLUMN])     # every column but the copy's path
    out = [f'<section class="panel summary"><h2>汇总（{len(results)} 个文件）</h2>',
           f'<table class="summary-table"><thead><tr>{head}<th>标注副本</th></tr></thead><tbody>']
    for row, link in zip(rows, downloads):
        cells = "".join(f"<td>{escape(str(v))}</td>" for v in row[:LINK_COLUMN])
        cells += f'<td><a href="{escape(link)}" download>下载</a></td>' if link else "<td></td>"
        out.append(f"<tr>{cells}</tr>")
    out.append("</tbody></table>")
    if summary:
        out.append(f'<p><a class="download-summary" href="{escape(summary)}" download>下载汇总表（Excel）</a></p>')
    out.append("</section>")
    return "\n".join(out)


def results_html(results: list[Result], downloads: list[str | None], summary: str | None) -> str:
    parts = [summary_section(results, downloads, summary)] if len(results) > 1 else []
    parts += [file_section(r, d) for r, d in zip(results, downloads)]
    return "\n".join(parts)
