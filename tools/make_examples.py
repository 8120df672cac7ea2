"""Regenerate the example workbooks in examples/ from examples/yueqing-2021.json (the numbers of
the published 乐清市人民政府办公室 2021 report): one clean, one with typical mistakes."""
import json
from pathlib import Path

from xlcheck.model import editions as schemas
from xlcheck.model import flatten
from xlcheck.outputs.template import Options, build_workbook, fill, workbook_bytes

HERE = Path(__file__).resolve().parents[1] / "examples"
data = json.loads((HERE / "yueqing-2021.json").read_text(encoding="utf-8"))
model = schemas.edition(data["edition"])
opts = Options(year=data["year"], organ=data["organ"])
MISTAKES = {
    "requests.new.total": 25,                              # a wrong total: 20 + 6 is 26
    "appeals.litigation_after_reconsideration.total": "３",  # full-width digit
    "active.fees.amount": "/",                             # a placeholder where 0 belongs
}
for name, changes in (("yueqing-2021.xlsx", {}), ("yueqing-2021-with-errors.xlsx", MISTAKES)):
    wb = build_workbook(model, opts)
    fill(wb, model, {**flatten(data["values"]), **changes})
    (HERE / name).write_bytes(workbook_bytes(wb))
    print("wrote", HERE / name)
