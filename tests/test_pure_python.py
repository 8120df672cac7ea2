"""The core without any compiled optional dependency, as inside Pyodide: python-calamine and
xlwings made unimportable in a fresh interpreter, the same files give the same findings; the
Excel commands say how to install xlwings; installing the core asks for no compiled wheel."""
from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import requires
from pathlib import Path

import pytest

from helpers import write_filled

ROOT = Path(__file__).resolve().parents[1]
OPTIONAL = ("python_calamine", "xlwings")
GUARD = "import sys\n" + "".join(f"sys.modules[{m!r}] = None\n" for m in OPTIONAL)


def run_cli(args, without_optional: bool):
    code = (GUARD if without_optional else "import sys\n") + (
        "from xlcheck.cli import run\n"
        "run(sys.argv[1:])\n")
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)


def findings(doc: dict) -> list:
    return [(f["path"] if "path" in f else None, f["status"], f["findings"], f.get("diagnosis"))
            for f in doc["files"]]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pure")
    from conftest import REPORTS
    from helpers import SAMPLE_2021
    template = write_filled(folder / "template.xlsx", SAMPLE_2021)
    return [ROOT / "examples" / "yueqing-2021.xlsx", ROOT / "examples" / "yueqing-2021-with-errors.xlsx", template,
            REPORTS / "yueqing-2021-report.txt"]


def test_core_runs_without_calamine_and_xlwings_and_finds_the_same(inputs):
    with_all = run_cli(["verify", *inputs, "--no-annotate", "--format", "json", "--jobs", "1"], without_optional=False)
    without = run_cli(["verify", *inputs, "--no-annotate", "--format", "json", "--jobs", "1"], without_optional=True)
    assert without.returncode == with_all.returncode == 1, without.stderr
    assert "Traceback" not in without.stderr
    a, b = json.loads(with_all.stdout), json.loads(without.stdout)
    assert len(b["files"]) == len(inputs) and all(f["status"] != "error" for f in b["files"])
    assert findings(a) == findings(b)


def test_the_guard_really_hides_the_optional_modules():
    out = subprocess.run([sys.executable, "-c", GUARD + "\n".join(
        f"try:\n    import {m}\nexcept ImportError:\n    print('missing', {m!r})" for m in OPTIONAL)],
        capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == [f"missing {m}" for m in OPTIONAL]


@pytest.mark.parametrize("args", [["addin", "build", "-o", "{tmp}"]])
def test_addin_without_xlwings_says_how_to_install_it(args, tmp_path):
    ran = run_cli([a.format(tmp=tmp_path) for a in args], without_optional=True)
    assert ran.returncode == 2
    assert ran.stderr.strip().count("\n") == 0 and "pip install 'xlcheck[excel]'" in ran.stderr, ran.stderr
    assert not (tmp_path / "xlcheck.xlam").exists()


def test_the_button_entry_without_xlwings_says_how_to_install_it():
    ran = subprocess.run([sys.executable, "-c", GUARD + "from xlcheck.excel import main\nmain()"],
                         capture_output=True, text=True, timeout=120)
    assert ran.returncode == 2 and "Traceback" not in ran.stderr
    assert ran.stderr.strip().count("\n") == 0 and "pip install 'xlcheck[excel]'" in ran.stderr, ran.stderr


def test_installing_the_core_pulls_no_compiled_optional_package():
    core = [r for r in requires("xlcheck") if "extra ==" not in r]
    names = {r.split(">")[0].split("=")[0].split("[")[0].strip().lower() for r in core}
    assert not names & {"xlwings", "python-calamine", "pdfplumber", "python-docx"}, names
    assert any(r.startswith("xlwings") and "extra == 'excel'" in r for r in requires("xlcheck"))
