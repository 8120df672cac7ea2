"""A supervising office's batch: every file of a folder accounted for, results as they come,
--quiet and grouped findings, a clean interruption by a real signal, names under LANG=C, and the
summary a person reads (columns and print settings read back with openpyxl)."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from helpers import SAMPLE_2021, write_filled, xlcheck

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and locales")


def run(*args):
    return xlcheck("verify", *args)


def _units(tmp_path):
    units = tmp_path / "units"
    units.mkdir()
    write_filled(units / "甲局.xlsx", SAMPLE_2021, organ="甲局")
    write_filled(units / "乙镇.xlsx", SAMPLE_2021, organ="乙镇", changes={"appeals.reconsideration.total": 2})
    (units / "丙办.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    (units / "丁局.wps").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    (units / "照片.jpg").write_bytes(b"\xff\xd8\xff")
    (units / "readme.txt").write_text("Send the reports by Friday.\nThank you.\n", encoding="utf-8")
    (units / "~$甲局.xlsx").write_bytes(b"lock")
    write_filled(units / "甲局.checked.xlsx", SAMPLE_2021, organ="甲局")
    return units


def test_a_folder_lists_every_file_it_did_not_check_and_a_readme_is_not_a_report(tmp_path):
    units = _units(tmp_path)
    summary = tmp_path / "汇总.xlsx"
    r = run(units, "--no-annotate", "--summary", summary, "--jobs", "1")
    lines = r.stdout.splitlines()
    assert lines[:3] == [f"– {units}/丁局.wps：这是 Word 97–2003 或 WPS 文字的二进制文件，无法读取其中的表格；请另存为 .docx 后再校验（未校验）",
                         f"– {units}/丙办.doc：这是 Word 97–2003 或 WPS 文字的二进制文件，无法读取其中的表格；请另存为 .docx 后再校验（未校验）",
                         f"– {units}/照片.jpg：不是 xlcheck 能读取的文件类型（.jpg）（未校验）"]
    assert lines[3] == "另有 2 个 xlcheck 的输出、备份或编辑器锁定文件，未校验"
    assert f"✗ {units}/readme.txt：没有找到统计表（既没有 xlcheck 模板的名称，也没有可识别的表格标签）" in lines
    assert lines[-1] == "共 3 个文件：1 个通过，1 个有错误，0 个无法校验，1 个不是年度报告；另有 3 个文件未校验（见上）"
    assert r.exit_code == 1                      # the readme of a folder does not make the run exit 2
    rows = {Path(row[0]).name: row for row in openpyxl.load_workbook(summary)["汇总"].iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"丁局.wps", "丙办.doc", "照片.jpg", "readme.txt", "甲局.xlsx", "乙镇.xlsx"}
    assert [rows[n][4] for n in ("丁局.wps", "丙办.doc", "照片.jpg", "readme.txt")] == ["未校验", "未校验", "未校验", "不是年度报告"]
    assert rows["readme.txt"][5:8] == (None, None, None)          # not counted: empty, never 0
    named = run(units / "readme.txt", "--no-annotate")
    assert named.exit_code == 2                  # named on the command line: it could not be checked
    doc = run(units / "丙办.doc", "--no-annotate")
    assert doc.exit_code == 2 and "请另存为 .docx 后再校验" in doc.stderr + doc.stdout


def test_an_annotated_copy_sent_without_its_input_is_checked(tmp_path):
    units = tmp_path / "u"
    units.mkdir()
    write_filled(units / "甲局.checked.xlsx", SAMPLE_2021, organ="甲局")
    r = run(units, "--no-annotate", "--format", "json")
    assert [Path(f["path"]).name for f in json.loads(r.stdout)["files"]] == ["甲局.checked.xlsx"]


def test_an_empty_folder_says_so(tmp_path):
    (tmp_path / "empty").mkdir()
    r = run(tmp_path / "empty")
    assert (r.exit_code, r.stdout) == (2, f"– {tmp_path}/empty：目录中没有可校验的文件（未校验）\n")


def test_quiet_prints_only_files_that_need_attention_and_the_counts(tmp_path):
    units = tmp_path / "u"
    units.mkdir()
    write_filled(units / "a.xlsx", SAMPLE_2021)
    write_filled(units / "b.xlsx", SAMPLE_2021, changes={"appeals.reconsideration.total": 2})
    (units / "c.xlsx").write_bytes(b"broken")
    r = run(units, "--no-annotate", "--quiet", "--jobs", "2")
    heads = [line for line in r.stdout.splitlines() if not line.startswith(" ")]
    assert heads[0] == f"✗ {units}/b.xlsx（乐清市人民政府办公室 2021年度）：2021 年版，1 个错误，0 个警告"
    assert heads[1].startswith(f"✗ {units}/c.xlsx：") and len(heads) == 3
    assert heads[2] == "共 3 个文件：1 个通过，1 个有错误，1 个无法校验" and r.exit_code == 2


def test_repeated_findings_of_one_kind_are_one_line_unless_verbose(tmp_path):
    blanks = {f"requests.{row}.{col}": None for row in ("withheld_state_secret", "withheld_prohibited_by_law", "withheld_three_safeties")
              for col in ("natural_person", "commercial")}
    path = write_filled(tmp_path / "a.xlsx", SAMPLE_2021, changes=blanks)
    r = run(path, "--no-annotate")
    grouped = [line for line in r.stdout.splitlines() if "cell.blank" in line]
    assert len(grouped) == 1
    assert grouped[0].startswith("  警告  三、收到和处理政府信息公开申请情况  cell.blank  共 6 处，例如 依申请公开!")
    assert grouped[0].endswith("单元格为空，按 0 计算（加 --verbose 列出全部）")
    verbose = run(path, "--no-annotate", "--verbose")
    assert len([line for line in verbose.stdout.splitlines() if "cell.blank" in line]) == 6
    doc = json.loads(run(path, "--no-annotate", "--format", "json").stdout)
    assert len([f for f in doc["files"][0]["findings"] if f["rule"] == "cell.blank"]) == 6


def test_the_summary_a_person_reads(tmp_path):
    units = tmp_path / "u"
    units.mkdir()
    write_filled(units / "a.xlsx", SAMPLE_2021, changes={"requests.granted.total": 18})
    (units / "b.xlsx").write_bytes(b"broken")
    summary = tmp_path / "s.xlsx"
    run(units, "--summary", summary, "--no-annotate")
    wb = openpyxl.load_workbook(summary)
    ws, detail = wb["汇总"], wb["全部问题"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("文件", "机关", "报告年度", "版本", "状态", "错误数", "警告数", "已说明", "最可能出错的单元格", "第一个问题",
                       "上年对比", "标注副本")
    a, b = rows[1], rows[2]
    assert a[4:9] == ("有错误", 2, 0, 0, "最可能出错的是 依申请公开!J8：改为 17 可同时修复 2 处错误")
    assert a[9].startswith("依申请公开!J8 三、收到和处理政府信息公开申请情况 › （一）予以公开 › 总计：") and a[10] == "未对比"
    assert b[4] == "无法校验" and b[5:8] == (None, None, None) and b[10] is None
    for sheet in (ws, detail):
        assert (sheet.page_setup.orientation, sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == ("landscape", 1, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True and sheet.print_title_rows == "$1:$1"
        assert sheet.freeze_panes == "A2"
    assert detail["N1"].value == "核实说明"


def test_the_annotated_copy_leads_with_the_diagnosis_and_prints_to_width(tmp_path):
    path = write_filled(tmp_path / "a.xlsx", SAMPLE_2021, changes={"requests.granted.total": 18})
    run(path)
    wb = openpyxl.load_workbook(tmp_path / "a.checked.xlsx")
    ws = wb["校验结果"]
    assert wb.active.title == "校验结果"                   # it opens on the findings, its tab alone selected
    assert [s.title for s in wb.worksheets if s.sheet_view.tabSelected] == ["校验结果"]
    assert xlcheck("clear", tmp_path / "a.checked.xlsx").exit_code == 0
    import zipfile
    original, cleared = zipfile.ZipFile(path), zipfile.ZipFile(tmp_path / "a.checked.xlsx")
    assert {n: original.read(n) for n in original.namelist()} == {n: cleared.read(n) for n in cleared.namelist()}
    assert ws["B2"].value == "诊断" and ws["K2"].value == "最可能出错的是 依申请公开!J8：改为 17 可同时修复 2 处错误"
    assert [ws["L1"].value, ws["M1"].value, ws["C3"].value] == ["核实说明", "数据项", "requests.row_total"]
    assert (ws.page_setup.orientation, ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == ("landscape", 1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True


# ------------------------------------------------------------------ a real process


def _batch(tmp_path, n=200):
    units = tmp_path / "units"
    units.mkdir()
    made = [write_filled(tmp_path / f"m{i}.xlsx", SAMPLE_2021, changes={"requests.granted.total": 17 + i}) for i in (0, 1)]
    for i in range(n):
        (units / f"f{i:03}.xlsx").write_bytes(made[i % 2].read_bytes())
    return units


def _ours_alive(marker: str) -> list[int]:
    alive = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and marker.encode() in (proc / "cmdline").read_bytes():
                alive.append(int(proc.name))
        except OSError:
            pass
    return alive


@POSIX
@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_stops_the_batch_and_writes_a_partial_summary(tmp_path, sig, code):
    units = _batch(tmp_path)
    summary = tmp_path / "汇总.xlsx"
    proc = subprocess.Popen([sys.executable, "-c", "from xlcheck.cli import run; run()", "verify", str(units), "--summary",
                             str(summary), "--jobs", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    first = proc.stdout.readline()             # the first result is printed as soon as it is done
    assert first.startswith("✓ ".encode()) or first.startswith("✗ ".encode())
    (os.killpg if sig == signal.SIGINT else os.kill)(proc.pid, sig)    # Ctrl-C reaches the whole group
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == code
    err = err.decode()
    done = int(err.split("已校验 ")[1].split(" / ")[0])
    assert 0 < done < 200 and err.endswith(f"xlcheck：已校验 {done} / 200 个文件；已写出部分汇总表：{summary}\nxlcheck：已中断\n")
    rows = list(openpyxl.load_workbook(summary)["汇总"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == done + 1 and rows[-1][0] == f"（未完成）校验被中断：只校验了 {done} / 200 个文件"
    leftovers = [p.name for p in list(units.iterdir()) + list(tmp_path.iterdir()) if p.name.endswith(".tmp") or p.name.startswith(".")]
    assert leftovers == []
    for copy in units.glob("*.checked.xlsx"):  # every annotated copy there is whole
        openpyxl.load_workbook(copy)
    time.sleep(0.5)
    assert _ours_alive(str(units)) == []       # no worker left behind


@POSIX
def test_names_print_as_utf8_under_the_c_locale(tmp_path):
    write_filled(tmp_path / "甲局年报.xlsx", SAMPLE_2021)
    env = dict(os.environ, LANG="C", LC_ALL="C", PYTHONUTF8="0", PYTHONIOENCODING="")
    r = subprocess.run([sys.executable, "-c", "from xlcheck.cli import run; run()", "verify", "甲局年报.xlsx", "--no-annotate"],
                       cwd=tmp_path, env=env, capture_output=True, timeout=120)
    assert r.returncode == 0
    assert r.stdout.decode("utf-8").startswith("✓ 甲局年报.xlsx（乐清市人民政府办公室 2021年度）")


@POSIX
def test_the_progress_line_shows_n_of_n_and_the_file_awaited(tmp_path):
    import pty
    units = tmp_path / "u"
    units.mkdir()
    for name in ("a", "b", "c"):
        write_filled(units / f"{name}.xlsx", SAMPLE_2021)
    master, slave = pty.openpty()
    r = subprocess.run([sys.executable, "-c", "from xlcheck.cli import run; run()", "verify", str(units), "--no-annotate",
                        "--jobs", "1"], stdout=subprocess.PIPE, stderr=slave, timeout=120)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    shown = shown.decode()
    assert r.returncode == 0
    for n, name in ((0, "a"), (1, "b"), (2, "c")):
        assert f"\r\x1b[K校验中 {n}/3 {units}/{name}.xlsx" in shown
    assert [line[:2] for line in r.stdout.decode().splitlines()] == ["✓ ", "✓ ", "✓ ", "共 "]
