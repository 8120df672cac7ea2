"""Issue 14, item 2: one error path everywhere. Whatever a file holds — numbers no float can hold,
lone surrogates, control characters, terminal escapes, a file name that is not UTF-8 — every command
answers with findings or one line naming the file, valid JSON, and nothing raw on the terminal."""
import csv
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from helpers import SAMPLE_2021, write_filled
from hostile import raw_control, sample, with_issued, xlcheck
from xlcheck.findings import MAX_CELL, Finding
from xlcheck.outputs.annotate import annotate_bytes


def comment_text(path: Path, ref: str) -> str:
    with zipfile.ZipFile(path) as z:
        [part] = [n for n in z.namelist() if n.startswith("xl/comments/")]
        root = ElementTree.fromstring(z.read(part))
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    [c] = [c for c in root.iter(ns + "comment") if c.get("ref") == ref]
    return "".join(t.text or "" for t in c.iter(ns + "t"))


def strict_json(data: bytes):
    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")
    return json.loads(data.decode("utf-8"), parse_constant=refuse)


@pytest.mark.parametrize("raw, shown", [("9" * 400, "inf"), ("inf", "inf"), ("1e400", "inf"), ("nan", "nan"),
                                        ("-1e400", "-inf")])
def test_numbers_no_float_holds_are_a_type_error_in_valid_json(tmp_path, raw, shown):
    path = with_issued(tmp_path / "n.xlsx", value=raw)
    code, out, err = xlcheck("verify", path, "--format", "json", "--no-annotate")
    assert code == 1 and err == b""
    doc = strict_json(out)
    findings = doc["files"][0]["findings"]
    assert [(f["rule"], f["cell"], f["found"]) for f in findings] == [("cell.type", "B6", shown)]
    assert findings[0]["message"] == f"二、主动公开政府信息情况 › 行政规范性文件 › 本年制发件数：应为大于或等于 0 的整数，实际为「{shown}」"
    code, out, err = xlcheck("verify", path)                     # and the annotated copy
    assert code == 1 and err == b""
    comment = comment_text(tmp_path / "n.checked.xlsx", "B6")       # openpyxl cannot read <v>inf</v> at all
    assert comment.startswith("[xlcheck] 二、主动公开政府信息情况") and comment.endswith(f"实际为「{shown}」\n（cell.type）")


@pytest.mark.parametrize("text, shown", [
    ("_xD800_", "\\ud800"),                                           # a lone surrogate
    ("_x0001_", "\\x01"),                                             # a control character
    ("_x001B_[31mRED_x001B_]0;title_x0007_", "\\x1b[31mRED\\x1b]0;title\\x07"),   # colour and a window title
    ("_x009B_2J\u202ecba", "\\x9b2J\\u202ecba"),                        # CSI (clears the screen), a bidi override
])
def test_hostile_cell_text_is_written_out_everywhere(tmp_path, text, shown):
    path = with_issued(tmp_path / "t.xlsx", text=text)
    summary = tmp_path / "s.xlsx"
    code, out, err = xlcheck("verify", path, "--summary", summary)
    assert code == 1 and err == b"" and not raw_control(out)
    assert f"实际为「{shown}」" in out.decode()
    code, out, err = xlcheck("verify", path, "--format", "json", "--no-annotate")
    assert code == 1 and not raw_control(out)
    assert strict_json(out)["files"][0]["findings"][0]["message"].endswith(f"实际为「{shown}」")
    assert load_workbook(summary)["全部问题"]["M2"].value.endswith(f"实际为「{shown}」")
    csv_path = tmp_path / "s.csv"
    assert xlcheck("verify", path, "--no-annotate", "--summary", csv_path)[0] == 1
    with open(tmp_path / "s-findings.csv", encoding="utf-8-sig", newline="") as fh:
        assert list(csv.reader(fh))[1][-2].endswith(f"实际为「{shown}」")
    marked = tmp_path / "t.checked.xlsx"
    code, out, err = xlcheck("clear", marked)                     # the annotated copy clears
    assert (code, err) == (0, b"") and out.decode() == f"已清除 1 个单元格的标注：{marked.resolve()}\n"
    assert "校验结果" not in load_workbook(marked).sheetnames


def test_a_five_thousand_digit_count_in_prose(tmp_path):
    report = tmp_path / "r.txt"
    text = (Path(__file__).parent / "data/reports/yueqing-2021-report.txt").read_text(encoding="utf-8")
    assert "年度新收26件" in text
    report.write_text(text.replace("年度新收26件", "年度新收" + "9" * 5000 + "件"), encoding="utf-8")
    code, out, err = xlcheck("verify", report, "--format", "json", "--no-annotate")
    assert code == 0 and err == b""
    [f] = [f for f in strict_json(out)["files"][0]["findings"] if f["rule"] == "narrative.mismatch"]
    assert f["found"] == "9" * 109 + "…（共 5000 字）" and f["expected"] == 26 and f["difference"] is None


def test_file_names_with_control_bytes_and_invalid_utf8(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    name = b"\xff\xfe\x1b[2J\x1b]0;owned\x07.xlsx"
    sample(Path(os.fsdecode(os.path.join(os.fsencode(folder), name))))
    code, out, err = xlcheck("verify", folder, "--summary", tmp_path / "s.xlsx")
    shown = "\\xff\\xfe\\x1b[2J\\x1b]0;owned\\x07"
    assert code == 0 and err == b"" and not raw_control(out)
    lines = out.decode().splitlines()
    assert lines[0] == f"✓ {folder}/{shown}.xlsx（乐清市人民政府办公室 2021年度）：2021 年版，未发现问题"
    assert lines[1] == f"  标注副本：{folder}/{shown}.checked.xlsx"
    assert os.path.exists(os.path.join(os.fsencode(folder), b"\xff\xfe\x1b[2J\x1b]0;owned\x07.checked.xlsx"))
    assert load_workbook(tmp_path / "s.xlsx")["汇总"]["A2"].value == f"{folder}/{shown}.xlsx"
    code, out, err = xlcheck("verify", folder, "--format", "json", "--no-annotate")
    assert code == 0 and not raw_control(out)
    assert os.fsencode(strict_json(out)["files"][0]["path"]) == os.path.join(os.fsencode(folder), name)


@pytest.mark.parametrize("name, content, fmt", [("x.txt", "新收 26 件", "txt"),
                                               ("x.html", "<table><tr><td>新收</td><td>26</td></tr></table>", "html")])
def test_clear_answers_a_report_in_one_line(tmp_path, name, content, fmt):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    code, out, err = xlcheck("clear", path)
    assert (code, out) == (2, b"")
    assert err.decode() == f"xlcheck：{path}：只有 .xlsx / .xlsm 工作簿带有 xlcheck 的标注，不能清除 .{fmt} 文件\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


DIES = """
import multiprocessing, os, signal, sys
multiprocessing.set_start_method("fork", force=True)
import xlcheck.batch as batch
real = batch.verify_path
def verify_path(path, *args, **kwargs):
    if path.endswith("dies.xlsx"):           # as the kernel's OOM killer ends a worker
        os.kill(os.getpid(), signal.SIGKILL)
    return real(path, *args, **kwargs)
batch.verify_path = verify_path
from xlcheck.cli import run
run(sys.argv[1:])
"""


@pytest.mark.skipif(sys.platform == "win32", reason="fork and SIGKILL")
def test_a_worker_that_dies_marks_its_file_not_checked_and_the_batch_goes_on(tmp_path):
    names = ["a.xlsx", "b.xlsx", "dies.xlsx", "c.xlsx", "d.xlsx", "e.xlsx"]
    for name in names:
        sample(tmp_path / name)
    r = subprocess.run([sys.executable, "-c", DIES, "verify", *names, "--no-annotate", "-j", "2"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=300)
    ok = "（乐清市人民政府办公室 2021年度）：2021 年版，未发现问题"
    assert r.returncode == 2
    assert r.stdout.splitlines() == [f"✓ a.xlsx{ok}", f"✓ b.xlsx{ok}", "✗ dies.xlsx：校验进程意外终止（内存不足或被终止），此文件未校验",
                                     f"✓ c.xlsx{ok}", f"✓ d.xlsx{ok}", f"✓ e.xlsx{ok}",
                                     "共 6 个文件：5 个通过，0 个有错误，1 个无法校验"]


def test_comments_and_cells_stay_within_excels_limit(tmp_path):
    raw = sample(tmp_path / "a.xlsx").read_bytes()
    long = [Finding("cell.type", "error", sheet="主动公开", cell="B6", message="很长" * 20000) for _ in range(3)]
    out = tmp_path / "b.xlsx"
    out.write_bytes(annotate_bytes(raw, long))
    wb = load_workbook(out)
    comment = wb["主动公开"]["B6"].comment.text
    whole = 3 * len("[xlcheck] " + "很长" * 20000 + "\n（cell.type）") + 2 * len("\n\n")
    assert len(comment) == MAX_CELL and comment.endswith(f"…（共 {whole} 字）")
    assert len(wb["校验结果"]["K2"].value) == MAX_CELL


def test_previous_dir_indexes_hostile_reports_file_by_file(tmp_path):
    """Last year's folder holds a damaged workbook and, under a name with an escape sequence, the
    report whose prose count has 5,000 digits (int() refuses it): indexing goes on file by file and
    the match is shown escaped."""
    this, last = tmp_path / "2022", tmp_path / "2021"
    this.mkdir(), last.mkdir()
    text = (Path(__file__).parent / "data/reports/yueqing-2021-report.txt").read_text(encoding="utf-8")
    (last / "乐清\x1b[2J.txt").write_text(text.replace("年度新收26件", "年度新收" + "9" * 5000 + "件"), encoding="utf-8")
    (last / "broken.xlsx").write_bytes(b"PK\x03\x04junk")
    current = write_filled(this / "乐清.xlsx", SAMPLE_2021, year=2022)
    code, out, err = xlcheck("verify", current, "--previous-dir", last, "--no-annotate")
    assert (code, err) == (1, b"") and not raw_control(out)          # 2022 holds the 2021 numbers: not continuous
    assert out.decode().splitlines()[-1] == f"  上年对比：{last}/乐清\\x1b[2J.txt"


def test_template_refuses_an_organ_with_control_characters(tmp_path):
    code, out, err = xlcheck("template", "--organ", "乐清\x01市", "-o", tmp_path / "t.xlsx")
    assert (code, out) == (2, b"") and err.decode() == "xlcheck：机关名称「乐清\\x01市」含有控制字符，不能写入工作簿\n"
    assert not (tmp_path / "t.xlsx").exists()


def test_printable_lets_through_unchanged_only_what_has_nothing_to_escape():
    """`printable` returns a text that str.isprintable() accepts without looking further: that
    is right only while every character it escapes is one Python calls unprintable."""
    import re
    from xlcheck.findings import _UNPRINTABLE, printable
    escaped = [c for c in map(chr, range(0x110000)) if re.match(_UNPRINTABLE, c)]
    assert len(escaped) > 2000 and not [c for c in escaped if c.isprintable()]
    assert printable("乐清\u202e市\x1b[31m") == "乐清\\u202e市\\x1b[31m" and printable("乐清市 2021") == "乐清市 2021"
