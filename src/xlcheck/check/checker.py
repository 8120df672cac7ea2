"""Grid + edition model → JSON instance → findings.

Scopes, as frictionless organises its checks: cell (how each value was read, its type: `cells`),
row and table (the arithmetic keywords of the schema, mapped back by `mapping`), report (edition,
prose: `narrative`), and the diagnosis over every broken identity. The arithmetic and the types
are checked by jsonschema with our keywords; nothing here knows a table by name.
"""
from __future__ import annotations

from ..findings import Finding, about, shown
from ..grid import Grid
from ..locate import locate
from ..model.schema import Edition
from ..model.workbook import addin_settings_sheets
from ..rules.compiled import surely_valid
from ..sources.open import read_source
from .cells import read_cells
from .explain import explain
from .result import Options, Result, finish, guarded, status_of


def check_grid(grid: Grid, model: Edition | None = None, options: Options | None = None) -> Result:
    options = options or Options()
    located = locate(grid, model, options.year)
    model = located.model
    places = {point: grid.where(*ref) for point, ref in located.cells.items()}
    result = Result(path=grid.path, edition=model.edition, model=model, places=places, source_format=grid.format,
                    report=grid.report)
    result.organ = located.meta.get("organ") or None
    result.year = options.year or _int(located.meta.get("report_year"))
    if result.year:
        result.year_source = "option" if options.year else located.meta.get("year_source", "template")
    findings: list[Finding] = list(located.findings)
    if result.year and model.last_year is not None and result.year > model.last_year:
        findings.append(about(model, "edition.outdated",
                              detail={"kind": "text",
                                      "zh": f"{result.year} 年度的报告使用了已停用的 {model.edition} 年版表格（{model.issued_by}，适用于 {model.years_text()} 年度）",
                                      "en": f"a {result.year} report uses the outdated {model.edition} edition ({model.issued_by}, for {model.years_text()})"}))

    settings = addin_settings_sheets(s.name for s in grid.sheets)
    if settings:
        names = "、".join(f"「{shown(n)}」" for n in settings)
        findings.append(about(model, "workbook.addin_settings", detail={
            "kind": "text", "zh": f"工作簿含有工作表 {names}：xlwings 加载项会把这样的工作表当作设置或代码读取（可让按钮运行别的程序）；"
                                  "不要在这个工作簿上按加载项的按钮，xlcheck 的按钮也会拒绝它",
            "en": f"the workbook carries the sheet(s) {names}, which an xlwings add-in reads as settings or code "
                  "(they can make its button run another program); do not press an add-in's button on it"}))
    result.instance, result.reads, cell_findings = read_cells(grid, model, located.cells, places, located.values)
    findings.extend(cell_findings)
    if not surely_valid(model, result.instance):          # jsonschema gives every finding and its details
        from ..rules.registry import validator_for        # deferred: start-up time (jsonschema; a valid file needs none)
        from .mapping import findings_of
        for error in validator_for(model.schema).iter_errors(result.instance):
            if error.validator == "required" and not error.absolute_path:
                continue                      # a whole table not found: reported once by the locator
            findings.extend(findings_of(model, error, places))
    if grid.report and grid.text:
        from .narrative import prose_findings             # deferred: start-up time (only a published report has prose)
        findings.extend(prose_findings(grid.text, model, result.instance, places))
    if findings:
        from ..rules.registry import identity_rules       # deferred: start-up time (a file without findings needs none)
        from .diagnose import diagnose
        if any(f.rule in identity_rules(model) for f in findings):
            result.diagnosis = diagnose(model, result.instance, result.reads, places)
    if options.explain_reading:
        from .reading import reading                      # deferred: start-up time (only with --explain-reading)
        result.reading = reading(model, grid, located)
    result.findings = finish(findings, options)
    result.notes.extend(explain(result.findings, grid, result.path, result.organ, options.explanations, options.lang))
    result.status = status_of(result.findings, options.strict)
    return result


def _int(v) -> int | None:
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def check_file(path: str, model: Edition | None = None, options: Options | None = None) -> Result:
    """Read and check one file; any problem becomes a Result with status `error`."""
    return guarded(path, lambda: check_grid(read_source(path), model, options))
