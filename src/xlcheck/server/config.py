"""The server's settings, and the parsing of `--keep 1h` and `--max-size 50`."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

from ..errors import InputError

TOKEN_ENV = "XLCHECK_TOKEN"
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Config:
    host: str = "127.0.0.1"
    port: int = 8000
    jobs: int = 1
    keep: float = 3600.0               # seconds a request's results stay downloadable
    token: str | None = None
    root_path: str = ""
    max_size: int = 50 * 1024 * 1024   # bytes of one request's upload
    max_files: int = 100               # files in one request


def parse_duration(text: str) -> float:
    """`90`, `90s`, `10m`, `1h`, `1d`, `0.5s` → seconds."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", str(text).lower())
    if not m or float(m.group(1)) <= 0:
        raise InputError(f"--keep 的值「{text}」无效：应为正数加单位，例如 30m、1h、1d")
    return float(m.group(1)) * _UNITS[m.group(2)]


def token_from(option: str | None) -> str | None:
    """The token from --token, else from the environment; empty means none."""
    token = option if option is not None else os.environ.get(TOKEN_ENV)
    return token or None


def megabytes(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB"
