"""Loading the edition schemas and reading them into a small read-only model.

Everything xlcheck knows about a table comes from here: the tables, their rows and columns
with the labels as printed, the cell types, the template layout and the rule catalogue. The
model is built from the JSON Schema alone; nothing about a particular table is written in Python.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import InputError


def _resource_dir(name: str) -> Path:
    """`schemas/` and `templates/` ship inside the wheel as xlcheck/<name>; in a source tree
    (or an editable install) they sit at the repository root."""
    packaged = Path(__file__).with_name(name)
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / name


def schemas_dir() -> Path:
    return _resource_dir("schemas")


def templates_dir() -> Path:
    return _resource_dir("templates")


META_SCHEMA_FILE = "xlcheck-keywords.meta.schema.json"


@dataclass(frozen=True)
class CellType:
    key: str                 # count | signed_count | amount (from x-type)
    integer: bool
    minimum: float | None
    input_message: dict[str, str]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    columns: tuple[Column, ...]
    groups: tuple[str, ...] = ()
    block: str | None = None


@dataclass(frozen=True)
class DataPoint:
    table: str
    row: str
    column: str
    type: CellType
    id: str = field(init=False, compare=False)      # table.row.column, the contract key

    def __post_init__(self):
        object.__setattr__(self, "id", f"{self.table}.{self.row}.{self.column}")


@dataclass(frozen=True)
class Table:
    key: str
    label: str
    sheet: str
    rows: tuple[Row, ...]
    groups: dict[str, str]          # group key -> printed label (row groups, column groups, blocks)
    note: str | None
    layout: dict[str, Any]
    points: tuple[DataPoint, ...]

    def row(self, key: str) -> Row:
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(key)

    def column_label(self, key: str) -> str:
        for row in self.rows:
            for col in row.columns:
                if col.key == key:
                    return col.label
        raise KeyError(key)

    @property
    def columns(self) -> tuple[Column, ...]:
        """Every column key of the table, in the order first seen."""
        seen: dict[str, Column] = {}
        for row in self.rows:
            for col in row.columns:
                seen.setdefault(col.key, col)
        return tuple(seen.values())


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    scope: str
    title: dict[str, str]


@dataclass(frozen=True)
class Edition:
    """The read-only model of one schema file."""
    id: str
    edition: str
    title: str
    issued_by: str
    first_year: int
    last_year: int | None
    fingerprints: tuple[str, ...]
    report_title: str
    tables: tuple[Table, ...]
    rules: dict[str, Rule]
    schema: dict[str, Any] = field(repr=False)
    sha256: str = ""
    path: str | None = None

    def table(self, key: str) -> Table:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)

    @property
    def points(self) -> tuple[DataPoint, ...]:
        cache = self.__dict__.get("_points")
        if cache is None:
            cache = tuple(p for t in self.tables for p in t.points)
            object.__setattr__(self, "_points", cache)
        return cache

    def point(self, point_id: str) -> DataPoint:
        return self._points_by_id[point_id]

    @property
    def _points_by_id(self) -> dict[str, DataPoint]:
        cache = self.__dict__.get("_pid")
        if cache is None:
            cache = {p.id: p for p in self.points}
            object.__setattr__(self, "_pid", cache)
        return cache

    def applies_to(self, year: int) -> bool:
        return year >= self.first_year and (self.last_year is None or year <= self.last_year)

    def years_text(self) -> str:
        return f"{self.first_year}–{self.last_year}" if self.last_year else f"{self.first_year} 起"

    def labels(self, point_id: str) -> tuple[str, str, str]:
        """(table, row, column) labels as printed."""
        p = self.point(point_id)
        table = self.table(p.table)
        return table.label, table.row(p.row).label, table.column_label(p.column)


def schema_hash(schema: dict[str, Any]) -> str:
    canonical = json.dumps(schema, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def inline_refs(schema: dict) -> dict:
    """The schema with every local ``$ref`` replaced by its target (the edition schemas are not
    recursive), so validation does not resolve references cell by cell."""
    def walk(node, depth=0):
        if depth > 50:
            raise InputError("$ref 嵌套过深（模式是递归的？）")
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/"):
                target = schema
                for part in ref[2:].split("/"):
                    target = target[part]
                merged = dict(walk(target, depth + 1))
                merged.update({k: walk(v, depth + 1) for k, v in node.items() if k != "$ref"})
                return merged
            return {k: (v if k in ("$defs", "x-layout") else walk(v, depth + 1)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, depth + 1) for v in node]
        return node
    out = walk(schema)
    out.pop("$defs", None)
    return out


def _cell_type(leaf: dict[str, Any]) -> CellType:
    types = leaf.get("type")
    integer = types == "integer" or (isinstance(types, list) and "integer" in types)
    return CellType(
        key=leaf.get("x-type", "integer" if integer else "number"),
        integer=integer,
        minimum=leaf.get("minimum"),
        input_message=dict(leaf.get("x-input-message", {})),
    )


def build_model(schema: dict[str, Any], path: str | None = None) -> Edition:
    tables = []
    for tkey, tnode in inline_refs(schema)["properties"].items():
        groups: dict[str, str] = {}
        for kw in ("x-groups", "x-column-groups", "x-blocks"):
            groups.update({k: v["label"] for k, v in tnode.get(kw, {}).items()})
        rows, points = [], []
        for rkey, rnode in tnode["properties"].items():
            cols = []
            for ckey, cnode in rnode["properties"].items():
                cols.append(Column(ckey, cnode["x-label"], tuple(cnode.get("x-groups", ()))))
                points.append(DataPoint(tkey, rkey, ckey, _cell_type(cnode)))
            rows.append(Row(rkey, rnode["x-label"], tuple(cols), tuple(rnode.get("x-groups", ())), rnode.get("x-block")))
        tables.append(Table(tkey, tnode["x-label"], tnode.get("x-sheet", tkey)[:31], tuple(rows), groups,
                            tnode.get("x-note"), tnode.get("x-layout", {}), tuple(points)))
    rules = {k: Rule(k, v["severity"], v.get("scope", ""), dict(v.get("title", {})))
             for k, v in schema.get("x-rules", {}).items()}
    years = schema["x-years"]
    return Edition(
        id=schema.get("$id", ""), edition=str(schema["x-edition"]), title=schema.get("title", ""),
        issued_by=schema.get("x-issued-by", ""), first_year=int(years["first"]),
        last_year=years.get("last"), fingerprints=tuple(schema.get("x-fingerprints", ())),
        report_title=schema.get("x-report-title", "{organ}{year}年政府信息公开工作年度报告"),
        tables=tuple(tables), rules=rules, schema=schema, sha256=schema_hash(schema), path=path,
    )


@lru_cache(maxsize=None)
def meta_schema() -> dict[str, Any]:
    return json.loads((schemas_dir() / META_SCHEMA_FILE).read_text(encoding="utf-8"))


def schema_problems(schema: Any) -> list[str]:
    """Everything wrong with a schema: against draft 2020-12, against our keyword meta-schema,
    and the cross-references the meta-schema cannot express. Empty when the schema is usable."""
    from jsonschema import Draft202012Validator

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
    from .layout import layout_problems
    for table in model.tables:
        problems.extend(layout_problems(table))
    from .keywords import rule_references
    for rule_id in rule_references(schema):
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
    return build_model(schema, str(path))


@lru_cache(maxsize=None)
def shipped() -> dict[str, Edition]:
    """The shipped editions, keyed by edition name, oldest first."""
    out = {}
    for path in sorted(schemas_dir().glob("*.schema.json")):
        if path.name == META_SCHEMA_FILE:
            continue
        schema = json.loads(path.read_text(encoding="utf-8"))
        model = build_model(schema, str(path))
        out[model.edition] = model
    return dict(sorted(out.items()))


def edition(name: str) -> Edition:
    editions = shipped()
    if name not in editions:
        raise InputError(f"未知的格式版本「{name}」；可用的版本：{'、'.join(editions)}")
    return editions[name]


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
