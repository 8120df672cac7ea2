"""Test data: the numbers of the sample report (tests/data/reports), building filled workbooks,
and running the command line through its real entry point."""
import io
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from xlcheck.model import editions as schemas
from xlcheck.model import flatten
from xlcheck.outputs.template import Options, build_workbook, fill, workbook_bytes

REQ_COLS = ["natural_person", "commercial", "research", "social_welfare", "legal_services", "other_org", "total"]


def _row(*values):
    return dict(zip(REQ_COLS, values))


ZERO = _row(0, 0, 0, 0, 0, 0, 0)

# 乐清市人民政府办公室 2021 (tests/data/reports/yueqing-2021-report.txt), read by a person
SAMPLE_2021 = {
    "active": {
        "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
        "normative_documents": {"issued": 17, "repealed": 198, "in_force": 275},
        "licensing": {"decisions": 0}, "penalties": {"decisions": 0}, "coercive_measures": {"decisions": 0},
        "fees": {"amount": 0},
    },
    "requests": {
        "new": _row(20, 6, 0, 0, 0, 0, 26),
        "carried_over": _row(5, 0, 0, 0, 0, 0, 5),
        "granted": _row(16, 1, 0, 0, 0, 0, 17),
        "partially_granted": _row(3, 0, 0, 0, 0, 0, 3),
        **{k: dict(ZERO) for k in ["withheld_state_secret", "withheld_prohibited_by_law", "withheld_three_safeties",
                                   "withheld_third_party", "withheld_internal_affairs", "withheld_deliberative",
                                   "withheld_enforcement_files", "withheld_inquiry"]},
        "unavailable_not_held": _row(5, 4, 0, 0, 0, 0, 9),
        "unavailable_needs_creation": dict(ZERO), "unavailable_unclear": dict(ZERO),
        **{k: dict(ZERO) for k in ["rejected_petition", "rejected_duplicate", "rejected_publication",
                                   "rejected_excessive", "rejected_confirmation",
                                   "other_no_correction", "other_unpaid_fee", "other_misc"]},
        "results_total": _row(24, 5, 0, 0, 0, 0, 29),
        "carried_forward": _row(1, 1, 0, 0, 0, 0, 2),
    },
    "appeals": {
        "reconsideration": {"upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 1},
        "litigation_direct": {"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0},
        "litigation_after_reconsideration": {"upheld": 3, "corrected": 0, "other": 0, "pending": 0, "total": 3},
    },
}


def zero_instance(edition: str) -> dict:
    model = schemas.edition(edition)
    return {t.key: {r.key: {c.key: 0 for c in r.columns} for r in t.rows} for t in model.tables}


def write_filled(path: Path, values: dict, edition: str = "2021", year: int = 2021, organ: str = "乐清市人民政府办公室",
                 changes: dict | None = None, formulas: bool = False) -> Path:
    """A template of `edition` filled with `values` (an instance or a flat dict), then `changes` applied."""
    model = schemas.edition(edition)
    flat = flatten(values) if values and isinstance(next(iter(values.values())), dict) else dict(values)
    flat.update(changes or {})
    wb = build_workbook(model, Options(year=year, organ=organ, formulas=formulas))
    if formulas:      # keep the template's SUM formulas in the total cells
        from xlcheck.model.workbook import cell_positions
        pos = cell_positions(model)
        flat = {k: v for k, v in flat.items() if not str(wb[pos[k][0]].cell(pos[k][1], pos[k][2]).value or "").startswith("=")}
        flat.update(changes or {})
    fill(wb, model, flat)
    path.write_bytes(workbook_bytes(wb))
    return path


def grid_of(values: dict, edition: str = "2021"):
    """An in-memory Grid laid out as the template (defined names included), without a file."""
    from xlcheck.grid import Cell, Grid, Sheet
    from xlcheck.model.workbook import cell_positions

    model = schemas.edition(edition)
    flat = flatten(values) if values and isinstance(next(iter(values.values())), dict) else dict(values)
    grid = Grid(path="<memory>", format="xlsx")
    sheets = {}
    for point_id, (sheet, row, col) in cell_positions(model).items():
        ws = sheets.get(sheet)
        if ws is None:
            ws = sheets[sheet] = Sheet(sheet)
            grid.sheets.append(ws)
        ws.cells[(row, col)] = Cell(flat.get(point_id))
        grid.names[point_id] = (sheet, row, col)
    return grid


@dataclass
class Ran:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


INTERNAL = "内部错误"       # how xlcheck words a bug it caught, on one line, instead of a traceback


def xlcheck(*args) -> Ran:
    """Run `xlcheck ARGS` through what the console script runs (`xlcheck.cli.run`, with its exit
    codes and one-line errors; `main` adds only the collector's settings of a process of its own),
    in this process. A bug fails the test: an exception that
    escapes is not caught, and one that xlcheck caught and reported as 「内部错误」 (the last
    catch of `run`, or a batch's per-file guard) raises here."""
    from xlcheck.cli import run
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            run([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code
        else:
            raise AssertionError("xlcheck.cli.run returned without an exit code")
    ran = Ran(code if isinstance(code, int) else (0 if code is None else 2), out.getvalue(), err.getvalue())
    if INTERNAL in ran.output:
        raise AssertionError(f"xlcheck {' '.join(map(str, args))} hit a bug: {ran.output.strip()[-2000:]}")
    return ran
