"""An edition schema read into a small read-only model.

Everything xlcheck knows about a table comes from here: the tables, their rows and columns
with the labels as printed, the cell types, the template layout and the rule catalogue. The
model is built from the JSON Schema alone; nothing about a particular table is written in Python.
The JSON instance a report becomes has the schema's shape, {table: {row: {column: value}}};
`value_at` and `flatten` are the one way to read it by data-point id.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..errors import InputError


# The small records of the model are named tuples: read-only like the rest, and made in a
# fraction of a frozen dataclass's time at start-up (what one file on the command line pays).

class CellType(NamedTuple):
    key: str                 # count | signed_count | amount (from x-type)
    integer: bool
    minimum: float | None
    input_message: dict[str, str]


class Column(NamedTuple):
    key: str
    label: str
    groups: tuple[str, ...] = ()


class Row(NamedTuple):
    key: str
    label: str
    columns: tuple[Column, ...]
    groups: tuple[str, ...] = ()
    block: str | None = None


class DataPoint(NamedTuple):
    table: str
    row: str
    column: str
    type: CellType
    id: str                     # table.row.column, the contract key (`point`)

    @classmethod
    def point(cls, table: str, row: str, column: str, type: CellType) -> DataPoint:
        return cls(table, row, column, type, f"{table}.{row}.{column}")


@dataclass(frozen=True, eq=False)     # one object per table of a model: the same table is the same object
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


class Rule(NamedTuple):
    id: str
    severity: str
    scope: str
    title: dict[str, str]


@dataclass(frozen=True, eq=False)     # one object per edition read: compared (and hashed) as itself
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
    path: str | None = None
    inlined: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)   # `inline_refs(schema)`

    @property
    def sha256(self) -> str:
        """The schema's fingerprint (`schema_hash`), which a template's meta sheet carries."""
        cache = self.__dict__.get("_sha256")
        if cache is None:
            cache = schema_hash(self.schema)
            object.__setattr__(self, "_sha256", cache)
        return cache

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

    def severity(self, rule: str) -> str:
        """The severity of `rule`: the schema's ``x-rules`` say it (a custom schema that does not
        list one of xlcheck's own rules gets the shipped editions' severity when it is loaded, see
        `editions.load_schema_file`); a rule listed nowhere is an error."""
        found = self.rules.get(rule)
        return found.severity if found is not None else "error"

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
    import hashlib                  # deferred: start-up time (OpenSSL; only a template's meta sheet needs the hash)

    canonical = json.dumps(schema, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def inline_refs(schema: dict) -> dict:
    """The schema with every local ``$ref`` replaced by its target (the edition schemas are not
    recursive), so validation does not resolve references cell by cell. Each target is expanded
    once and shared by the nodes naming it (nothing changes a schema once read)."""
    expanded: dict[str, Any] = {}

    def walk(node, depth=0):
        if depth > 50:
            raise InputError("$ref 嵌套过深（模式是递归的？）")
        if isinstance(node, list):
            return [walk(v, depth + 1) if isinstance(v, (dict, list)) else v for v in node]
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            base = expanded.get(ref)
            if base is None:
                target = schema
                for part in ref[2:].split("/"):
                    target = target[part]
                base = expanded[ref] = walk(target, depth + 1) if isinstance(target, (dict, list)) else target
            merged = dict(base)
            merged.update({k: walk(v, depth + 1) if isinstance(v, (dict, list)) else v for k, v in node.items() if k != "$ref"})
            return merged
        return {k: v if k in _NOT_INLINED or not isinstance(v, (dict, list)) else walk(v, depth + 1) for k, v in node.items()}
    out = walk(schema)
    out.pop("$defs", None)
    return out


_NOT_INLINED = ("$defs", "x-layout")


def _cell_type(leaf: dict[str, Any]) -> CellType:
    types = leaf.get("type")
    integer = types == "integer" or (isinstance(types, list) and "integer" in types)
    return CellType(
        key=leaf.get("x-type", "integer" if integer else "number"),
        integer=integer,
        minimum=leaf.get("minimum"),
        input_message=dict(leaf.get("x-input-message", {})),
    )


def build_model(schema: dict[str, Any], path: str | None = None, default_rules: dict[str, Rule] | None = None) -> Edition:
    tables = []
    inlined = inline_refs(schema)
    for tkey, tnode in inlined["properties"].items():
        groups: dict[str, str] = {}
        for kw in ("x-groups", "x-column-groups", "x-blocks"):
            groups.update({k: v["label"] for k, v in tnode.get(kw, {}).items()})
        rows, points = [], []
        for rkey, rnode in tnode["properties"].items():
            cols = []
            for ckey, cnode in rnode["properties"].items():
                cols.append(Column(ckey, cnode["x-label"], tuple(cnode.get("x-groups", ()))))
                points.append(DataPoint.point(tkey, rkey, ckey, _cell_type(cnode)))
            rows.append(Row(rkey, rnode["x-label"], tuple(cols), tuple(rnode.get("x-groups", ())), rnode.get("x-block")))
        tables.append(Table(tkey, tnode["x-label"], tnode.get("x-sheet", tkey)[:31], tuple(rows), groups,
                            tnode.get("x-note"), tnode.get("x-layout", {}), tuple(points)))
    rules = dict(default_rules or {})
    rules.update({k: Rule(k, v["severity"], v.get("scope", ""), dict(v.get("title", {})))
                  for k, v in schema.get("x-rules", {}).items()})
    years = schema["x-years"]
    return Edition(
        id=schema.get("$id", ""), edition=str(schema["x-edition"]), title=schema.get("title", ""),
        issued_by=schema.get("x-issued-by", ""), first_year=int(years["first"]),
        last_year=years.get("last"), fingerprints=tuple(schema.get("x-fingerprints", ())),
        report_title=schema.get("x-report-title", "{organ}{year}年政府信息公开工作年度报告"),
        tables=tuple(tables), rules=rules, schema=schema, path=path, inlined=inlined,
    )


def value_at(instance: dict[str, Any], point_id: str) -> Any:
    """The value of data point ``table.row.column`` in an instance, or None where it is absent."""
    table, row, column = point_id.split(".")
    rows = instance.get(table)
    cells = rows.get(row) if isinstance(rows, dict) else None
    return cells.get(column) if isinstance(cells, dict) else None


def flatten(instance: dict) -> dict[str, object]:
    """{table: {row: {column: v}}} → {"table.row.column": v}."""
    return {f"{t}.{r}.{c}": v for t, rows in instance.items() for r, cols in rows.items() for c, v in cols.items()}


_DERIVED: dict[tuple[int, str], tuple[object, object]] = {}


def derived(owner, what: str, build):
    """`build()` computed once per model or table for the life of the process (models are read
    once and never change): the normalised labels and placements every report is compared with."""
    key = (id(owner), what)
    found = _DERIVED.get(key)
    if found is None or found[0] is not owner:
        found = _DERIVED[key] = (owner, build())
    return found[1]
