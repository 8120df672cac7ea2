"""The blank template, read back with openpyxl (never trusting the writer)."""
import json
import zipfile

import openpyxl
import pytest

from conftest import convert
from helpers import xlcheck
from xlcheck.model import editions as schemas
from xlcheck.model.layout import place
from xlcheck.model.workbook import META_SHEET, TITLE_ROWS
from xlcheck.outputs.template import Options, build_workbook, workbook_bytes, write_template

EDITIONS = ["2019", "2021"]


@pytest.fixture(scope="module", params=EDITIONS)
def generated(request, tmp_path_factory):
    model = schemas.edition(request.param)
    path = tmp_path_factory.mktemp("tpl") / f"t{request.param}.xlsx"
    write_template(model, path, Options(year=2024 if request.param == "2021" else 2020, organ="乐清市人民政府办公室"))
    return model, path, openpyxl.load_workbook(path)


def _resolve(wb, name):
    dn = wb.defined_names[name]
    (sheet, ref), = list(dn.destinations)
    return wb[sheet][ref.replace("$", "")]


def test_every_label_in_its_place(generated):
    model, _, wb = generated
    for table in model.tables:
        ws = wb[table.sheet]
        assert ws.cell(2, 1).value == table.label
        texts = set()
        for p in place(table):
            cell = ws.cell(TITLE_ROWS + 1 + p.row, 1 + p.col)
            if p.kind != "point":
                assert cell.value == p.text
                texts.add(p.text)
        assert {r.label for r in table.rows} <= texts
        assert {c.label for c in table.columns} <= texts
        assert set(table.groups.values()) <= texts
        if table.note:
            assert table.note in texts


def test_title_names_organ_and_year(generated):
    model, _, wb = generated
    title = wb[model.tables[0].sheet].cell(1, 1).value
    assert title.startswith("乐清市人民政府办公室") and "年政府信息公开工作年度报告" in title


def test_merged_headers_as_printed(generated):
    model, _, wb = generated
    ws = wb[model.table("requests").sheet]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "A3:C5" in merged          # the 勾稽 note over three header rows
    assert "D3:J3" in merged          # 申请人情况
    assert "E4:I4" in merged          # 法人或其他组织
    assert ws["A8"].value == "三、本年度办理结果"
    assert any(r.startswith("A8:A") for r in merged)


def test_every_data_point_has_one_name_to_an_unlocked_validated_cell(generated):
    model, _, wb = generated
    names = [n for n in wb.defined_names if not n.startswith("_xlnm")]
    assert sorted(names) == sorted(p.id for p in model.points)
    validated = {}
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                for row in ws[rng.coord] if ":" in rng.coord else [[ws[rng.coord]]]:
                    for c in row:
                        validated[(ws.title, c.coordinate)] = dv
    seen = set()
    for point in model.points:
        cell = _resolve(wb, point.id)
        key = (cell.parent.title, cell.coordinate)
        assert key not in seen
        seen.add(key)
        assert cell.protection.locked is False
        dv = validated[key]
        assert dv.prompt and dv.showInputMessage
        if point.type.key == "count":
            assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "0")
        elif point.type.key == "amount":
            assert (dv.type, dv.operator, dv.formula1) == ("decimal", "greaterThanOrEqual", "0")
        else:
            assert dv.type == "whole" and dv.operator == "between"
        assert cell.value is None


def test_protection_print_setup_and_freeze(generated):
    model, _, wb = generated
    for table in model.tables:
        ws = wb[table.sheet]
        assert ws.protection.sheet is True and not ws.protection.password
        assert int(ws.page_setup.paperSize) == 9   # A4
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_area
        # label cells stay locked
        assert ws.cell(2, 1).protection.locked is True
    assert wb[model.table("requests").sheet].freeze_panes == "A6"


def test_hidden_meta_sheet_records_the_schema(generated):
    model, _, wb = generated
    ws = wb[META_SHEET]
    assert ws.sheet_state == "hidden"
    meta = {r[0]: r[1] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert meta["edition"] == model.edition
    assert meta["schema_sha256"] == model.sha256
    assert meta["schema_id"] == model.id
    assert schemas.by_hash(meta["schema_sha256"]) is model


def test_formulas_option_makes_totals_sums(tmp_path):
    model = schemas.edition("2021")
    path = write_template(model, tmp_path / "f.xlsx", Options(year=2024, formulas=True))
    wb = openpyxl.load_workbook(path)
    assert _resolve(wb, "requests.new.total").value == "=SUM(D6:I6)"
    assert _resolve(wb, "requests.results_total.natural_person").value == "=SUM(D8:D28)"
    assert _resolve(wb, "appeals.reconsideration.total").value == "=SUM(A6:D6)"
    assert _resolve(wb, "requests.carried_forward.natural_person").value is None     # balance item stays input
    plain = openpyxl.load_workbook(write_template(model, tmp_path / "p.xlsx", Options(year=2024)))
    assert _resolve(plain, "requests.new.total").value is None


@pytest.mark.parametrize("edition", EDITIONS)
def test_deterministic_bytes(edition, tmp_path):
    model = schemas.edition(edition)
    a = write_template(model, tmp_path / "a.xlsx", Options(year=2024, organ="某机关")).read_bytes()
    b = write_template(model, tmp_path / "b.xlsx", Options(year=2024, organ="某机关")).read_bytes()
    assert a == b


@pytest.mark.parametrize("edition", EDITIONS)
def test_shipped_templates_are_up_to_date(edition):
    # compared member by member in canonical XML: openpyxl serialises slightly differently with and
    # without lxml installed, so the bytes of a fresh file depend on the environment, not the schema
    import io
    from xml.etree.ElementTree import canonicalize
    shipped = zipfile.ZipFile(schemas.templates_dir() / f"gov-info-{edition}.xlsx")
    fresh = zipfile.ZipFile(io.BytesIO(workbook_bytes(build_workbook(schemas.edition(edition), Options()))))
    assert shipped.namelist() == fresh.namelist()
    for name in fresh.namelist():
        a, b = shipped.read(name), fresh.read(name)
        if name.endswith((".xml", ".rels")):
            a, b = canonicalize(a.decode("utf-8")), canonicalize(b.decode("utf-8"))
        assert a == b, f"templates/ is out of date ({name}): run `python tools/update_templates.py`"


INVENTED = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "urn:test:fruit",
    "x-edition": "fruit-1", "x-years": {"first": 2030},
    "x-rules": {"fruit.total": {"severity": "error", "title": {"zh": "合计等于各项之和"}}},
    "type": "object",
    "properties": {
        "fruit": {
            "type": "object", "x-label": "一、水果情况", "x-sheet": "水果",
            "properties": {
                "apples": {"$ref": "#/$defs/row", "x-label": "苹果"},
                "pears": {"$ref": "#/$defs/row", "x-label": "梨"},
                "total": {"$ref": "#/$defs/row", "x-label": "合计"},
            },
            "x-sum": [{"rule": "fruit.total", "total": "total", "parts": ["apples", "pears"], "each": "*"}],
            "x-layout": {"widths": [12, 10, 10], "rows": [
                [{"text": "品种", "role": "header"}, {"column": "spring", "role": "header"}, {"column": "autumn", "role": "header"}],
                [{"row": "apples"}, {"point": "apples.spring"}, {"point": "apples.autumn"}],
                [{"row": "pears"}, {"point": "pears.spring"}, {"point": "pears.autumn"}],
                [{"row": "total"}, {"point": "total.spring"}, {"point": "total.autumn"}],
            ]},
        }
    },
    "$defs": {
        "n": {"type": "integer", "minimum": 0, "x-type": "count"},
        "row": {"type": "object", "properties": {"spring": {"$ref": "#/$defs/n", "x-label": "春季"},
                                                 "autumn": {"$ref": "#/$defs/n", "x-label": "秋季"}}},
    },
}


def test_a_made_up_schema_drives_the_template(tmp_path):
    schema_file = tmp_path / "fruit.schema.json"
    schema_file.write_text(json.dumps(INVENTED, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "fruit.xlsx"
    result = xlcheck("template", "--schema", str(schema_file), "--year", "2030", "--formulas", "-o", str(out))
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["水果", META_SHEET]
    ws = wb["水果"]
    assert [[c.value for c in row] for row in ws["A3:C6"]] == [
        ["品种", "春季", "秋季"], ["苹果", None, None], ["梨", None, None], ["合计", "=SUM(B4:B5)", "=SUM(C4:C5)"]]
    assert sorted(n for n in wb.defined_names if not n.startswith("_xlnm")) == sorted(
        f"fruit.{r}.{c}" for r in ("apples", "pears", "total") for c in ("spring", "autumn"))
    assert _resolve(wb, "fruit.pears.autumn").coordinate == "C5"


def test_libreoffice_opens_the_template(soffice, tmp_path):
    path = write_template(schemas.edition("2021"), tmp_path / "t.xlsx", Options(year=2024, organ="测试机关", formulas=True))
    pdf = convert(soffice, path, "pdf", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5000
    ods = convert(soffice, path, "ods", tmp_path)
    content = zipfile.ZipFile(ods).read("content.xml").decode("utf-8")
    assert 'table:name="requests.new.natural_person"' in content
    assert "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）" in content
