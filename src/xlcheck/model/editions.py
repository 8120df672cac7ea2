"""The editions xlcheck knows: the shipped schema files, a custom schema file, and which
edition applies to a report year. A schema is linted (JSON Schema 2020-12, our keyword
meta-schema, and the cross-references neither can express) before it is used."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import InputError
from .schema import Edition, build_model

META_SCHEMA_FILE = "xlcheck-keywords.meta.schema.json"


def _resource_dir(name: str) -> Path:
    """`schemas/` and `templates/` ship inside the wheel as xlcheck/<name>; in a source tree
    (or an editable install) they sit at the repository root."""
    packaged = Path(__file__).parents[1] / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / name


def schemas_dir() -> Path:
    return _resource_dir("schemas")


def templates_dir() -> Path:
    return _resource_dir("templates")


@lru_cache(maxsize=None)
def meta_schema() -> dict[str, Any]:
    return json.loads((schemas_dir() / META_SCHEMA_FILE).read_text(encoding="utf-8"))


def rule_references(schema: Any, kinds: tuple[str, ...] | None = None) -> list[str]:
    """Every rule id a relation of the schema names: the ``rule`` of each item of an ``x-``
    keyword's list (x-sum, x-balance, x-compare, x-continuity, and any keyword added later), or
    only of the keywords in `kinds`."""
    out: list[str] = []
    if isinstance(schema, dict):
        for k, v in schema.items():
            if k.startswith("x-") and isinstance(v, list) and v and all(isinstance(i, dict) for i in v):
                if kinds is None or k in kinds:
                    out.extend(i["rule"] for i in v if isinstance(i.get("rule"), str))
            elif k != "x-layout":
                out.extend(rule_references(v, kinds))
    elif isinstance(schema, list):
        for v in schema:
            out.extend(rule_references(v, kinds))
    return out


def schema_problems(schema: Any) -> list[str]:
    """Everything wrong with a schema: against draft 2020-12, against our keyword meta-schema,
    and the cross-references the meta-schema cannot express. Empty when the schema is usable."""
    from jsonschema import Draft202012Validator      # deferred: only a custom schema is linted

    if not isinstance(schema, dict):
        return ["顶层不是 JSON 对象"]
    problems = []
    for err in Draft202012Validator(Draft202012Validator.META_SCHEMA).iter_errors(schema):
        problems.append(f"不符合 JSON Schema 2020-12：{err.message}（{'/'.join(map(str, err.absolute_path))}）")
    for err in Draft202012Validator(meta_schema()).iter_errors(schema):
        problems.append(f"不符合 xlcheck 关键字元模式：{err.message}（{'/'.join(map(str, err.absolute_path))}）")
    if problems:
        return problems
    try:
        model = build_model(schema)
    except (KeyError, TypeError, InputError) as exc:
        return [f"无法读取表结构：{exc}"]
    from .layout import layout_problems              # deferred: start-up time (only a custom schema is linted)
    for table in model.tables:
        problems.extend(layout_problems(table))
    for rule_id in dict.fromkeys(rule_references(schema)):
        if rule_id not in model.rules:
            problems.append(f"规则 {rule_id} 未在 x-rules 中登记")
    return problems


def load_schema_file(path: str | Path) -> Edition:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}：文件不存在") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}：无法读取（{exc.__class__.__name__}）") from None
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}：不是有效的 JSON（第 {exc.lineno} 行：{exc.msg}）") from None
    problems = schema_problems(schema)
    if problems:
        raise InputError(f"{path}：模式无效：{problems[0]}" + (f"（另有 {len(problems) - 1} 处）" if len(problems) > 1 else ""))
    defaults = {}
    for model in shipped().values():          # oldest first: the newest edition's severity wins
        defaults.update(model.rules)
    return build_model(schema, str(path), default_rules=defaults)


@lru_cache(maxsize=None)
def _shipped_schemas() -> dict[str, tuple[Path, dict[str, Any]]]:
    """The shipped schema files read (not yet built), keyed by edition name, oldest first."""
    out = {}
    for path in sorted(schemas_dir().glob("*.schema.json")):
        if path.name == META_SCHEMA_FILE:
            continue
        schema = json.loads(path.read_text(encoding="utf-8"))
        out[str(schema["x-edition"])] = (path, schema)
    return dict(sorted(out.items()))


def names() -> tuple[str, ...]:
    """The shipped editions' names, oldest first, without building their models."""
    return tuple(_shipped_schemas())


@lru_cache(maxsize=None)
def _built(name: str) -> Edition:
    path, schema = _shipped_schemas()[name]
    return build_model(schema, str(path))


def shipped() -> dict[str, Edition]:
    """The shipped editions, keyed by edition name, oldest first (each built once, when first
    asked for: one file's check builds only its own edition)."""
    return {name: _built(name) for name in names()}


def edition(name: str) -> Edition:
    if name not in _shipped_schemas():
        raise InputError(f"未知的格式版本「{name}」；可用的版本：{'、'.join(names())}")
    return _built(name)


def edition_for_year(year: int) -> Edition:
    for model in shipped().values():
        if model.applies_to(year):
            return model
    first = min(m.first_year for m in shipped().values())
    raise InputError(f"报告年度 {year} 早于 {first} 年，没有适用的格式（政府信息公开工作年度报告格式自 {first} 年起施行）")


def by_hash(sha256: str) -> Edition | None:
    for model in shipped().values():
        if model.sha256 == sha256:
            return model
    return None
