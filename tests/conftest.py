import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
REPORTS = DATA / "reports"                      # published reports (see tests/data/README.md)
SAMPLE = REPORTS / "yueqing-2021-report.txt"


@pytest.fixture(scope="session")
def soffice():
    """LibreOffice headless, or a visible skip where it is not installed."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        pytest.skip("LibreOffice (soffice) is not installed: `apt-get install libreoffice-calc` to run this test")
    return exe


def convert(soffice, path: Path, fmt: str, outdir: Path) -> Path:
    profile = outdir / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt,
                    "--outdir", str(outdir), str(path)], check=True, capture_output=True, timeout=180)
    out = outdir / (path.stem + "." + fmt.split(":")[0])
    assert out.exists(), f"LibreOffice did not write {out}"
    return out
