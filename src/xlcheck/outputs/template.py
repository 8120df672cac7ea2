"""The blank workbook a clerk fills in: the edition model drawn the other way, schema → workbook.

One sheet per table, laid out from the table's `x-layout`. Every data point gets an unlocked,
validated input cell (a locked SUM with `--formulas` for a total) and a workbook-level defined
name equal to its data-point id (``requests.new.natural_person``); the schema's relations are
checked live by the spreadsheet application (`live`); a hidden sheet records which schema the
workbook was made from. The file is deterministic: the same schema and options give the same bytes.
"""
from __future__ import annotations

import datetime as _dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.writer.excel import ExcelWriter

from ..fileio import atomic_write_bytes
from ..model.layout import Placed, place, size
from ..model.schema import Edition, Table
from ..model.workbook import META_SHEET, TITLE_ROWS, cell_positions, defined_name, meta_rows
from ..version import __version__
from .live import add_live_checks, runs, schema_relations

FIXED_TIME = _dt.datetime(2021, 1, 1)          # document properties of every generated file
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
HEADER_FILL = "FFF2F2F2"
INPUT_FILL = "FFFFFFFF"


@dataclass(frozen=True)
class Options:
    year: int | None = None
    organ: str = ""
    formulas: bool = False
    lang: str = "zh"


def report_title(model: Edition, opts: Options) -> str:
    year = str(opts.year) if opts.year else "____"
    return model.report_title.format(organ=opts.organ or "", year=year)


def build_workbook(model: Edition, opts: Options = Options()):
    wb = Workbook()
    wb.remove(wb.active)
    formulas = _total_formulas(model) if opts.formulas else {}
    positions = cell_positions(model)
    for table in model.tables:
        _draw_table(wb, model, table, opts, formulas, positions)
    add_live_checks(wb, model, opts.lang)
    for point in model.points:
        sheet, row, col = positions[point.id]
        ref = f"{quote_sheetname(sheet)}!${get_column_letter(col)}${row}"
        wb.defined_names[defined_name(point.id)] = DefinedName(defined_name(point.id), attr_text=ref)
    _write_meta(wb, model, opts)
    props = wb.properties
    props.creator = props.lastModifiedBy = "xlcheck"
    props.created = props.modified = FIXED_TIME
    props.title = report_title(model, opts)
    return wb


def _total_formulas(model: Edition) -> dict[str, tuple[str, list[str]]]:
    """total data point → its parts, from the schema's sum rules (the first rule wins)."""
    out: dict[str, tuple[str, list[str]]] = {}
    for rel, base in schema_relations(model, kinds=("x-sum",)):
        total = ".".join(base + rel.target)
        out.setdefault(total, (total, [".".join(base + p) for p in rel.right]))
    return out


def _draw_table(wb, model: Edition, table: Table, opts: Options, formulas, positions):
    ws = wb.create_sheet(table.sheet)
    height, width = size(table)
    top = TITLE_ROWS + 1
    thin = Side(style="thin", color="FF000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)

    ws.cell(1, 1, report_title(model, opts)).font = Font(name="宋体", size=14, bold=True)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(2, 1, table.label).font = Font(name="黑体", size=12, bold=True)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws.row_dimensions[1].height = 28

    for r in range(top, top + height):          # borders first: merged cells keep the outer ones
        for c in range(1, width + 1):
            ws.cell(r, c).border = border
    validations: dict[str, DataValidation] = {}
    for p in place(table):
        cell = ws.cell(top + p.row, 1 + p.col)
        if p.kind == "point":
            dim = ws.row_dimensions[top + p.row]
            dim.height = max(dim.height or 0, 20)
            _input_cell(ws, cell, model.point(p.text), formulas.get(p.text), positions, validations, opts)
        else:
            cell.value = p.text
            cell.font = Font(name="宋体", size=10, bold=p.role in ("caption",))
            cell.alignment = center if p.role in ("header", "caption") else left
            if p.role in ("header", "caption"):
                cell.fill = header_fill
        if p.kind != "point" and p.rowspan == 1:
            _fit_height(ws, table, p, top)
        if p.rowspan > 1 or p.colspan > 1:
            ws.merge_cells(start_row=top + p.row, start_column=1 + p.col,
                           end_row=top + p.row + p.rowspan - 1, end_column=1 + p.col + p.colspan - 1)
    for dv in validations.values():
        ws.add_data_validation(dv)
    for i, w in enumerate(table.layout.get("widths", []), start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    freeze = table.layout.get("freeze")
    if freeze:
        ws.freeze_panes = ws.cell(top + freeze, 1)
        ws.print_title_rows = f"{top}:{top + freeze - 1}"
    ws.protection.sheet = True
    ws.protection.formatCells = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = table.layout.get("orientation", "portrait")
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.print_area = f"A1:{get_column_letter(width)}{top + height - 1}"


def _fit_height(ws, table: Table, p: Placed, top: int) -> None:
    """Give a wrapped label row enough height for its text (a CJK character is ~2 width units)."""
    widths = table.layout.get("widths", [])
    span = sum(widths[p.col:p.col + p.colspan]) if widths else 10 * p.colspan
    units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in p.text)
    lines = max(1, -(-int(units * 1.1) // max(int(span), 1)))
    dim = ws.row_dimensions[top + p.row]
    dim.height = max(dim.height or 15, 14 * lines + 2)


def _input_cell(ws, cell, point, formula, positions, validations, opts: Options):
    """A data point's cell: unlocked and validated, or with `formula` (a total as the SUM of its
    parts on the same sheet) locked, so the formula cannot be typed over."""
    cell.alignment = Alignment(horizontal="center", vertical="center")
    cell.font = Font(name="宋体", size=10)
    t = point.type
    cell.number_format = "0" if t.integer else "0.00##"
    parts = [positions[p] for p in formula[1]] if formula else []
    if parts and all(s == ws.title for s, _, _ in parts):
        refs = [f"{get_column_letter(c)}{r}" for _, r, c in parts]
        cell.value = "=SUM(" + ",".join(refs[a] if a == b else f"{refs[a]}:{refs[b]}" for a, b in runs(parts)) + ")"
    cell.protection = Protection(locked=cell.value is not None)
    key = t.key
    if key not in validations:
        if t.integer:
            dv = DataValidation(type="whole", operator="greaterThanOrEqual" if t.minimum is not None else "between",
                                formula1=str(int(t.minimum)) if t.minimum is not None else "-1000000000",
                                formula2=None if t.minimum is not None else "1000000000", allow_blank=True)
        else:
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1=str(t.minimum or 0), allow_blank=True)
        msg = t.input_message.get(opts.lang) or t.input_message.get("zh", "")
        dv.promptTitle = "填写说明" if opts.lang == "zh" else "Input"
        dv.prompt = msg[:255]
        dv.showInputMessage = True
        dv.errorTitle = "数值无效" if opts.lang == "zh" else "Invalid value"
        dv.error = msg[:225]
        dv.showErrorMessage = True
        validations[key] = dv
    validations[key].add(cell.coordinate)


def _write_meta(wb, model: Edition, opts: Options):
    ws = wb.create_sheet(META_SHEET)
    for row in meta_rows(model, opts.year, opts.organ, opts.formulas, f"xlcheck {__version__}"):
        ws.append(list(row))
    ws.sheet_state = "hidden"
    ws.protection.sheet = True


def workbook_bytes(wb) -> bytes:
    """Serialise deterministically: fixed document times, fixed zip timestamps, stable order."""
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def write_template(model: Edition, path: str | Path, opts: Options = Options()) -> Path:
    return atomic_write_bytes(Path(path), workbook_bytes(build_workbook(model, opts)))


def fill(wb, model: Edition, values: dict[str, object]) -> None:
    """Write values into a workbook built by `build_workbook`, by data-point id."""
    positions = cell_positions(model)
    for point_id, value in values.items():
        sheet, row, col = positions[point_id]
        wb[sheet].cell(row, col).value = value

