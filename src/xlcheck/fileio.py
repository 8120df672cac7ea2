"""Writing outputs safely: a temporary file beside the target, then an atomic rename."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .errors import InputError


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(f"{path}：输出目录不存在")
    if path.is_dir():
        raise InputError(f"{path}：这是一个目录，不能写入")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise InputError(f"{path}：无法写入（{exc.strerror or exc.__class__.__name__}）") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            shutil.copymode(path, tmp)
        else:
            os.chmod(tmp, 0o644 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise InputError(f"{path}：无法写入（{exc.strerror or exc.__class__.__name__}）") from None
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def backup(path: Path) -> Path:
    """Keep `FILE.bak` beside FILE before it is rewritten in place."""
    bak = path.with_name(path.name + ".bak")
    shutil.copy2(path, bak)
    return bak
