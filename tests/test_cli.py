"""The command line as a user meets it: entry points, help, and one-line Chinese errors."""
import subprocess
import sys

import pytest

from xlcheck import __version__
from xlcheck.cli import run


def _run(capsys, *argv):
    with pytest.raises(SystemExit) as exc:
        run(list(argv))
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


def test_version_and_help(capsys):
    code, out, _ = _run(capsys, "--version")
    assert code == 0 and out.strip() == f"xlcheck {__version__}"
    code, out, _ = _run(capsys, "--help")
    assert code == 0 and "verify" in out and "template" in out and "schemas" in out


def test_python_dash_m_and_console_script():
    out = subprocess.run([sys.executable, "-m", "xlcheck", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"xlcheck {__version__}"


def test_schemas_lists_editions_with_years(capsys):
    code, out, _ = _run(capsys, "schemas")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert lines[0].startswith("2019\t国办公开办函〔2019〕60号\t适用年度 2019–2020")
    assert lines[1].startswith("2021\t国办公开办函〔2021〕30号\t适用年度 2021 起")


@pytest.mark.parametrize("argv, words", [
    (["template", "--year", "2018"], "早于 2019 年"),
    (["template", "--edition", "2030"], "未知的格式版本"),
    (["template", "--year", "2024", "-o", "/nonexistent-dir/x.xlsx"], "输出目录不存在"),
    (["template", "--bogus"], "没有选项 --bogus"),
    (["template", "--year", "abc"], "的值无效"),
    (["verify"], "缺少参数"),
    (["frobnicate"], "用法错误"),
])
def test_bad_options_get_one_chinese_line_and_exit_2(capsys, argv, words):
    code, out, err = _run(capsys, *argv)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and words in err
    assert "Traceback" not in out + err


def test_invalid_custom_schema(capsys, tmp_path):
    bad = tmp_path / "bad.schema.json"
    bad.write_text('{"type": "object"}', encoding="utf-8")
    code, _, err = _run(capsys, "template", "--schema", str(bad), "-o", str(tmp_path / "x.xlsx"))
    assert code == 2 and "模式无效" in err and len(err.strip().splitlines()) == 1
    bad.write_text("{not json", encoding="utf-8")
    code, _, err = _run(capsys, "template", "--schema", str(bad), "-o", str(tmp_path / "x.xlsx"))
    assert code == 2 and "不是有效的 JSON" in err


def test_template_year_picks_the_edition(capsys, tmp_path):
    import openpyxl
    for year, edition in ((2020, "2019"), (2021, "2021"), (2024, "2021")):
        out = tmp_path / f"{year}.xlsx"
        code, stdout, _ = _run(capsys, "template", "--year", str(year), "--organ", "乐清市人民政府办公室", "-o", str(out))
        assert code == 0 and str(out) in stdout
        meta = {r[0]: r[1] for r in openpyxl.load_workbook(out)["_xlcheck_meta"].iter_rows(values_only=True)}
        assert meta["edition"] == edition and str(meta["report_year"]) == str(year)
    out = tmp_path / "explicit.xlsx"
    code, _, _ = _run(capsys, "template", "--year", "2024", "--edition", "2019", "-o", str(out))
    assert code == 0


def test_a_bug_fails_the_runner(tmp_path, monkeypatch):
    """A bug in a command — which `run` turns into one line 「内部错误…」 so the user never sees a
    traceback — fails the tests' runner, where click's CliRunner caught the exception and left
    `result.output` clean of any 'Traceback'."""
    from click.testing import CliRunner
    from helpers import xlcheck
    from xlcheck import cli as cli_module
    from xlcheck.outputs import template

    def broken(*args, **kwargs):
        raise RuntimeError("injected")
    monkeypatch.setattr(template, "write_template", broken)
    with pytest.raises(AssertionError, match="hit a bug: xlcheck：内部错误（RuntimeError: injected）"):
        xlcheck("template", "--year", "2024", "-o", tmp_path / "t.xlsx")
    swallowed = CliRunner().invoke(cli_module.cli, ["template", "--year", "2024", "-o", str(tmp_path / "t.xlsx")])
    assert isinstance(swallowed.exception, RuntimeError) and "Traceback" not in swallowed.output


def test_a_bug_in_one_file_of_a_batch_fails_the_runner(tmp_path, monkeypatch):
    """The batch reports a bug on its file as 「内部错误」 and goes on; the tests' runner still fails."""
    from helpers import SAMPLE_2021, write_filled, xlcheck
    from xlcheck.check import checker

    src = write_filled(tmp_path / "a.xlsx", SAMPLE_2021)

    def broken(*args, **kwargs):
        raise RuntimeError("injected")
    monkeypatch.setattr(checker, "locate", broken)
    with pytest.raises(AssertionError, match="内部错误（RuntimeError: injected）"):
        xlcheck("verify", src, "--no-annotate", "--jobs", "1")
