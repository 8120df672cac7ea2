"""The command line: thin click commands that parse options, call plain functions and print.

Imports of everything heavy are deferred into the commands so that `xlcheck --version` and
`--help` start fast.
"""
from __future__ import annotations

import datetime
import gc
import os
import re
import signal
import sys
from pathlib import Path

import click

from .errors import InputError, Terminated
from .findings import printable
from .version import __version__

# Every other import of xlcheck is made inside the command that needs it, so that `--version`,
# `--help` and a usage error do not pay for loading the checker (start-up time).

LANGS = click.Choice(["zh", "en"])


def _fail(message: str) -> None:
    click.echo(f"xlcheck：{printable(message)}", err=True)
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
    from .model import editions as schemas                        # deferred: start-up time
    from .model.workbook import template_name
    from .outputs.template import Options, write_template

    try:
        if printable(organ) != organ:
            raise InputError(f"机关名称「{printable(organ)}」含有控制字符，不能写入工作簿")
        if year is not None and year < 2019:
            raise InputError(f"报告年度 {year} 早于 2019 年，没有适用的格式（年度报告格式自 2019 年起施行）")
        if year is None:
            year = datetime.date.today().year - 1
        if schema_path:
            model = schemas.load_schema_file(schema_path)
        elif edition_name:
            model = schemas.edition(edition_name)
        else:
            model = schemas.edition_for_year(year)
        out = output or template_name(year)
        if not out.lower().endswith((".xlsx", ".xlsm")):
            raise InputError(f"{out}：输出文件须以 .xlsx 结尾")
        path = write_template(model, out, Options(year=year, organ=organ, formulas=formulas, lang=lang))
    except InputError as exc:
        _fail(str(exc))
    note = "" if model.applies_to(year) else f"（注意：{year} 年度的报告不适用该版格式）"
    click.echo(f"已生成 {printable(path)}：{model.title}，{year} 年度{note}")


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(), help="标注副本的路径（多个文件时为目录）。默认：<文件名>.checked.xlsx")
@click.option("--no-annotate", is_flag=True, help="不写标注副本，只输出结果。")
@click.option("--in-place", is_flag=True, help="直接写入输入文件（先保留 <文件名>.bak 备份）。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="输出格式。")
@click.option("--lang", type=LANGS, default="zh", show_default=True, help="信息的语言。")
@click.option("--strict", is_flag=True, help="警告也算作错误（退出码 1）。")
@click.option("--explain-reading", is_flag=True, help="列出每张表读到的每一行（位置、所印标签、数字），便于核对读取是否正确。")
@click.option("--year", type=int, help="报告年度（默认从工作簿或报告标题读取）。")
@click.option("--edition", "edition_name", help="按指定版本校验（2019 或 2021）。")
@click.option("--schema", "schema_path", type=click.Path(dir_okay=False), help="按自定义模式文件校验。")
@click.option("--severity", "severity", multiple=True, metavar="RULE=LEVEL", help="改变规则的级别：error、warning 或 off（可多次使用）。")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="并行进程数（默认：CPU 核数）。")
@click.option("--summary", "summary_path", type=click.Path(dir_okay=False), help="写出汇总表（.xlsx 或 .csv）：每个文件一行，另列全部问题。")
@click.option("--previous", "previous", type=click.Path(dir_okay=False), help="上一年度的报告（只校验一个文件时），用于校验上年结转等衔接关系。")
@click.option("--previous-dir", "previous_dir", type=click.Path(file_okay=False), help="上一年度报告所在目录，按机关名称（其次按文件名）逐一匹配。")
@click.option("--explanations", type=click.Path(dir_okay=False), help="核实说明文件（JSON，或装有 PyYAML 时的 YAML）：按文件或机关、规则、数据项给出警告的说明。")
@click.option("--quiet", "-q", is_flag=True, help="只列出有错误或无法校验的文件，最后给出统计。")
@click.option("--verbose", "-v", is_flag=True, help="逐条列出同一张表中同类的问题（默认合并为一行）。")
def verify(paths, output, no_annotate, in_place, fmt, lang, strict, explain_reading, year, edition_name, schema_path, severity,
           jobs, summary_path, previous, previous_dir, explanations, quiet, verbose):
    """校验填好的工作簿或已公开的报告（文件、目录或通配符）。 Check filled workbooks or published reports.

    退出码：0 没有错误（可有警告），1 发现错误，2 有文件无法校验，130 被 Ctrl-C 中断，143 被终止（SIGTERM）。
    """
    from .batch import expand, expand_all                         # deferred: start-up time
    from .check import Options
    from .check.explain import load as load_explanations
    from .check.result import severity_overrides
    from .model import editions as schemas
    from .office import Show, verify_files
    from .verify import Plan, plan_outputs, same_file

    try:
        if in_place and (output or no_annotate):
            raise InputError("--in-place 不能与 -o 或 --no-annotate 同时使用")
        if previous and previous_dir:
            raise InputError("--previous 与 --previous-dir 只能用一个")
        if schema_path:
            schemas.load_schema_file(schema_path)
            spec = ("path", schema_path)
        elif edition_name:
            schemas.edition(edition_name)
            spec = ("edition", edition_name)
        else:
            spec = None
        if quiet and verbose:
            raise InputError("--quiet 与 --verbose 只能用一个")
        options = Options(lang=lang, strict=strict, year=year, severities=severity_overrides(severity),
                          explain_reading=explain_reading, explanations=load_explanations(explanations) if explanations else ())
        found = expand_all(list(paths))
        files = found.files
        if previous and len(files) > 1:
            raise InputError("--previous 只能用于一个文件；校验多个文件请用 --previous-dir")
        if output and len(files) > 1 and not Path(output).is_dir():
            raise InputError(f"{output}：校验多个文件时 -o 须为已存在的目录")
        if summary_path and not summary_path.lower().endswith((".xlsx", ".csv")):
            raise InputError(f"{summary_path}：汇总文件须以 .xlsx 或 .csv 结尾")
        plan = Plan(annotate=not no_annotate, output=output, in_place=in_place, many=len(files) > 1)
        plan_outputs(files, plan)
        if summary_path:
            from .outputs.summary import summary_paths             # deferred: start-up time (only with --summary)
            outputs = {same_file(t) for t in plan.targets.values()} | {same_file(f) for f in files}
            for written in summary_paths(summary_path):
                if same_file(written) in outputs | plan.inputs:
                    raise InputError(f"{written}：汇总文件是本次校验的输入文件或标注副本，不能覆盖")
        index = None
        if previous_dir:
            if not Path(previous_dir).is_dir():
                raise InputError(f"{previous_dir}：上一年度报告目录不存在")
            from .previous import PreviousIndex                   # deferred: start-up time
            index = PreviousIndex.build(expand([previous_dir]))
    except InputError as exc:
        _fail(str(exc))
    code = verify_files(found, spec, options, plan, jobs or os.cpu_count() or 1, Show(fmt, lang, quiet, verbose),
                        summary_path, previous, index)
    sys.exit(code)


@cli.command()
@click.argument("path", type=click.Path())
@click.option("-o", "--output", type=click.Path(), help="写到另一个文件（默认：直接清除输入文件中的标注，并保留 .bak 备份）。")
def clear(path, output):
    """清除 xlcheck 的标注（批注、填充色、校验结果表）。 Remove every mark xlcheck made."""
    from .verify import clear_path                                # deferred: start-up time

    result = clear_path(path, output)
    if result.status == "error":
        _fail(result.error)
    click.echo(f"已清除 {result.notes[0]} 个单元格的标注：{printable(result.output)}")


@cli.group()
def addin():
    """Excel 加载项：功能区按钮「校验当前工作簿」。 The Excel add-in."""


@addin.command("build")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), default=".", show_default=True, help="输出目录。")
def addin_build(out_dir):
    """生成 xlcheck.xlam（由 xlwings 自带的功能区加载项模板生成）。"""
    from .addin import build                                      # deferred: start-up time
    try:
        path = build(out_dir)
    except InputError as exc:
        _fail(str(exc))
    click.echo(f"已生成 {path}")


@addin.command("install")
def addin_install():
    """把 xlcheck.xlam 装到 Excel 启动时加载的目录，并让按钮使用当前的 Python。"""
    from .addin import install                                    # deferred: start-up time
    try:
        path, conf = install()
    except InputError as exc:
        _fail(str(exc))
    click.echo(f"已安装 {path}\n按钮使用的 Python：{sys.executable}（写入 {conf}）\n请重新启动 Excel，功能区会出现「政务公开校验」选项卡。")


@cli.group()
def wps():
    """WPS 表格加载项：功能区「政务公开校验」。 The WPS add-in (served by xlcheck serve under /wps/)."""


@wps.command("build")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), required=True, help="输出目录。")
@click.option("--server", required=True, help="xlcheck serve 的地址，例如 http://10.0.0.5:8000 。")
@click.option("--token", default=None, help="服务器的访问令牌（服务器设置了 --token 时）。")
@click.option("--url", default=None, help="加载项部署后的地址（以 / 结尾）；给出时一并写出 jsplugins.xml 和 publish.html。")
def wps_build(out_dir, server, token, url):
    """把 WPS 加载项写成静态文件，由单位自行部署。"""
    from .wps.build import build                                  # deferred: start-up time
    written = build(out_dir, server, token, url)
    click.echo(f"已写出 {len(written)} 个文件到 {out_dir}" + ("" if url else "（未给出 --url：没有写 jsplugins.xml 和 publish.html）"))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址；0.0.0.0 向内网提供服务。")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="端口。")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="校验进程数（默认：CPU 核数）。")
@click.option("--keep", default="1h", show_default=True, help="结果（标注副本、汇总表）保留多久，例如 30m、1h、1d。")
@click.option("--token", default=None, help="访问令牌：设置后每个请求都须带上（也可用环境变量 XLCHECK_TOKEN）。")
@click.option("--root-path", default="", help="在反向代理的路径前缀下提供服务时的前缀，例如 /xlcheck。")
@click.option("--max-size", type=click.IntRange(min=1), default=50, show_default=True, help="每次请求上传的总大小上限（MB）。")
@click.option("--max-files", type=click.IntRange(min=1), default=100, show_default=True, help="每次请求的文件数上限。")
def serve(host, port, jobs, keep, token, root_path, max_size, max_files):
    """启动网页和 HTTP 接口（需要 pip install 'xlcheck[server]'）。 Serve the page and the HTTP API."""
    try:
        from .server.config import Config, parse_duration, token_from
        from .server.run import serve as run_server               # deferred: optional extra (xlcheck[server])
    except ImportError as exc:
        _fail(f"xlcheck serve 需要服务器组件（缺少 {exc.name}），请先安装：pip install 'xlcheck[server]'")
    try:
        cfg = Config(host=host, port=port, jobs=jobs or os.cpu_count() or 1, keep=parse_duration(keep),
                     token=token_from(token), root_path=root_path.rstrip("/"), max_size=max_size * 1024 * 1024,
                     max_files=max_files)
    except InputError as exc:
        _fail(str(exc))
    run_server(cfg)


@cli.command("schemas")
def list_schemas():
    """列出内置的格式版本。 List the shipped format editions."""
    from .model import editions as schemas                       # deferred: start-up time

    for model in schemas.shipped().values():
        counts = " / ".join(f"{t.key} {len(t.points)}" for t in model.tables)
        click.echo(f"{model.edition}\t{model.issued_by}\t适用年度 {model.years_text()}\t{counts}\t{model.path}")


_CLICK_PHRASES = [
    (r"No such command '(.+)'\.", r"没有命令「\1」"),
    (r"'(.*)' is not a valid integer\.", r"「\1」不是整数"),
    (r"'(.*)' is not one of (.+)\.", r"「\1」不是可选值（\2）之一"),
    (r"Option '(.+)' requires an argument\.", r"选项 \1 需要一个值"),
    (r"Got unexpected extra arguments? \((.+)\)", r"多余的参数：\1"),
]


def _zh(message: str) -> str:
    for pattern, repl in _CLICK_PHRASES:
        message = re.sub(pattern, repl, message)
    return message


def _terminated(signum, frame):
    raise Terminated(signum)


def run(argv=None):
    """Console-script entry: click with Chinese one-line usage errors and no tracebacks. SIGTERM
    and SIGHUP end the run as Ctrl-C does, so temporary files are removed on the way out; the exit
    code is 128 + the signal's number (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP), as a shell reports a
    process the signal ended. Output is UTF-8 whatever the locale (LANG=C included)."""
    for stream in (sys.stdout, sys.stderr):
        if (getattr(stream, "encoding", None) or "utf-8").lower().replace("-", "") != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="backslashreplace")
    for name in ("SIGTERM", "SIGHUP"):
        try:
            signal.signal(getattr(signal, name), _terminated)
        except (AttributeError, ValueError):      # not on this platform, or not the main thread
            pass
    try:
        cli.main(args=argv, prog_name="xlcheck", standalone_mode=False)
    except click.exceptions.NoSuchOption as exc:
        _fail(f"没有选项 {exc.option_name}（运行 xlcheck --help 查看用法）")
    except click.exceptions.MissingParameter as exc:
        _fail(f"缺少参数 {exc.param.get_error_hint(exc.ctx) if exc.param else ''}（运行 xlcheck --help 查看用法）")
    except click.exceptions.BadParameter as exc:
        hint = exc.param.get_error_hint(exc.ctx) if exc.param else ""
        _fail(f"参数 {hint} 的值无效：{_zh(exc.message)}")
    except click.exceptions.UsageError as exc:
        _fail(f"用法错误：{_zh(exc.format_message())}（运行 xlcheck --help 查看用法）")
    except (click.exceptions.Abort, KeyboardInterrupt, Terminated) as exc:     # click turns Ctrl-C into Abort
        click.echo("xlcheck：已中断", err=True)
        sys.exit(128 + exc.signum if isinstance(exc, Terminated) else 130)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except InputError as exc:
        _fail(str(exc))
    except Exception as exc:          # a bug: one line, never a traceback
        _fail(f"内部错误（{exc.__class__.__name__}: {printable(exc)[:200]}），请报告此问题")
    sys.exit(0)


def main():
    """The console script: `run` in a process of its own. Such a process makes most of its
    objects once (modules, the edition model) and keeps them to its end, so the collector is
    told to look less often, and at exit not to go over them all once more just before the
    process frees them anyway (together ~8 ms of a one-file run: bench/startup.py)."""
    gc.set_threshold(20_000, 10, 10)
    try:
        run()
    finally:
        gc.freeze()
