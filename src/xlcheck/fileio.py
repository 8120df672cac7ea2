"""Writing outputs safely: a temporary file of xlcheck's own beside the target, then an atomic rename.

A temporary file is named ``.<target>.xlcheck-<host>-<pid>-<random>.tmp``. It is removed on any
exit that runs Python code (an error, Ctrl-C, SIGTERM: see `cli.run`); one left by a run that was
killed outright (kill -9, power loss) is removed by the next write in that folder, once its
process is gone (on Windows, once it is a day old). Only regular files are written: a device, a FIFO or a directory at the target is
refused, never opened.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import stat
import sys
import tempfile
import time
import zlib
from pathlib import Path

from .errors import InputError
from .findings import printable

_HOST = f"{zlib.crc32(socket.gethostname().encode('utf-8', 'replace')):08x}"
_TEMP = re.compile(r"^\..*\.xlcheck-([0-9a-f]{8})-(\d+)-[^.]*\.tmp$", re.S)
_swept: set[str] = set()


def _alive(pid: int, path: str) -> bool:
    if sys.platform == "win32":         # os.kill(pid, 0) would send Ctrl-C there: go by age instead
        try:
            return time.time() - os.stat(path).st_mtime < 24 * 3600
        except OSError:
            return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:                     # exists, but another user's
        return True
    return True


def remove_stale(directory: Path) -> None:
    """Remove the temporary files that a killed run of xlcheck on this machine left in `directory`."""
    key = os.path.abspath(directory)
    if key in _swept:
        return
    _swept.add(key)
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        m = _TEMP.match(name)
        path = os.path.join(directory, name)
        if m and m.group(1) == _HOST and not _alive(int(m.group(2)), path):
            try:
                os.unlink(path)
            except OSError:
                pass


def _why(exc: OSError) -> str:
    return exc.strerror or exc.__class__.__name__


def writable_target(path: Path) -> None:
    """Refuse a target that is not (yet) a regular file: a directory, a device, a FIFO, a socket."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InputError(f"{printable(path)}：无法写入（{_why(exc)}）") from None
    if stat.S_ISDIR(mode):
        raise InputError(f"{printable(path)}：这是一个目录，不能写入")
    if not stat.S_ISREG(mode):
        raise InputError(f"{printable(path)}：不是普通文件（设备、管道或套接字），不能写入")


def atomic_write_bytes(path: Path, data: bytes, like: Path | None = None) -> Path:
    """Write `data` to `path` through a temporary file and a rename; the permissions are those of
    the file replaced (or of `like`)."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(f"{printable(path)}：输出目录不存在")
    writable_target(path)
    remove_stale(directory)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:80]}.xlcheck-{_HOST}-{os.getpid()}-", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise InputError(f"{printable(path)}：无法写入（{_why(exc)}）") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        model = like if like is not None else path
        if model.exists():
            shutil.copymode(model, tmp)
        else:
            os.chmod(tmp, 0o644 & ~_umask())
        os.replace(tmp, path)
    except BaseException as exc:        # a full disk, Ctrl-C, SIGTERM: never leave the temporary file
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise InputError(f"{printable(path)}：无法写入（{_why(exc)}）") from None
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def backup(path: Path) -> Path:
    """Keep `FILE.bak` beside FILE before it is rewritten in place, written atomically (never a
    truncated backup after a kill or a full disk)."""
    path = Path(path)
    bak = path.with_name(path.name + ".bak")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{printable(path)}：无法读取（{_why(exc)}）") from None
    atomic_write_bytes(bak, data, like=path)
    try:
        shutil.copystat(path, bak)
    except OSError:
        pass
    return bak
