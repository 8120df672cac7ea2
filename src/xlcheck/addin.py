"""The desktop add-in: `xlcheck.xlam`, built from the ribbon add-in template that ships inside
the installed xlwings package, and its installation.

The template's ribbon callback runs ``RunPython "import <file stem>; <file stem>.main()"``, so a
file named ``xlcheck.xlam`` calls ``xlcheck.main()``. Only ``customUI/customUI.xml`` is changed
(the Chinese tab, group and button labels); every other member, the VBA project above all, is
copied byte for byte (the VBA cannot be edited outside Excel).
"""
from __future__ import annotations

import io
import os
import sys
import zipfile
from pathlib import Path

from .errors import InputError
from .fileio import atomic_write_bytes

ADDIN_NAME = "xlcheck.xlam"
TEMPLATE = "quickstart_addin_ribbon.xlam"
CUSTOM_UI = "customUI/customUI.xml"
CONFIG_NAME = "myaddin"         # the template's VBA reads its settings under this project name
LABELS = {
    'label="MyAddin"': 'label="政务公开校验"',
    'label="My Group"': 'label="统计表校验"',
    'label="Run"': 'label="校验当前工作簿"',
}
SCREENTIP = 'screentip="检查三张统计表的每个数字，并在出错的单元格上加批注"'


def template_path() -> Path:
    from .excel import import_xlwings   # deferred: start-up time (xlwings is the optional extra `excel`)
    xlwings = import_xlwings()
    path = Path(xlwings.__file__).parent / TEMPLATE
    if not path.exists():
        raise InputError(f"找不到 xlwings 的加载项模板 {TEMPLATE}（xlwings {xlwings.__version__}）")
    return path


def patch_custom_ui(xml: bytes) -> bytes:
    text = xml.decode("utf-8")
    for old, new in LABELS.items():
        if old not in text:
            raise InputError(f"xlwings 的加载项模板与预期不同：customUI.xml 中没有 {old}")
        text = text.replace(old, new)
    text = text.replace('onAction="RibbonMyAddin.RunMain"', f'{SCREENTIP} onAction="RibbonMyAddin.RunMain"')
    if not text.startswith("<?xml"):
        text = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n' + text
    return text.encode("utf-8")


def build(out_dir: str | Path) -> Path:
    """Write xlcheck.xlam into `out_dir`; returns its path."""

    out_dir = Path(out_dir)
    if not out_dir.exists():
        out_dir.mkdir(parents=True)
    if not out_dir.is_dir():
        raise InputError(f"{out_dir}：不是目录")
    buf = io.BytesIO()
    with zipfile.ZipFile(template_path()) as src, zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == CUSTOM_UI:
                data = patch_custom_ui(data)
            dst.writestr(info, data, compress_type=info.compress_type)
    return atomic_write_bytes(out_dir / ADDIN_NAME, buf.getvalue())


def startup_dir() -> Path:
    """Where Excel loads add-ins at start-up (the user's XLSTART folder)."""
    try:                                   # ask Excel itself when it is there
        from xlwings.cli import get_addin_dir     # deferred: optional, and only where Excel is
        return Path(get_addin_dir())
    except Exception:
        pass
    if sys.platform.startswith("win"):
        return Path(os.environ["APPDATA"]) / "Microsoft" / "Excel" / "XLSTART"
    return Path.home() / "Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel"


def config_path() -> Path:
    """The user config file the add-in's VBA reads (after a `myaddin.conf` sheet and a file next
    to the workbook)."""
    if sys.platform.startswith("win"):
        return Path(os.environ.get("USERPROFILE", str(Path.home()))) / f".{CONFIG_NAME}" / f"{CONFIG_NAME}.conf"
    return Path.home() / "Library/Containers/com.microsoft.Excel/Data" / f"{CONFIG_NAME}.conf"


def config_text(interpreter: str) -> str:
    key = "INTERPRETER_WIN" if sys.platform.startswith("win") else "INTERPRETER_MAC"
    return f'"{key}","{interpreter}"\n"ADD_WORKBOOK_TO_PYTHONPATH","false"\n'


def install() -> tuple[Path, Path]:
    if not (sys.platform.startswith("win") or sys.platform == "darwin"):
        raise InputError("这台机器上没有 Excel（只有 Windows 和 macOS 上的 Excel 能加载 xlcheck.xlam）；"
                         "可用 xlcheck addin build -o 目录 生成加载项，再拷到装有 Excel 的电脑上安装")
    target_dir = startup_dir()
    target_dir.mkdir(parents=True, exist_ok=True)
    addin = build(target_dir)
    conf = config_path()
    conf.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(conf, config_text(sys.executable).encode("utf-8"))
    return addin, conf
