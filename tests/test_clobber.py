"""Issue 14, item 3: outputs never clobber. An output that is an input of the run, a device, a FIFO
or shared by two inputs is refused or made unique; --in-place marks a symlink's real file; the
backup is atomic; temporary files are xlcheck's own and never outlive the run."""
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hostile import sample, xlcheck
from helpers import SAMPLE_2021, write_filled
from xlcheck.cli import run

OK = "（乐清市人民政府办公室 2021年度）：2021 年版，未发现问题"


def wrong(path: Path) -> Path:
    return write_filled(path, SAMPLE_2021, changes={"requests.new.total": 25})


def _run(capsys, *argv):
    with pytest.raises(SystemExit) as exc:
        run([str(a) for a in argv])
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".xlcheck-" in p.name)


def test_two_inputs_of_one_name_into_one_folder_get_two_copies(tmp_path, capsys):
    (tmp_path / "u1").mkdir(), (tmp_path / "u2").mkdir(), (tmp_path / "out").mkdir()
    sample(tmp_path / "u1/年报.xlsx")
    wrong(tmp_path / "u2/年报.xlsx")
    code, out, err = _run(capsys, "verify", tmp_path / "u1/年报.xlsx", tmp_path / "u2/年报.xlsx", "-o", tmp_path / "out")
    assert code == 1 and err == ""
    lines = out.splitlines()
    assert lines[1] == f"  标注副本：{tmp_path}/out/年报.checked.xlsx"
    assert lines[-3:-1] == [f"  注意：标注副本改名为 年报-2.checked.xlsx（年报.checked.xlsx 已是 {tmp_path}/u1/年报.xlsx 的标注副本）",
                            f"  标注副本：{tmp_path}/out/年报-2.checked.xlsx"]
    assert "校验结果" in load_workbook(tmp_path / "out/年报.checked.xlsx").sheetnames
    assert load_workbook(tmp_path / "out/年报-2.checked.xlsx")["依申请公开"]["J6"].comment is not None
    assert load_workbook(tmp_path / "out/年报.checked.xlsx")["依申请公开"]["J6"].comment is None


def test_an_output_that_is_another_input_is_renamed(tmp_path, capsys):
    a, other = sample(tmp_path / "a.xlsx"), wrong(tmp_path / "a.checked.xlsx")
    before = other.read_bytes()
    code, out, err = _run(capsys, "verify", a, other)
    assert code == 1 and other.read_bytes() == before
    assert out.splitlines()[1:3] == ["  注意：标注副本改名为 a-2.checked.xlsx（a.checked.xlsx 是本次校验的输入文件）",
                                     f"  标注副本：{tmp_path}/a-2.checked.xlsx"]


@pytest.mark.parametrize("name", ["a.xlsx", "a.checked.xlsx"])
def test_a_summary_onto_an_input_or_a_copy_is_refused(tmp_path, capsys, name):
    a = sample(tmp_path / "a.xlsx")
    before = a.read_bytes()
    code, out, err = _run(capsys, "verify", a, "--summary", tmp_path / name)
    assert (code, out) == (2, "") and err == f"xlcheck：{tmp_path / name}：汇总文件是本次校验的输入文件或标注副本，不能覆盖\n"
    assert a.read_bytes() == before and not (tmp_path / "a.checked.xlsx").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX devices and FIFOs")
def test_devices_and_fifos_are_never_written(tmp_path):
    """A FIFO, and a character device made here as root (never /dev/null itself: a broken build
    would replace the machine's device)."""
    a = wrong(tmp_path / "a.xlsx")
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    targets = [fifo]
    if os.geteuid() == 0:
        device = tmp_path / "null.xlsx"
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        targets.append(device)
    for target in targets:
        code, out, err = xlcheck("verify", a, "-o", target, timeout=120)      # a FIFO opened for writing would block
        assert code == 2 and out.decode() == f"✗ {target}：不是普通文件（设备、管道或套接字），不能写入\n"
    code, out, err = xlcheck("verify", a, "--summary", fifo, "--no-annotate", timeout=120)
    assert code == 2 and err.decode() == f"xlcheck：{fifo}：不是普通文件（设备、管道或套接字），不能写入\n"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert all(not stat.S_ISREG(os.stat(t).st_mode) for t in targets)


def test_in_place_marks_the_real_file_behind_a_symlink(tmp_path, capsys):
    real = wrong(tmp_path / "real.xlsx")
    link = tmp_path / "link.xlsx"
    link.symlink_to(real)
    before = real.read_bytes()
    code, out, err = _run(capsys, "verify", link, "--in-place")
    assert code == 1 and link.is_symlink() and os.readlink(link) == str(real)
    assert (tmp_path / "real.xlsx.bak").read_bytes() == before and not (tmp_path / "link.xlsx.bak").exists()
    assert "（requests.row_total）" in load_workbook(real)["依申请公开"]["J6"].comment.text
    code, out, err = _run(capsys, "clear", link)
    assert code == 0 and out == f"已清除 2 个单元格的标注：{real}\n" and link.is_symlink()
    assert "校验结果" not in load_workbook(real).sheetnames


def test_a_full_disk_leaves_the_input_and_no_backup_or_temporary_file(tmp_path, capsys, monkeypatch):
    a = wrong(tmp_path / "a.xlsx")
    before = a.read_bytes()
    import errno

    import xlcheck.fileio as fileio

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(fileio.os, "fsync", full)
    code, out, err = _run(capsys, "verify", a, "--in-place")
    assert code == 2 and out == f"✗ {a}.bak：无法写入（No space left on device）\n"
    assert a.read_bytes() == before and not (tmp_path / "a.xlsx.bak").exists() and leftovers(tmp_path) == []
    code, out, err = _run(capsys, "clear", a)
    assert code == 2 and err == f"xlcheck：{a}.bak：无法写入（No space left on device）\n" and leftovers(tmp_path) == []


def _read_only(folder: Path):
    """A folder this process cannot write to: a read-only tmpfs as root, the mode bits otherwise."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return lambda: folder.chmod(0o755)
    if shutil.which("mount") is None:
        pytest.skip("no mount(8) for a read-only folder as root")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)], capture_output=True)
    if r.returncode:
        pytest.skip("cannot mount a tmpfs here: " + r.stderr.decode(errors="replace"))
    return lambda: subprocess.run(["umount", str(folder)], check=True)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_read_only_folder_is_one_line_and_the_run_goes_on(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    undo = _read_only(ro)
    try:
        if os.geteuid() == 0:          # fill the tmpfs, then make it read-only
            wrong(ro / "a.xlsx")
            subprocess.run(["mount", "-o", "remount,ro", str(ro)], check=True)
        else:
            ro.chmod(0o755), wrong(ro / "a.xlsx"), ro.chmod(0o555)
        b = sample(tmp_path / "b.xlsx")
        before = (ro / "a.xlsx").read_bytes()
        code, out, err = xlcheck("verify", ro / "a.xlsx", b)
        lines = out.decode().splitlines()
        assert code == 2 and lines[0].startswith(f"✗ {ro}/a.checked.xlsx：无法写入（") and lines[0].endswith("）")
        assert lines[1:3] == [f"✓ {b}{OK}", f"  标注副本：{tmp_path}/b.checked.xlsx"]
        for argv in (["verify", ro / "a.xlsx", "--in-place"], ["clear", ro / "a.xlsx"]):    # the backup cannot be written
            code, out, err = xlcheck(*argv)
            line = (out if argv[0] == "verify" else err).decode()
            assert code == 2 and line.startswith(("✗ ", "xlcheck：")) and f"{ro}/a.xlsx.bak：无法写入（" in line
            assert line.count("\n") == 1 and line.endswith("）\n")
        assert sorted(p.name for p in ro.iterdir()) == ["a.xlsx"] and (ro / "a.xlsx").read_bytes() == before
    finally:
        undo()


SIGNALLED = """
import os, signal, sys
import xlcheck.fileio as fileio
sig = getattr(signal, sys.argv[1])
def fsync(fd):                       # the signal arrives while the output is being written
    os.kill(os.getpid(), sig)
fileio.os.fsync = fsync
from xlcheck.cli import run
run(sys.argv[2:])
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_while_writing_removes_the_temporary_file(tmp_path):
    a = wrong(tmp_path / "a.xlsx")
    before = a.read_bytes()
    r = subprocess.run([sys.executable, "-c", SIGNALLED, "SIGTERM", "verify", "a.xlsx", "--in-place"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=120)
    assert (r.returncode, r.stdout, r.stderr) == (143, "", "xlcheck：已中断\n")
    assert a.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_temporary_file_of_a_killed_run_is_removed_by_the_next_run(tmp_path):
    wrong(tmp_path / "a.xlsx")
    r = subprocess.run([sys.executable, "-c", SIGNALLED, "SIGKILL", "verify", "a.xlsx"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == -9
    [stale] = leftovers(tmp_path)
    assert stale.startswith(".a.checked.xlsx.xlcheck-") and stale.endswith(".tmp")
    (tmp_path / ".a.checked.xlsx.xlcheck-notours.tmp").write_bytes(b"")     # not named as xlcheck names its own
    code, out, err = xlcheck("verify", "a.xlsx", cwd=tmp_path)
    assert code == 1 and leftovers(tmp_path) == [".a.checked.xlsx.xlcheck-notours.tmp"]
    assert load_workbook(tmp_path / "a.checked.xlsx")["依申请公开"]["J6"].comment is not None
