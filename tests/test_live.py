"""The template's live checks, evaluated by a real spreadsheet application.

Filled templates (consistent; a wrong total; a broken balance; a wrong 表四 total; a warning; blank
cells; the 2019 comparisons; a made-up schema with amounts; and the fix of each) are given to
LibreOffice Calc headless, which loads them, calculates every formula and writes what it computed:

* as .xlsx — the status cells' values, read back with openpyxl ``data_only`` (LibreOffice's cached
  results, never xlcheck's formulas);
* as HTML — where Calc writes each cell with the background it displays. Its HTML export
  (sc/source/filter/html/htmlexp.cxx, ScHTMLExport::WriteCell) reads the background through the
  item set ScDocument::GetCondResult returns for the cell — the attributes of the conditional
  format whose condition Calc found true, the same call its screen drawing makes — falling back
  to the cell's own fill. So a red or yellow ``bgcolor`` on an input cell is the conditional
  formatting's visible effect as Calc applied it: the rule Calc imported from our ``cfRule``, its
  formula evaluated by Calc on Calc's own results, its dxf fill as Calc read it. The observation is
  sound because (a) input cells have no fill of their own (the consistent workbook shows none on any
  of them), (b) the same template with other numbers shows the colour or not, nothing else
  differing, and (c) every data point's cell is located in the export by its defined name's address
  and its text is checked to be the number typed there, so no cell is confused with a neighbour.

Against that, `xlcheck verify` of the same file: exactly the cells it reports a relation finding on
are coloured, each in its rule's severity, and each status cell reads what the findings say.
"""
from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import convert
from helpers import SAMPLE_2021, zero_instance
from xlcheck.cli import cli
from xlcheck.model import editions, flatten
from xlcheck.model.workbook import cell_positions
from xlcheck.outputs import live
from xlcheck.outputs.live import checks, schema_relations, status_column
from xlcheck.outputs.marks import FILLS
from xlcheck.outputs.template import Options, build_workbook, fill, workbook_bytes, write_template

SEVERITY_OF_FILL = {f"#{rgb[2:]}": severity for severity, rgb in FILLS.items()}

AMOUNTS = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "urn:test:fees",
    "x-edition": "fees-1", "x-years": {"first": 2030},
    "x-rules": {"fees.total": {"severity": "error", "title": {"zh": "合计等于各项之和"}},
                "fees.refunds": {"severity": "warning", "title": {"zh": "退还不多于收取"}}},
    "type": "object",
    "properties": {
        "fees": {
            "type": "object", "x-label": "一、收费情况（万元）", "x-sheet": "收费",
            "properties": {"copying": {"$ref": "#/$defs/row", "x-label": "复制"},
                           "mailing": {"$ref": "#/$defs/row", "x-label": "邮寄"},
                           "total": {"$ref": "#/$defs/row", "x-label": "合计",
                                     "x-compare": [{"rule": "fees.refunds", "left": ["refunded"], "op": "<=", "right": ["charged"]}]}},
            "x-sum": [{"rule": "fees.total", "total": "total", "parts": ["copying", "mailing"], "each": "*"}],
            "x-layout": {"widths": [12, 10, 10], "rows": [
                [{"text": "项目", "role": "header"}, {"column": "charged", "role": "header"}, {"column": "refunded", "role": "header"}],
                [{"row": "copying"}, {"point": "copying.charged"}, {"point": "copying.refunded"}],
                [{"row": "mailing"}, {"point": "mailing.charged"}, {"point": "mailing.refunded"}],
                [{"row": "total"}, {"point": "total.charged"}, {"point": "total.refunded"}]]},
        }
    },
    "$defs": {
        "amount": {"type": "number", "minimum": 0, "x-type": "amount"},
        "row": {"type": "object", "properties": {"charged": {"$ref": "#/$defs/amount", "x-label": "收取"},
                                                 "refunded": {"$ref": "#/$defs/amount", "x-label": "退还"}}},
    },
}
FEES = {"fees.copying.charged": 0.1, "fees.mailing.charged": 0.2, "fees.total.charged": 0.3,      # 0.1 + 0.2 ≠ 0.3 in floats
        "fees.copying.refunded": 0.05, "fees.mailing.refunded": 0, "fees.total.refunded": 0.05}

# name → (edition, values, the mistake typed, its fix)
SCENARIOS = {
    "consistent": ("2021", SAMPLE_2021, {}, {}),
    "wrong_total": ("2021", SAMPLE_2021, {"requests.new.total": 25}, {"requests.new.total": 26}),
    "broken_balance": ("2021", SAMPLE_2021, {"requests.carried_forward.natural_person": 2, "requests.carried_forward.total": 3},
                       {"requests.carried_forward.natural_person": 1, "requests.carried_forward.total": 2}),
    "wrong_appeals_total": ("2021", SAMPLE_2021, {"appeals.litigation_after_reconsideration.total": 4},
                            {"appeals.litigation_after_reconsideration.total": 3}),
    "warning_and_error": ("2021", SAMPLE_2021, {"active.normative_documents.in_force": 10, "requests.granted.total": 18},
                          {"active.normative_documents.in_force": 275, "requests.granted.total": 17}),
    "blanks": ("2021", SAMPLE_2021, {f"requests.withheld_inquiry.{c}": None for c in ("natural_person", "commercial", "total")}
               | {"active.fees.amount": None}, {f"requests.withheld_inquiry.{c}": 0 for c in ("natural_person", "commercial", "total")}
               | {"active.fees.amount": 0}),
    "blank_template": ("2021", {}, {}, {}),
    "comparisons_2019": ("2019", zero_instance("2019"),
                         {"active.regulations.newly_published": 3, "active.regulations.total_published": 1,
                          "active.licensing.prior_items": 1, "active.licensing.change": -3, "appeals.reconsideration.upheld": 1},
                         {"active.regulations.total_published": 3, "active.licensing.change": -1, "appeals.reconsideration.total": 1}),
    "amounts": ("fees", FEES, {"fees.total.charged": 0.31, "fees.total.refunded": 0.4},
                {"fees.total.charged": 0.3, "fees.total.refunded": 0.05}),
}


def _model(edition: str, tmp: Path):
    if edition != "fees":
        return editions.edition(edition), []
    path = tmp / "fees.schema.json"
    path.write_text(json.dumps(AMOUNTS, ensure_ascii=False), encoding="utf-8")
    return editions.load_schema_file(path), ["--schema", str(path)]


def _write(path: Path, model, values: dict) -> Path:
    wb = build_workbook(model, Options(year=2030 if model.edition == "fees" else 2021, organ="测试机关"))
    fill(wb, model, values)
    path.write_bytes(workbook_bytes(wb))
    return path


def _recalculate(soffice, paths: list[Path], fmt: str, outdir: Path) -> None:
    """LibreOffice loads, calculates and writes every file (one process, its own profile)."""
    outdir.mkdir()
    subprocess.run([soffice, f"-env:UserInstallation=file://{outdir}/lo-profile", "--headless", "--convert-to", fmt,
                    "--outdir", str(outdir), *map(str, paths)], check=True, capture_output=True, timeout=300)


class _Cells(HTMLParser):
    """LibreOffice's HTML export of a workbook → {sheet: {(row, col): (text, bgcolor)}}, merged
    cells placed by their rowspan and colspan as the sheet has them."""

    def __init__(self):
        super().__init__()
        self.sheets: dict[str, dict] = {}
        self.sheet = None
        self.in_em = False
        self.cell = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "em":
            self.in_em = True
        elif tag == "table":
            self.grid, self.taken, self.row = self.sheets.setdefault(self.sheet, {}), set(), 0
        elif tag == "tr":
            self.row, self.col = self.row + 1, 1
        elif tag == "td":
            while (self.row, self.col) in self.taken:
                self.col += 1
            rows, cols = int(a.get("rowspan", 1)), int(a.get("colspan", 1))
            self.taken |= {(self.row + i, self.col + j) for i in range(rows) for j in range(cols)}
            self.cell = [self.row, self.col, "", (a.get("bgcolor") or "").upper()]
            self.col += cols

    def handle_endtag(self, tag):
        if tag == "em":
            self.in_em = False
        elif tag == "td" and self.cell:
            r, c, text, bg = self.cell
            self.grid[(r, c)] = (text.strip(), bg)
            self.cell = None

    def handle_data(self, data):
        if self.in_em:
            self.sheet = data
        elif self.cell is not None:
            self.cell[2] += data


def _verify(path: Path, extra: list[str]) -> dict:
    result = CliRunner().invoke(cli, ["verify", str(path), "--no-annotate", "--format", "json", *extra])
    assert "Traceback" not in result.output, result.output
    return json.loads(result.stdout)["files"][0]


def _same(text: str, value) -> bool:
    """Does the text LibreOffice shows for a cell say the value typed there?"""
    return text == "" if value is None else float(text) == float(value)


@pytest.fixture(scope="module")
def evaluated(soffice, tmp_path_factory):
    """Every scenario's workbook with the mistake and with its fix, as LibreOffice computed it."""
    tmp = tmp_path_factory.mktemp("live")
    books = {}
    for name, (edition, values, mistake, fix) in SCENARIOS.items():
        model, extra = _model(edition, tmp)
        flat = flatten(values) if values and isinstance(next(iter(values.values())), dict) else dict(values)
        for stage, changes in (("mistake", mistake), ("fixed", {**mistake, **fix})):
            typed = {**flat, **changes}
            books[(name, stage)] = (model, extra, typed, _write(tmp / f"{name}-{stage}.xlsx", model, typed))
    paths = [b[3] for b in books.values()]
    _recalculate(soffice, paths, "html", tmp / "html")
    _recalculate(soffice, paths, "xlsx", tmp / "xlsx")
    out = {}
    for key, (model, extra, typed, path) in books.items():
        parser = _Cells()
        parser.feed((tmp / "html" / (path.stem + ".html")).read_text(encoding="utf-8"))
        if None in parser.sheets:           # a workbook of one visible sheet is exported without sheet headings
            assert len(model.tables) == 1
            parser.sheets[model.tables[0].sheet] = parser.sheets.pop(None)
        out[key] = dict(model=model, extra=extra, typed=typed, path=path, html=parser.sheets,
                        values=openpyxl.load_workbook(tmp / "xlsx" / path.name, data_only=True),
                        resaved=tmp / "xlsx" / path.name, doc=_verify(path, extra))
    return out


def _expected_status(model, doc) -> dict[str, str]:
    """Each table sheet's status line, and the workbook's under the key None, from verify's findings."""
    relation_rules = {rel.rule for rel, _ in schema_relations(model)}
    broken = {t.sheet: 0 for t in model.tables}
    blank = dict(broken)
    for f in doc["findings"]:
        if f["rule"] in relation_rules:
            broken[f["sheet"]] += 1
        elif f["rule"] == "cell.blank":
            blank[f["sheet"]] += 1
        elif f["rule"] == "table.empty":               # verify folds a wholly blank table into one finding
            blank[model.table(f["table"]).sheet] += len(model.table(f["table"]).points)

    def line(ok, bad, n, b):
        return (ok if n == 0 else bad.format(n=n)) + (f"（还有 {b} 格未填，按 0 计）" if b else "")
    out = {s: line("✓ 本表数字一致", "✗ 本表有 {n} 处不一致", broken[s], blank[s]) for s in broken}
    out[None] = line(f"✓ 全部 {len(broken)} 张表数字一致", f"✗ 全部 {len(broken)} 张表共有 {{n}} 处不一致",
                     sum(broken.values()), sum(blank.values()))
    return out


def _coloured(book) -> tuple[dict, dict]:
    """(the cells verify reports a relation finding on → severity, the data cells LibreOffice shows
    filled → severity) of one evaluated workbook."""
    model, html = book["model"], book["html"]
    relation_rules = {rel.rule for rel, _ in schema_relations(model)}
    expected: dict[tuple[str, str], str] = {}
    for f in book["doc"]["findings"]:
        if f["rule"] in relation_rules:
            key = (f["sheet"], f["cell"])
            expected[key] = "error" if "error" in (f["severity"], expected.get(key)) else f["severity"]
    shown = {}
    for point, (sheet, row, col) in cell_positions(model).items():
        text, bg = html[sheet][(row, col)]
        assert _same(text, book["typed"].get(point)), (point, text)       # the export's cell is the point's cell
        if bg:
            shown[(sheet, openpyxl.utils.get_column_letter(col) + str(row))] = SEVERITY_OF_FILL[bg]
    return expected, shown


def _status(book) -> tuple[dict, dict]:
    """(each status line as verify's findings say it, as LibreOffice computed it, with its colour)."""
    model, values, html = book["model"], book["values"], book["html"]
    relation_rules = {rel.rule for rel, _ in schema_relations(model)}
    texts = _expected_status(model, book["doc"])
    expected, shown = {}, {}
    for sheet, text in texts.items():
        where = model.tables[0].sheet if sheet is None else sheet
        row, col = (1 if sheet is None else 2), status_column(model, where)
        severities = {f["severity"] for f in book["doc"]["findings"]
                      if f["rule"] in relation_rules and (sheet is None or f["sheet"] == sheet)}
        expected[sheet] = (text, "error" if "error" in severities else "warning" if severities else None)
        shown[sheet] = (values[where].cell(row, col).value, SEVERITY_OF_FILL.get(html[where][(row, col)][1]))
    return expected, shown


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_libreoffice_shows_what_verify_reports(evaluated, name):
    """Exactly the cells verify reports are filled, in their rule's severity, and each status line
    reads and is coloured as the findings say: with the mistake typed, and after its fix."""
    for stage in ("mistake", "fixed"):
        book = evaluated[(name, stage)]
        expected, shown = _coloured(book)
        assert shown == expected, stage
        assert bool(expected) == (stage == "mistake" and name not in ("consistent", "blanks", "blank_template")), stage
        expected, shown = _status(book)
        assert shown == expected, stage


def test_the_scenarios_say_what_they_should(evaluated):
    """The verify side of the comparison, spelled out for the 2021 cases."""
    def cells(name, stage="mistake"):
        return sorted((f["rule"], f["cell"]) for f in evaluated[(name, stage)]["doc"]["findings"] if f["severity"] != "info")
    assert cells("consistent") == []
    assert cells("wrong_total") == [("requests.balance", "J30"), ("requests.row_total", "J6")]
    assert cells("broken_balance") == [("requests.balance", "D30"), ("requests.balance", "J30")]
    assert cells("wrong_appeals_total") == [("appeals.total", "O6")]
    assert cells("amounts") == [("fees.refunds", "C6"), ("fees.total", "B6"), ("fees.total", "C6")]
    assert cells("amounts", "fixed") == []          # 0.1 + 0.2 is 0.3, within the tolerance
    values = evaluated[("wrong_total", "mistake")]["values"]
    assert values["依申请公开"]["K2"].value == "✗ 本表有 2 处不一致"
    assert values["主动公开"]["E1"].value == "✗ 全部 3 张表共有 2 处不一致"
    assert evaluated[("wrong_total", "fixed")]["values"]["依申请公开"]["K2"].value == "✓ 本表数字一致"
    assert evaluated[("blank_template", "mistake")]["values"]["主动公开"]["E1"].value == \
        f"✓ 全部 3 张表数字一致（还有 {len(editions.edition('2021').points)} 格未填，按 0 计）"


@pytest.mark.parametrize("name", ["wrong_total", "comparisons_2019", "amounts"])
def test_a_workbook_libreoffice_saved_verifies_the_same(evaluated, name):
    # LibreOffice writes every formula's result: the status cells are no data points and no finding
    book = evaluated[(name, "mistake")]
    first = book["model"].tables[0].sheet
    assert book["values"][first].cell(1, status_column(book["model"], first)).value.startswith("✗ 全部")
    again = _verify(book["resaved"], book["extra"])
    key = lambda f: (f["rule"], f["sheet"], f["cell"], f["severity"], f.get("found"), f.get("expected"))
    assert sorted(map(key, again["findings"])) == sorted(map(key, book["doc"]["findings"]))


# ------------------------------------------------------------------ the file xlcheck writes

ALLOWED = {"SUM", "ABS", "IF", "COUNTBLANK"}


def _formulas(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
    return [html.unescape(a or b) for a, b in re.findall(r"<formula>(.*?)</formula>|<f>(.*?)</f>", xml)]


@pytest.mark.parametrize("edition", ["2019", "2021"])
def test_one_conditional_format_per_relation_in_its_severity(edition, tmp_path):
    model = editions.edition(edition)
    wb = openpyxl.load_workbook(write_template(model, tmp_path / "t.xlsx", Options(year=2024)))
    rules = {}
    for ws in wb.worksheets:
        for cf in ws.conditional_formatting:
            for rule in cf.rules:
                assert rule.type == "expression" and len(rule.formula) == 1
                rules.setdefault((ws.title, str(cf.sqref)), []).append(
                    (rule.priority, rule.formula[0], rule.dxf.fill.bgColor.rgb, rule.dxf.fill.fgColor.rgb))
    positions = cell_positions(model)
    want: dict = {}
    for rel, base in schema_relations(model):
        sheet, row, col = positions[".".join(base + rel.target)]
        want.setdefault((sheet, f"{openpyxl.utils.get_column_letter(col)}{row}"), []).append(model.severity(rel.rule))
    status = {(t.sheet, f"{openpyxl.utils.get_column_letter(status_column(model, t.sheet))}{r}")
              for t in model.tables for r in (1, 2) if r == 2 or t is model.tables[0]}
    assert set(rules) == set(want) | status
    for key, severities in want.items():
        found = sorted(rules[key])
        assert len(found) == len(severities)
        colours = [bg for _, _, bg, fg in found]
        assert sorted(colours) == sorted(FILLS[s] for s in severities) and all(bg == fg for _, _, bg, fg in found)
        # errors come first, so a cell breaking an error and a warning rule shows red
        assert colours == sorted(colours, key=lambda c: c != FILLS["error"])
    assert len(checks(model)) == sum(len(v) for v in want.values())


@pytest.mark.parametrize("edition", ["2019", "2021"])
def test_only_portable_functions_and_a_tolerance(edition, tmp_path):
    path = write_template(editions.edition(edition), tmp_path / "t.xlsx", Options(year=2024, formulas=True))
    found = _formulas(path)
    assert len(found) > 40
    for formula in found:
        text = re.sub(r'"[^"]*"', "", formula)
        assert set(re.findall(r"([A-Z][A-Z0-9.]*)\(", text)) <= ALLOWED, formula
    conditions = [c.condition for c in checks(editions.edition(edition))]
    assert all(re.search(r"(ABS\(.*\)>=|<-|>)0\.000001$", c) for c in conditions), conditions


@pytest.mark.parametrize("formulas", [False, True])
def test_status_cells_and_total_formulas_are_locked(formulas, tmp_path):
    model = editions.edition("2021")
    wb = openpyxl.load_workbook(write_template(model, tmp_path / "t.xlsx", Options(year=2024, formulas=formulas)))
    for table in model.tables:
        ws = wb[table.sheet]
        col = status_column(model, table.sheet)
        assert ws.protection.sheet
        assert ws.cell(2, col).protection.locked and str(ws.cell(2, col).value).startswith("=IF(")
        hidden = openpyxl.utils.get_column_letter(col + 1)
        assert ws.column_dimensions[hidden].hidden
        assert all(ws.cell(r, col + 1).protection.locked for r in range(1, 4))
        assert f"!$A$1:${openpyxl.utils.get_column_letter(col - 1)}$" in str(ws.print_area)     # the status is not printed
    cells = {p: wb[s].cell(r, c) for p, (s, r, c) in cell_positions(model).items()}
    totals = {p for p, c in cells.items() if isinstance(c.value, str) and c.value.startswith("=SUM(")}
    assert bool(totals) == formulas
    assert all(cells[p].protection.locked for p in totals)
    assert not any(c.protection.locked for p, c in cells.items() if p not in totals)
    if formulas:
        assert {"requests.new.total", "requests.results_total.natural_person", "appeals.reconsideration.total"} <= totals
        assert "requests.carried_forward.natural_person" not in totals     # the balance item stays input


def test_annotating_a_filled_template_keeps_the_live_checks(tmp_path):
    """The conditional formats, dxfs and status cells survive marking byte for byte, and clearing
    gives back every member."""
    src = _write(tmp_path / "t.xlsx", editions.edition("2021"), {**flatten(SAMPLE_2021), "requests.new.total": 25})
    work = tmp_path / "w.xlsx"
    shutil.copy(src, work)
    result = CliRunner().invoke(cli, ["verify", str(work), "--in-place"])
    assert result.exit_code == 1, result.output

    def members(path):
        with zipfile.ZipFile(path) as z:
            return {n: z.read(n).decode("utf-8", "replace") for n in z.namelist()}
    before, after = members(src), members(work)
    model = editions.edition("2021")
    for i, table in enumerate(model.tables, start=1):
        col = status_column(model, table.sheet)
        letters = "|".join(openpyxl.utils.get_column_letter(c) for c in (col, col + 1))
        live = re.compile(rf'<conditionalFormatting\b.*?</conditionalFormatting>|<c r="(?:{letters})\d+"[^>]*>.*?</c>|<cols>.*?</cols>')
        name = f"xl/worksheets/sheet{i}.xml"
        assert len(live.findall(before[name])) > 3
        assert live.findall(after[name]) == live.findall(before[name]), name
    dxfs = re.compile(r"<dxfs\b.*?</dxfs>")
    assert dxfs.findall(after["xl/styles.xml"]) == dxfs.findall(before["xl/styles.xml"]) != []
    assert CliRunner().invoke(cli, ["clear", str(work)]).exit_code == 0
    assert members(work) == before


def test_a_count_too_long_for_one_formula_is_split(soffice, tmp_path, monkeypatch):
    # a custom schema with many relations on one sheet: Excel refuses a formula of more than 8,192
    # characters, so the count is summed from parts in the hidden column
    monkeypatch.setattr(live, "MAX_FORMULA", 600)
    model = editions.edition("2021")
    path = _write(tmp_path / "long.xlsx", model, {**flatten(SAMPLE_2021), "requests.new.total": 25})
    ws = openpyxl.load_workbook(path)["依申请公开"]
    last = int(re.fullmatch(r"=SUM\(\$L\$7:\$L\$(\d+)\)", ws["L1"].value).group(1))
    assert last > 8 and all(len(ws.cell(r, 12).value) <= 601 for r in range(7, last + 1))
    values = openpyxl.load_workbook(convert(soffice, path, "xlsx", tmp_path / "out"), data_only=True)
    assert values["依申请公开"]["K2"].value == "✗ 本表有 2 处不一致"
    assert values["主动公开"]["E1"].value == "✗ 全部 3 张表共有 2 处不一致"


def test_read_by_labels_the_status_cells_are_no_table_cells(soffice, tmp_path):
    # without its defined names (tables copied into another workbook) a template is read by its
    # printed labels: the status texts and the counts LibreOffice calculated beside the captions
    # are not taken for rows or numbers of a table
    model = editions.edition("2021")
    wb = build_workbook(model, Options(year=2021, organ="测试机关"))
    fill(wb, model, {**flatten(SAMPLE_2021), "requests.new.total": 25, "appeals.reconsideration.total": 3})
    for name in list(wb.defined_names):
        del wb.defined_names[name]
    del wb["_xlcheck_meta"]
    wb.save(tmp_path / "copied.xlsx")
    calculated = convert(soffice, tmp_path / "copied.xlsx", "xlsx", tmp_path / "out")
    assert openpyxl.load_workbook(calculated, data_only=True)["依申请公开"]["L1"].value == 2
    doc = _verify(calculated, [])
    assert sorted((f["rule"], f["sheet"], f["cell"]) for f in doc["findings"]) == [
        ("appeals.total", "复议诉讼", "E6"), ("requests.balance", "依申请公开", "J30"), ("requests.row_total", "依申请公开", "J6")]
