"""Regenerate docs/live-check.png: the 表三 sheet of a template filled with the sample numbers
and one wrong total (依申请公开 J6 = 100 next to parts that sum to 26), as LibreOffice Calc
calculates and draws it — the live checks' red cells and the status beside the caption.

Needs LibreOffice (`soffice`) and pypdfium2 with Pillow (installed with `xlcheck[pdf]`)."""
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pypdfium2
from openpyxl.utils import get_column_letter
from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from helpers import SAMPLE_2021  # noqa: E402  (the published numbers of tests/data/reports)

from xlcheck.model import editions, flatten  # noqa: E402
from xlcheck.outputs.live import status_column  # noqa: E402
from xlcheck.outputs.template import Options, build_workbook, fill, workbook_bytes  # noqa: E402

model = editions.edition("2021")
sheet = model.table("requests").sheet
wb = build_workbook(model, Options(year=2024, organ="某县人民政府办公室"))
fill(wb, model, {**flatten(SAMPLE_2021), "requests.new.total": 100})
# the status column printed too
wb[sheet].print_area = f"A1:{get_column_letter(status_column(model, sheet))}{wb[sheet].max_row}"

with tempfile.TemporaryDirectory() as tmp:
    book = Path(tmp) / "live-check.xlsx"
    book.write_bytes(workbook_bytes(wb))
    subprocess.run([shutil.which("soffice"), f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                    "--convert-to", "pdf", "--outdir", tmp, str(book)], check=True, capture_output=True, timeout=180)
    pdf = pypdfium2.PdfDocument(str(book.with_suffix(".pdf")))
    found = next(p for p in pdf if model.table("requests").label in p.get_textpage().get_text_range())
    page = found.render(scale=2.4).to_pil().convert("RGB")
box = ImageOps.invert(page.convert("L")).getbbox()
shot = page.crop((box[0] - 8, box[1] - 8, box[2] + 8, box[3] + 8)).quantize(colors=32)
out = ROOT / "docs" / "live-check.png"
shot.save(out, optimize=True)
print("wrote", out, shot.size, out.stat().st_size, "bytes")
