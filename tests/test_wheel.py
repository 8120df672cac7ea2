"""The package as a user installs it: the wheel built from this checkout, installed into an empty
virtual environment, checks the bundled example from any folder (the schemas and templates ship
inside it; nothing is read from the checkout)."""
import os
import shutil
import subprocess
import sys
import venv
import zipfile

from conftest import ROOT

EXAMPLE = ROOT / "examples" / "yueqing-2021-with-errors.xlsx"


def test_the_built_wheel_installs_and_checks_the_example_from_any_folder(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
                   check=True, capture_output=True, timeout=600)
    (wheel,) = dist.glob("xlcheck-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "xlcheck/schemas/gov-info-2021.schema.json" in names and "xlcheck/templates/gov-info-2019.xlsx" in names
    assert not any(n.startswith(("tests/", "xlcheck/tests/")) for n in names)

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / ("Scripts" if os.name == "nt" else "bin") / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True, timeout=600)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    example = elsewhere / EXAMPLE.name
    shutil.copy(EXAMPLE, example)
    exe = env_dir / ("Scripts" if os.name == "nt" else "bin") / "xlcheck"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    out = subprocess.run([str(exe), "verify", example.name, "--no-annotate"], cwd=elsewhere, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 1, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == f"✗ {example.name}（乐清市人民政府办公室 2021年度）：2021 年版，2 个错误，2 个警告"
    assert lines[1] == "  → 最可能出错的是 依申请公开!J6：改为 26 可同时修复 2 处错误"
    where = subprocess.run([str(python), "-c", "import xlcheck.model as m; print(m.schemas_dir())"], cwd=elsewhere,
                           env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert where.startswith(str(env_dir))                 # the installed copy, not this checkout
    out = subprocess.run([str(exe), "template", "--year", "2024", "-o", "t.xlsx"], cwd=elsewhere, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and (elsewhere / "t.xlsx").exists(), out.stderr
