"""Regenerate templates/ from schemas/ (run after changing a schema; a test fails until you do)."""
from xlcheck.model import editions as schemas
from xlcheck.outputs.template import Options, build_workbook, workbook_bytes

for model in schemas.shipped().values():
    path = schemas.templates_dir() / f"gov-info-{model.edition}.xlsx"
    path.write_bytes(workbook_bytes(build_workbook(model, Options())))
    print("wrote", path)
