"""Building hostile inputs from the bundled example: a workbook of the sample's numbers with one
member rewritten, a cell replaced, a file name no terminal should see raw."""
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from helpers import SAMPLE_2021, write_filled

ACTIVE = "xl/worksheets/sheet1.xml"          # 主动公开; B6 is 行政规范性文件 · 本年制发件数 (17)
ISSUED = re.compile(r'<c r="B6"([^>]*?)(?: t="n")?><v>17</v></c>')


def rewrite(src: Path, dst: Path, member: str, change) -> Path:
    """A copy of the package `src` with `member` (text) passed through `change`."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == member:
                data = change(data.decode("utf-8")).encode("utf-8")
            zout.writestr(info, data)
    return dst


def sample(path: Path) -> Path:
    return write_filled(path, SAMPLE_2021)


def with_issued(path: Path, value: str | None = None, text: str | None = None) -> Path:
    """The sample with 主动公开!B6 holding the raw `<v>` `value`, or the inline string `text`
    (written with Excel's _xHHHH_ escapes as given)."""
    base = sample(path.with_name(path.stem + ".base.xlsx"))

    def change(xml):
        cell = (f'<c r="B6"\\1><v>{value}</v></c>' if value is not None
                else f'<c r="B6"\\1 t="inlineStr"><is><t>{text}</t></is></c>')
        out, n = ISSUED.subn(cell, xml, count=1)
        assert n == 1
        return out
    rewrite(base, path, ACTIVE, change)
    base.unlink()
    return path


def xlcheck(*args, cwd=None, timeout=300):
    """The console script in a subprocess: (exit code, stdout bytes, stderr bytes)."""
    r = subprocess.run([sys.executable, "-m", "xlcheck", *map(str, args)], capture_output=True, cwd=cwd, timeout=timeout)
    return r.returncode, r.stdout, r.stderr


def raw_control(data: bytes) -> bool:
    """Whether terminal output holds a control character other than newline (ESC, BEL, CSI, ...)."""
    text = data.decode("utf-8")            # also fails on anything that is not UTF-8
    return any((ord(ch) < 32 and ch != "\n") or 0x7F <= ord(ch) <= 0x9F for ch in text)
