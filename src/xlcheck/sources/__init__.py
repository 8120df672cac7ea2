"""Readers: one per source format, each producing the same Grid (`xlcheck.grid`).
`open.read_source` sniffs a file and hands it to its reader; `open.FORMATS` lists them."""
from importlib import import_module

from ..errors import InputError


def optional(module: str, path: str, what: str, extra: str):
    """Import a reader's library from an optional extra, or say which extra to install."""
    try:
        return import_module(module)
    except ImportError:
        raise InputError(f"{path}：读取{what}需要 {module.split('.')[0]}（pip install 'xlcheck[{extra}]'）") from None
