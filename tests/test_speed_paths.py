"""The fast paths give what the slow ones gave: a LibreOffice-saved template keeps its defined
names (read from the .ods named ranges, so it is located as the template is), and cached or
precomputed reading gives the same cells and findings."""
from __future__ import annotations

import pytest

from conftest import convert
from helpers import SAMPLE_2021, write_filled
from xlcheck.check import check_file
from xlcheck.model import flatten
from xlcheck.sources.open import read_source


@pytest.fixture(scope="module")
def saved(soffice, tmp_path_factory):
    folder = tmp_path_factory.mktemp("saved")
    xlsx = write_filled(folder / "t.xlsx", SAMPLE_2021, changes={"requests.new.total": 99})
    return xlsx, convert(soffice, xlsx, "ods", folder)


def test_ods_saved_by_libreoffice_keeps_the_templates_names(saved):
    xlsx, ods = saved
    names = read_source(str(xlsx)).names
    assert names and read_source(str(ods)).names == names       # workbook-level, one cell each; no print areas


def test_ods_located_by_names_finds_what_the_xlsx_finds(saved):
    xlsx, ods = saved
    a, b = check_file(str(xlsx)), check_file(str(ods))
    assert [f.to_json() for f in a.findings] == [f.to_json() for f in b.findings] and a.findings
    assert a.places == b.places


def _by_hand(path, values):
    """All three tables on one sheet, as printed, no defined names."""
    import openpyxl
    from layouts import printed, to_sheet
    wb = openpyxl.Workbook()
    top = 2
    for caption, cells in printed("2021", values).values():
        top = to_sheet(wb.active, top, 2, caption, cells) + 2
    wb.save(path)
    return path


def test_label_located_workbook_normalises_each_label_once_per_process(tmp_path):
    from xlcheck.locate import normalise
    from xlcheck.model import editions, layout
    first = check_file(str(_by_hand(tmp_path / "a.xlsx", SAMPLE_2021)))
    assert first.status == "ok"
    before = normalise._norm_cached.cache_info()
    second = check_file(str(_by_hand(tmp_path / "b.xlsx", SAMPLE_2021)))
    assert second.status == "ok" and second.places == first.places
    after = normalise._norm_cached.cache_info()
    assert after.hits > before.hits and after.misses == before.misses       # every label seen before
    table = editions.edition("2021").tables[0]
    assert layout.layout_rows(table) is layout.layout_rows(table)           # placed once


def test_label_located_workbook_finds_what_the_template_finds(tmp_path):
    wrong = check_file(str(write_filled(tmp_path / "t.xlsx", SAMPLE_2021, changes={"requests.new.total": 99})))
    flat = flatten(SAMPLE_2021)
    flat["requests.new.total"] = 99
    hand = check_file(str(_by_hand(tmp_path / "h.xlsx", flat)))
    assert [(f.rule, f.point, f.severity) for f in hand.findings] == [(f.rule, f.point, f.severity) for f in wrong.findings]
    assert hand.findings


# ---------------------------------------------------------------- the compiled check

from hypothesis import HealthCheck, given, settings                     # noqa: E402
from hypothesis import strategies as st                                 # noqa: E402

from test_properties import consistent                                  # noqa: E402
from xlcheck.model import editions                                      # noqa: E402
from xlcheck.rules import compiled, registry                            # noqa: E402
from xlcheck.rules.relations import PREVIOUS                            # noqa: E402

ODD_VALUES = st.one_of(st.integers(-5, 40), st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.none(),
                       st.sampled_from(["", "12", "１２", "无", "x"]), st.just({}), st.just([1]))


@st.composite
def broken(draw, edition):
    """A consistent instance, then a few random changes: a cell's value, a cell or row or table
    removed, a property added, an object replaced, last year's report beside it."""
    inst = draw(consistent(edition))
    for _ in range(draw(st.integers(0, 3))):
        table = draw(st.sampled_from(sorted(inst)))
        rows = inst[table]
        if not isinstance(rows, dict) or not rows:
            continue
        row = draw(st.sampled_from(sorted(rows)))
        cells = rows[row]
        action = draw(st.sampled_from(["value", "value", "value", "shift", "drop_cell", "drop_row", "drop_table", "extra",
                                       "scalar_row", "previous"]))
        if action in ("value", "shift") and isinstance(cells, dict) and cells:
            column = draw(st.sampled_from(sorted(cells)))
            if action == "value":
                cells[column] = draw(ODD_VALUES)
            elif type(cells[column]) is int:
                cells[column] += draw(st.integers(-2, 2))
        elif action == "drop_cell" and isinstance(cells, dict) and cells:
            del cells[draw(st.sampled_from(sorted(cells)))]
        elif action == "drop_row":
            del rows[row]
        elif action == "drop_table":
            del inst[table]
        elif action == "extra":
            target = draw(st.sampled_from([inst, rows, cells if isinstance(cells, dict) else rows]))
            target[draw(st.sampled_from(["extra", "total", "new"]))] = draw(ODD_VALUES)
        elif action == "scalar_row":
            rows[row] = draw(ODD_VALUES)
        elif action == "previous":
            inst[PREVIOUS] = draw(consistent(edition))
    return inst


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), edition=st.sampled_from(["2019", "2021"]))
def test_compiled_check_is_sure_only_where_jsonschema_reports_nothing(data, edition):
    model = editions.edition(edition)
    inst = data.draw(broken(edition))
    errors = list(registry.validator_for(model.schema).iter_errors(inst))
    if compiled.surely_valid(model, inst):
        assert errors == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), edition=st.sampled_from(["2019", "2021"]))
def test_compiled_check_is_sure_of_consistent_tables(data, edition):
    model = editions.edition(edition)
    inst = data.draw(consistent(edition))
    assert compiled.surely_valid(model, inst)
    assert list(registry.validator_for(model.schema).iter_errors(inst)) == []


def test_compiled_check_knows_the_validators_keywords():
    assert set(registry.KEYWORDS) == set(compiled.KEYWORDS)


def test_compiled_check_gives_up_on_what_it_does_not_know():
    schema = {"type": "object", "properties": {"a": {"type": "integer", "multipleOf": 2}}}
    assert compiled.compile_schema(schema)({"a": 2}) is False


def test_checking_a_clean_template_imports_neither_jsonschema_nor_the_annotator(tmp_path):
    """What one file on the command line pays for: a template that passes the compiled check
    never needs jsonschema, and checking without marks never needs the annotator."""
    import subprocess
    import sys
    path = write_filled(tmp_path / "clean.xlsx", SAMPLE_2021)
    code = ("import sys\nfrom xlcheck.verify import Plan, verify_path\nfrom xlcheck.check import Options\n"
            f"r = verify_path({str(path)!r}, None, Options(), Plan(annotate=False))\n"
            "print(r.status, sorted(m for m in ('jsonschema', 'xlcheck.outputs.annotate') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["ok", "[]"], out.stdout + out.stderr
