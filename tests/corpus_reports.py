"""Word-drafted reports with widely varied layouts, exported by LibreOffice to PDF and HTML (issue 18,
item 8): what passes here is read right because the reader is robust, not because it knows these files.

Each report is drawn from a seed: the edition and year, consistent random numbers (sometimes with a
wrong cell, sometimes placeholders 「/」「—」「-」「无」 in zero cells), a title in one of the forms organs
use, prose of random length before and between the tables (so page breaks fall anywhere, often inside a
table), the page's margins and font size, a running header and a page number, narrow label columns (labels wrap onto several lines; a
group column one character wide prints its label vertically), numbers top-aligned or centred, header
rows repeated on each page or not, rows allowed to break across pages or not, row heights, and 表三's
header as authors draw it (with or without 申请人情况, 法人或其他组织 merged or absent, labels typed
with spaces or line breaks).

The files are cached by content: a folder named by the hash of this module's and `layouts.py`'s
source and the seeds, so they are generated (a minute or two of LibreOffice) only when either changes;
a run builds in a folder of its own and renames it into place, so two runs at once do not collide.
"""
from __future__ import annotations

import hashlib
import json
import random
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from layouts import printed
from xlcheck.model import editions as schemas

APPLICANTS = ["natural_person", "commercial", "research", "social_welfare", "legal_services", "other_org"]
ORGANS = ["宣威市城市管理局", "宿迁市泗洪县人民政府", "淮安市洪泽区人民政府", "乐清市人民政府办公室", "平潭综合实验区管理委员会",
          "沭阳县发展和改革局", "雄县人民政府", "杭州市西湖区交通运输局", "成都市武侯区教育局", "深圳市南山区卫生健康局"]
PLACEHOLDERS = ["/", "—", "-", "无"]
FILLER = ("本机关坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻落实党中央、国务院关于全面推进政务公开工作的决策部署，"
          "严格执行《中华人民共和国政府信息公开条例》，围绕中心工作，深化重点领域信息公开，加强政策解读和回应关切，"
          "不断提升政务公开质量和实效，切实保障人民群众的知情权、参与权、表达权和监督权。")


@dataclass
class Report:
    seed: int
    edition: str
    year: int
    organ: str
    title: list[str]
    values: dict                    # point → number, or a placeholder string
    numbers: dict                   # point → the number it stands for (placeholders count 0)
    layout: dict = field(default_factory=dict)


def consistent(rng: random.Random, edition: str) -> dict:
    """Random numbers satisfying every identity of the edition (as tests/test_properties.py draws them)."""
    model = schemas.edition(edition)
    inst = {t.key: {r.key: {c.key: 0 for c in r.columns} for r in t.rows} for t in model.tables}
    big = rng.random() < 0.3
    small = (lambda: rng.choice([0, 0, 0, rng.randint(0, 30), rng.randint(0, 3000 if big else 60)]))
    req = inst["requests"]
    keys = [r.key for r in model.table("requests").rows]
    results = keys[keys.index("granted"): keys.index("results_total")]
    for r in results:
        for c in APPLICANTS:
            req[r][c] = small()
    for c in APPLICANTS:
        req["results_total"][c] = sum(req[r][c] for r in results)
        req["carried_forward"][c] = rng.randint(0, 10)
        both = req["results_total"][c] + req["carried_forward"][c]
        req["carried_over"][c] = rng.randint(0, both)
        req["new"][c] = both - req["carried_over"][c]
    for r in keys:
        req[r]["total"] = sum(req[r][c] for c in APPLICANTS)
    for row in inst["appeals"].values():
        for c in ("upheld", "corrected", "other", "pending"):
            row[c] = rng.choice([0, 0, rng.randint(0, 40)])
        row["total"] = row["upheld"] + row["corrected"] + row["other"] + row["pending"]
    for row in inst["active"].values():
        for c in row:
            row[c] = rng.choice([0, rng.randint(0, 99), rng.randint(0, 500000)])
        if "in_force" in row:
            row["in_force"] = row["issued"] + rng.randint(0, 300)
        if "total_published" in row:
            row["total_published"] = row["newly_published"] + rng.randint(0, 300)
    return {f"{t}.{r}.{c}": v for t, rows in inst.items() for r, cols in rows.items() for c, v in cols.items()}


def draw(seed: int) -> Report:
    rng = random.Random(seed)
    edition = "2019" if rng.random() < 0.2 else "2021"
    year = rng.choice([2019, 2020]) if edition == "2019" else rng.randint(2021, 2025)
    organ = rng.choice(ORGANS)
    form = rng.randrange(5)
    title = [[f"{year}年{organ}政府信息公开工作年度报告"], [f"{organ}{year}年政府信息公开工作年度报告"],
             [f"{organ}{year}年度政府信息公开工作年度报告"], [f"{organ} {year} 年政府信息公开工作年度报告"],
             [organ, f"{year}年政府信息公开工作年度报告"]][form]
    numbers = consistent(rng, edition)
    values = dict(numbers)
    if rng.random() < 0.4:                                   # placeholders where authors write 'none'
        zeros = sorted(p for p, v in numbers.items() if v == 0)
        for p in rng.sample(zeros, min(len(zeros), rng.randint(1, 6))):
            values[p] = rng.choice(PLACEHOLDERS)
    if rng.random() < 0.3:                                   # one wrong cell
        p = rng.choice(sorted(p for p in numbers if not p.endswith(".total") and isinstance(values[p], int)))
        values[p] = numbers[p] = numbers[p] + rng.randint(1, 9)
    layout = {
        "margin_cm": rng.uniform(1.3, 3.0), "font_pt": rng.choice([9, 10, 10.5, 11, 12]),
        "prose": [rng.randint(0, 9) for _ in range(4)],       # filler paragraphs before the tables and between them
        "group_cm": rng.choice([0.7, 0.9, 1.2, 1.8]), "sub_cm": rng.uniform(1.0, 2.6), "label_cm": rng.uniform(1.6, 4.5),
        "active_label_cm": rng.uniform(1.8, 4.0), "valign": rng.choice(["top", "center"]),
        "repeat_header": rng.random() < 0.5, "cant_split": rng.random() < 0.25,
        "applicants_row": rng.random() < 0.7, "legal_caption": rng.choice(["merged", "merged", "absent"]),
        "spaced_labels": rng.random() < 0.4, "broken_labels": rng.random() < 0.4,
        "header_height_cm": [rng.choice([0, 0.6, 1.0, 1.6]) for _ in range(3)],
        "align": rng.choice(["left", "left", "center", "justify"]), "vertical_group": rng.random() < 0.3,
        "landscape": rng.random() < 0.15, "title_pt": rng.choice([0, 0, 16, 22, 26]),
        "split_at": rng.choice([None, None, None, rng.randint(4, 24)]), "split_gap": rng.random() < 0.5,
        "page_header": rng.choice([None, None, organ, f"{year}年政府信息公开工作年度报告"]),
        "page_number": rng.choice([None, "- {} -", "第 {} 页", "{}"]),
    }
    return Report(seed, edition, year, organ, title, values, numbers, layout)


# ---- 表三's header as authors draw it: cells are (row, col, rowspan, colspan, text) ----

def _without_row(cells, row):
    out = []
    for r, c, rs, cs, t in cells:
        if r == row and rs == 1:
            continue
        if r > row:
            out.append((r - 1, c, rs, cs, t))
        elif r + rs - 1 >= row:
            out.append((r, c, rs - 1, cs, t))
        else:
            out.append((r, c, rs, cs, t))
    return out


def _header(cells, layout, rng):
    text = {t: (r, c, rs, cs) for r, c, rs, cs, t in cells if isinstance(t, str)}
    if layout["legal_caption"] == "absent" and "法人或其他组织" in text:
        r0 = text["法人或其他组织"][0]
        cells = [(r, c, rs, cs, t) for r, c, rs, cs, t in cells if t != "法人或其他组织"]
        cells = [(r0, c, 2, cs, t) if r == r0 + 1 and isinstance(t, str) and c > 0 and r < 3 else (r, c, rs, cs, t)
                 for r, c, rs, cs, t in cells]
    if not layout["applicants_row"] and "申请人情况" in text:
        cells = _without_row(cells, text["申请人情况"][0])

    def retype(t):
        if not isinstance(t, str) or len(t) > 8 or t[:1] in "（(一二三四" or t[:1].isdigit():
            return t
        if layout["spaced_labels"] and len(t) == 2:
            return t[0] + rng.choice([" ", "  ", "　"]) + t[1]
        if layout["broken_labels"] and len(t) >= 4:
            cut = rng.randint(1, len(t) - 1)
            return t[:cut] + "\n" + t[cut:]
        return t
    return [(r, c, rs, cs, retype(t)) for r, c, rs, cs, t in cells]


# ---- the Word document ----

def _widths(key, width, layout, usable):
    if key == "requests":
        fixed = [layout["group_cm"], layout["sub_cm"], layout["label_cm"]][: max(0, width - 7)]
    elif key == "active":
        fixed = [layout["active_label_cm"]]
    else:
        fixed = []
    rest = (usable - sum(fixed)) / (width - len(fixed))
    return fixed + [rest] * (width - len(fixed))


def to_word(report: Report, path: Path) -> Path:
    import docx
    from docx.shared import Cm, Pt

    rng = random.Random(report.seed * 7919)
    lay = report.layout
    doc = docx.Document()
    section = doc.sections[0]
    page = (29.7, 21) if lay["landscape"] else (21, 29.7)
    section.page_width, section.page_height = Cm(page[0]), Cm(page[1])
    if lay["landscape"]:
        section.orientation = 1
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(lay["margin_cm"]))
    usable = page[0] - 2 * lay["margin_cm"]
    if lay["page_header"]:                         # a running header and a page number on every page
        section.header.paragraphs[0].text = lay["page_header"]
    if lay["page_number"]:
        _page_number(section.footer.paragraphs[0], lay["page_number"])
    doc.styles["Normal"].font.size = Pt(lay["font_pt"])
    for line in report.title:                      # in a large font a title wraps over two lines
        title = doc.add_paragraph()
        title.alignment = 1
        run = title.add_run(line)
        if lay["title_pt"]:
            run.font.size = Pt(lay["title_pt"])
    for _ in range(lay["prose"][0]):
        doc.add_paragraph(FILLER)
    tables = printed(report.edition, report.values)
    for n, (key, (caption, cells)) in enumerate(tables.items()):
        if n:
            for _ in range(lay["prose"][n]):
                doc.add_paragraph(FILLER)
        doc.add_paragraph(caption)
        if key == "requests":
            cells = _header(cells, lay, rng)
        parts = [cells]
        if key == "requests" and lay["split_at"]:     # the author ends the table and starts another
            cut = lay["split_at"] + min(r for r, c, rs, cs, t in cells if t is not None and not isinstance(t, str))
            parts = [[], []]
            for r, c, rs, cs, t in cells:               # a merged group crossing the cut: an empty cell goes on
                if r < cut < r + rs:
                    parts[0].append((r, c, cut - r, cs, t))
                    parts[1].append((0, c, r + rs - cut, cs, ""))
                else:
                    parts[r >= cut].append((r - cut if r >= cut else r, c, rs, cs, t))
        for k, part in enumerate(p for p in parts if p):
            if k and lay["split_gap"]:
                doc.add_paragraph("")
            _table(doc, key, part, lay, usable)
    for _ in range(lay["prose"][3]):
        doc.add_paragraph(FILLER)
    doc.save(path)
    return path


def _page_number(paragraph, form: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    before, after = form.split("{}")
    paragraph.alignment = 1
    paragraph.add_run(before)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    paragraph.add_run(after)


def _table(doc, key, cells, lay, usable):
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    height = max(r + rs for r, c, rs, cs, t in cells)
    width = max(c + cs for r, c, rs, cs, t in cells)
    table = doc.add_table(rows=height, cols=width)
    table.style = "Table Grid"
    table.autofit = False
    widths = _widths(key, width, lay, usable)
    numbers = [r for r, c, rs, cs, t in cells if t is not None and not isinstance(t, str)]
    header_rows = min(numbers) if numbers else 0
    for i, row in enumerate(table.rows):
        tr_pr = row._tr.get_or_add_trPr()
        if lay["repeat_header"] and i < header_rows and key != "active":
            tr_pr.append(OxmlElement("w:tblHeader"))
        if lay["cant_split"]:
            tr_pr.append(OxmlElement("w:cantSplit"))
        if key == "appeals" and i < 3 and lay["header_height_cm"][i]:
            row.height = Cm(lay["header_height_cm"][i])
        for j, cell in enumerate(row.cells):
            cell.width = Cm(widths[j])
    for j, col in enumerate(table.columns):
        col.width = Cm(widths[j])
    align = {"left": 0, "center": 1, "justify": 3}[lay["align"]]
    for r, c, rs, cs, text in cells:
        cell = table.cell(r, c)
        if rs > 1 or cs > 1:
            cell = cell.merge(table.cell(r + rs - 1, c + cs - 1))
        cell.text = "" if text is None else str(text)
        label = isinstance(text, str) and text not in PLACEHOLDERS
        if label:
            for paragraph in cell.paragraphs:
                paragraph.alignment = align
        if label and lay["vertical_group"] and rs > 2 and cs == 1 and c == 0:
            direction = OxmlElement("w:textDirection")
            direction.set(qn("w:val"), "tbRl")
            cell._tc.get_or_add_tcPr().append(direction)
        cell.vertical_alignment = (WD_CELL_VERTICAL_ALIGNMENT.CENTER if lay["valign"] == "center" or label
                                   else WD_CELL_VERTICAL_ALIGNMENT.TOP)


def _export(soffice: str, files: list[Path], fmt: str, outdir: Path) -> None:
    profile = outdir / f"lo-profile-{fmt.split(':')[0]}"
    for i in range(0, len(files), 20):
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt,
                        "--outdir", str(outdir), *map(str, files[i:i + 20])], check=True, capture_output=True, timeout=600)


def build(soffice: str, root: Path, seeds: range) -> tuple[Path, list[Report]]:
    """The corpus for `seeds` under `root`, generated once for this source: (folder, reports)."""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for name in ("corpus_reports.py", "layouts.py"):
        digest.update((here / name).read_bytes())
    digest.update(repr((seeds.start, seeds.stop)).encode())
    folder = root / digest.hexdigest()[:16]
    root.mkdir(parents=True, exist_ok=True)
    reports = [draw(s) for s in seeds]
    if (folder / "done.json").exists():
        return folder, reports
    work = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=root))     # a run beside this one builds its own
    files = [to_word(r, work / f"r{r.seed:03d}.docx") for r in reports]
    _export(soffice, files, "pdf", work)
    _export(soffice, files, "html", work)
    (work / "done.json").write_text(json.dumps([asdict(r) for r in reports], ensure_ascii=False))
    try:
        work.rename(folder)
    except OSError:                                 # another run finished first: use its folder
        shutil.rmtree(work, ignore_errors=True)
    return folder, reports
