"""Property tests: random consistent tables verify clean, and every single-cell change that
breaks an identity is caught, on the total cell of exactly the identities it takes part in."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import grid_of, zero_instance
from xlcheck.model import editions as schemas
from xlcheck.check import check_grid
from xlcheck.rules.registry import relations
from xlcheck.rules.relations import Equation
from xlcheck.grid import address
from xlcheck.model.workbook import cell_positions

APPLICANTS = ["natural_person", "commercial", "research", "social_welfare", "legal_services", "other_org"]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def consistent(draw, edition="2021"):
    model = schemas.edition(edition)
    inst = zero_instance(edition)
    req = inst["requests"]
    keys = [r.key for r in model.table("requests").rows]
    results = keys[keys.index("granted"): keys.index("results_total")]
    small = st.integers(0, 30)
    for r in results:
        for c in APPLICANTS:
            req[r][c] = draw(small)
    for c in APPLICANTS:
        req["results_total"][c] = sum(req[r][c] for r in results)
        req["carried_forward"][c] = draw(st.integers(0, 10))
        both = req["results_total"][c] + req["carried_forward"][c]
        req["carried_over"][c] = draw(st.integers(0, both))
        req["new"][c] = both - req["carried_over"][c]
    for r in keys:
        req[r]["total"] = sum(req[r][c] for c in APPLICANTS)
    for row in inst["appeals"].values():
        for c in ("upheld", "corrected", "other", "pending"):
            row[c] = draw(small)
        row["total"] = row["upheld"] + row["corrected"] + row["other"] + row["pending"]
    for key, row in inst["active"].items():
        for c in row:
            row[c] = draw(small)
        if "in_force" in row:
            row["in_force"] = row["issued"] + draw(small)
        if "total_published" in row:
            row["total_published"] = row["newly_published"] + draw(small)
    return inst


@SETTINGS
@given(data=st.data(), edition=st.sampled_from(["2019", "2021"]))
def test_random_consistent_tables_verify_clean(data, edition):
    inst = data.draw(consistent(edition))
    result = check_grid(grid_of(inst, edition))
    assert result.findings == []
    assert result.status == "ok"


@SETTINGS
@given(data=st.data(), edition=st.sampled_from(["2019", "2021"]))
def test_a_single_changed_cell_is_caught_on_the_totals_of_its_identities(data, edition):
    model = schemas.edition(edition)
    inst = data.draw(consistent(edition))
    equations = [(rel, base) for rel, base in relations(model, inst) if isinstance(rel, Equation)]
    in_some = sorted({".".join(base + p) for rel, base in equations for p in rel.left + rel.right})
    point = data.draw(st.sampled_from(in_some))
    t, r, c = point.split(".")
    old = inst[t][r][c]
    delta = data.draw(st.integers(-old, 40).filter(lambda d: d != 0))
    inst[t][r][c] = old + delta
    positions = cell_positions(model)

    def cell(pid):
        sheet, row, col = positions[pid]
        return sheet, address(row, col)

    expected = set()
    for rel, base in equations:
        members = {".".join(base + p) for p in rel.left + rel.right}
        if point in members:
            expected.add((rel.rule, cell(".".join(base + rel.target))))
    result = check_grid(grid_of(inst, edition))
    errors = {(f.rule, (f.sheet, f.cell)) for f in result.findings if f.severity == "error"}
    assert errors == expected
    changed = cell(point)
    for f in result.findings:
        if f.severity == "error":
            assert changed in {(f.sheet, f.cell)} | {(o.sheet, o.cell) for o in f.operands}
