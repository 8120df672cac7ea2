"""Readers: one per source format, each producing the same Grid."""
from importlib import import_module


def optional(module: str, path: str, what: str, extra: str):
    """Import a reader's library from an optional extra, or say which extra to install."""
    from ..errors import InputError
    try:
        return import_module(module)
    except ImportError:
        raise InputError(f"{path}：读取{what}需要 {module.split('.')[0]}（pip install 'xlcheck[{extra}]'）") from None
