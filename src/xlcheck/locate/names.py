"""Locating by the conventions of a workbook xlcheck made: each data point's defined name, and
the hidden meta sheet naming the schema it was made from."""
from __future__ import annotations

from ..grid import Grid
from ..model import editions
from ..model.schema import Edition
from ..model.workbook import META_SHEET, defined_name, read_meta
from .location import Location


def template_meta(grid: Grid) -> dict[str, str]:
    sheet = grid.sheet(META_SHEET)
    return read_meta(sheet.rows(2)) if sheet else {}


def _edition_from_names(grid: Grid) -> Edition | None:
    best, score = None, 0
    for model in editions.shipped().values():
        hits = sum(1 for p in model.points if defined_name(p.id) in grid.names)
        if hits > score:
            best, score = model, hits
    return best


def choose_edition(grid: Grid, meta: dict[str, str]) -> Edition | None:
    """The edition the meta sheet names (the one it was made from: a province's schema that keeps
    an edition's name is checked by that edition), else the shipped one whose hash it carries,
    else the one most of the defined names belong to."""
    if meta.get("edition") in editions.names():
        return editions.edition(meta["edition"])
    if meta.get("schema_sha256"):
        model = editions.by_hash(meta["schema_sha256"])
        if model:
            return model
    return _edition_from_names(grid)


def locate_by_names(grid: Grid, model: Edition | None, meta: dict[str, str]) -> Location | None:
    """The Location of every data point that has its defined name, or None when none has."""
    chosen = model or choose_edition(grid, meta)
    if chosen is None:
        return None
    names = grid.names
    cells = {p.id: names[name] for p in chosen.points if (name := defined_name(p.id)) in names}
    return Location(chosen, cells, meta=meta) if cells else None
