"""The diagnosis: the fewest cell changes that repair every broken identity."""
import copy
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import SAMPLE_2021, grid_of, write_filled, xlcheck
from test_properties import consistent
from xlcheck.model import editions as schemas
from xlcheck.check import check_grid
from xlcheck.check.diagnose import diagnose, equations_of, summary

SETTINGS = settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _set(inst, point, value):
    t, r, c = point.split(".")
    inst[t][r][c] = value


def _get(inst, point):
    t, r, c = point.split(".")
    return inst[t][r][c]


@SETTINGS
@given(data=st.data(), edition=st.sampled_from(["2019", "2021"]))
def test_every_single_wrong_cell_is_pinned_down(data, edition):
    model = schemas.edition(edition)
    inst = data.draw(consistent(edition))
    points = sorted({p for e in equations_of(model, inst) for p in e.coeffs})
    assert points
    for point in points:
        wrong = copy.deepcopy(inst)
        old = _get(inst, point)
        delta = data.draw(st.integers(-old, 25).filter(lambda d: d != 0), label=point)
        _set(wrong, point, old + delta)
        d = diagnose(model, wrong)
        assert d is not None and d.status == "found" and d.size == 1, point
        listed = {(r.changes[0].point, r.changes[0].proposed) for r in d.repairs}
        assert (point, old) in listed
        if point.startswith("requests."):
            assert listed == {(point, old)}                       # 表三 always tells cells apart
        else:
            group = [p for p in points if p.rsplit(".", 1)[0] == point.rsplit(".", 1)[0]]
            assert len(group) == 5
            plausible = set()
            for p in group:           # a change of −delta on a part, +delta on the total, where that stays ≥ 0
                sign = 1 if p.endswith(".total") == point.endswith(".total") else -1
                proposed = _get(wrong, p) - sign * delta
                if proposed >= 0:
                    plausible.add((p, proposed))
            assert listed == plausible


@SETTINGS
@given(data=st.data())
def test_two_wrong_cells_in_different_rows_and_columns_of_requests_are_both_found(data):
    model = schemas.edition("2021")
    inst = data.draw(consistent("2021"))
    table = model.table("requests")
    rows = [r.key for r in table.rows]
    cols = [c.key for c in table.columns]
    r1, r2 = data.draw(st.lists(st.sampled_from(rows), min_size=2, max_size=2, unique=True))
    c1, c2 = data.draw(st.lists(st.sampled_from(cols), min_size=2, max_size=2, unique=True))
    a, b = f"requests.{r1}.{c1}", f"requests.{r2}.{c2}"
    wrong = copy.deepcopy(inst)
    _set(wrong, a, _get(inst, a) + data.draw(st.integers(1, 9)))
    _set(wrong, b, _get(inst, b) + data.draw(st.integers(1, 9)))
    d = diagnose(model, wrong)
    assert d.status == "found" and d.size == 2
    pairs = [{(c.point, c.proposed) for c in r.changes} for r in d.repairs]
    assert {(a, _get(inst, a)), (b, _get(inst, b))} in pairs


@SETTINGS
@given(data=st.data(), edition=st.sampled_from(["2019", "2021"]))
def test_consistent_tables_give_no_diagnosis(data, edition):
    inst = data.draw(consistent(edition))
    assert diagnose(schemas.edition(edition), inst) is None
    assert check_grid(grid_of(inst, edition)).diagnosis is None


def test_too_many_errors_say_so():
    inst = copy.deepcopy(SAMPLE_2021)
    for point in ("requests.granted.natural_person", "requests.carried_over.commercial", "requests.unavailable_not_held.legal_services"):
        _set(inst, point, _get(inst, point) + 3)
    d = diagnose(schemas.edition("2021"), inst)
    assert d.status == "too_many" and d.repairs == []
    assert "无法确定" in summary(d)


def test_a_blank_is_the_stronger_suspect_and_the_wording_says_so(tmp_path):
    src = write_filled(tmp_path / "b.xlsx", SAMPLE_2021, changes={"requests.granted.natural_person": None})
    result = xlcheck("verify", str(src), "--format", "json")
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    d = doc["files"][0]["diagnosis"]
    assert d["status"] == "found" and d["size"] == 1
    (repair,) = d["repairs"]
    (change,) = repair["changes"]
    assert (change["point"], change["cell"], change["current"], change["proposed"], change["was"]) == (
        "requests.granted.natural_person", "D8", 0, 16, "blank")
    assert {f["point"] for f in repair["fixes"]} == {"requests.granted.total", "requests.results_total.natural_person"}
    text = xlcheck("verify", str(src), "--no-annotate").output
    assert "最可能出错的是 依申请公开!D8（原为空白，按 0 计算）：改为 16 可同时修复 2 处错误" in text.splitlines()[1]
    import openpyxl
    wb = openpyxl.load_workbook(doc["files"][0]["output"])
    assert wb["依申请公开"]["D8"].comment.text.startswith("[xlcheck] 可能填错（原为空白，按 0 计算）：应为 16")


def test_table_four_lists_all_five(tmp_path):
    src = write_filled(tmp_path / "a.xlsx", SAMPLE_2021, changes={"appeals.litigation_after_reconsideration.total": 4})
    doc = json.loads(xlcheck("verify", str(src), "--format", "json", "--no-annotate").stdout)
    d = doc["files"][0]["diagnosis"]
    assert sorted(r["changes"][0]["cell"] for r in d["repairs"]) == ["K6", "L6", "M6", "N6", "O6"]
