"""The command line: thin click commands that parse options, call plain functions and print.

Imports of everything heavy are deferred into the commands so that `xlcheck --version` and
`--help` start fast.
"""
from __future__ import annotations

import sys

import click

from . import __version__
from .errors import InputError

LANGS = click.Choice(["zh", "en"])


def _fail(message: str) -> None:
    click.echo(f"xlcheck：{message}", err=True)
    sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="xlcheck", message="%(prog)s %(version)s")
def cli():
    """xlcheck：政府信息公开工作年度报告统计表校验工具。

    Check the statistical tables of government information disclosure annual reports.
    """


@cli.command()
@click.option("--year", type=int, help="报告年度，决定使用哪一版格式（默认：上一年）。")
@click.option("--organ", default="", help="机关名称，写入标题。")
@click.option("--edition", "edition_name", help="指定格式版本（2019 或 2021），不按年度选择。")
@click.option("--schema", "schema_path", type=click.Path(dir_okay=False), help="使用自定义的模式文件。")
@click.option("--formulas", is_flag=True, help="总计栏写成求和公式（默认是普通输入单元格）。")
@click.option("--lang", type=LANGS, default="zh", show_default=True, help="输入提示的语言。")
@click.option("-o", "--output", type=click.Path(), help="输出文件（默认：<年度>年政府信息公开统计表.xlsx）。")
def template(year, organ, edition_name, schema_path, formulas, lang, output):
    """生成空白统计表模板。 Write the blank workbook for a report year."""
    from . import schema as schemas
    from .template import Options, write_template

    try:
        if year is not None and year < 2019:
            raise InputError(f"报告年度 {year} 早于 2019 年，没有适用的格式（年度报告格式自 2019 年起施行）")
        if year is None:
            import datetime
            year = datetime.date.today().year - 1
        if schema_path:
            model = schemas.load_schema_file(schema_path)
        elif edition_name:
            model = schemas.edition(edition_name)
        else:
            model = schemas.edition_for_year(year)
        out = output or f"{year}年政府信息公开统计表.xlsx"
        if not out.lower().endswith((".xlsx", ".xlsm")):
            raise InputError(f"{out}：输出文件须以 .xlsx 结尾")
        path = write_template(model, out, Options(year=year, organ=organ, formulas=formulas, lang=lang))
    except InputError as exc:
        _fail(str(exc))
    note = "" if model.applies_to(year) else f"（注意：{year} 年度的报告不适用该版格式）"
    click.echo(f"已生成 {path}：{model.title}，{year} 年度{note}")


@cli.command("schemas")
def list_schemas():
    """列出内置的格式版本。 List the shipped format editions."""
    from . import schema as schemas

    for model in schemas.shipped().values():
        counts = " / ".join(f"{t.key} {len(t.points)}" for t in model.tables)
        click.echo(f"{model.edition}\t{model.issued_by}\t适用年度 {model.years_text()}\t{counts}\t{model.path}")


def run(argv=None):
    """Console-script entry: click with Chinese one-line usage errors and no tracebacks."""
    try:
        cli.main(args=argv, prog_name="xlcheck", standalone_mode=False)
    except click.exceptions.NoSuchOption as exc:
        _fail(f"没有选项 {exc.option_name}（运行 xlcheck --help 查看用法）")
    except click.exceptions.MissingParameter as exc:
        _fail(f"缺少参数 {exc.param.get_error_hint(exc.ctx) if exc.param else ''}（运行 xlcheck --help 查看用法）")
    except click.exceptions.BadParameter as exc:
        hint = exc.param.get_error_hint(exc.ctx) if exc.param else ""
        _fail(f"参数 {hint} 的值无效：{exc.message}")
    except click.exceptions.UsageError as exc:
        _fail(f"用法错误：{exc.format_message()}（运行 xlcheck --help 查看用法）")
    except click.exceptions.Abort:
        _fail("已中止")
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except InputError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        _fail("已中断")
    sys.exit(0)
