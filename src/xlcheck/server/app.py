"""The Starlette application: the page, the API, downloads and the blank template. Each route
parses the request, hands the work to the worker pool and renders what comes back."""
from __future__ import annotations

import asyncio
import contextlib
import datetime
import re
import shutil
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..check import Options, Result
from ..check.explain import load as load_explanations
from ..check.result import severity_overrides
from ..errors import InputError
from ..model import editions
from ..model.workbook import template_name
from ..outputs.report import to_json
from ..verify import Plan, default_output
from ..wps import build as wps_build, plan as wps_plan
from . import pool as tasks
from .config import Config
from .guard import Guard, refusal
from .openapi import document as openapi_document
from .page import page, results_html
from .store import Download, Folder, Store

SUMMARY_NAME = "校验汇总.xlsx"
XLSM = "application/vnd.ms-excel.sheet.macroEnabled.12"
TRUE = ("1", "true", "on", "yes")


class Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def display_name(raw: str | None, index: int) -> str:
    """The client's file name, for showing only: its last component, printable, not too long."""
    name = PurePosixPath((raw or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable()).strip()[:120]
    return name or f"文件{index}"


def stored_name(display: str, key: str) -> str:
    """The name a file is saved under: our key and, when it looks like one, the client's suffix
    (so the readers' suffix rules and messages apply as on the command line)."""
    suffix = Path(display).suffix.lower()
    return key + (suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else "")


def _copy(upload, target: Path) -> None:
    upload.seek(0)
    with open(target, "wb") as out:
        shutil.copyfileobj(upload, out, 1024 * 1024)


def relabel(result: Result, names: dict[str, str]) -> Result:
    """Our stored paths replaced by the names the client knows, wherever a message carries them."""
    def sub(text):
        if not isinstance(text, str):
            return text
        for old, new in names.items():
            text = text.replace(old, new)
        return text
    result.path = sub(result.path)
    result.error = sub(result.error)
    result.notes = [sub(n) for n in result.notes]
    if result.continuity is not None:
        result.continuity = {k: sub(v) for k, v in result.continuity.items()}
    for f in result.findings:
        f.message = sub(f.message)
    return result


def _options(form) -> tuple[Options, str | None, bool]:
    year = (form.get("year") or "").strip()
    if year and not year.isdigit():
        raise Refused(400, f"报告年度「{year}」不是整数")
    lang = form.get("lang") or "zh"
    if lang not in ("zh", "en"):
        raise Refused(400, f"语言「{lang}」无效：应为 zh 或 en")
    edition = form.get("edition") or None
    if edition and edition not in editions.shipped():
        raise Refused(400, f"没有格式版本「{edition}」（可选：{'、'.join(editions.shipped())}）")
    try:
        severities = severity_overrides(form.getlist("severity"), "severity")
    except InputError as exc:
        raise Refused(400, str(exc)) from None
    options = Options(lang=lang, strict=(form.get("strict") or "").lower() in TRUE, year=int(year) if year else None,
                      severities=severities, explain_reading=(form.get("explain_reading") or "").lower() in TRUE)
    annotate = (form.get("annotate") or "1").lower() in TRUE
    return options, edition, annotate


async def _form(request: Request, cfg: Config):
    try:
        return await request.form(max_files=cfg.max_files + 1, max_fields=100)
    except HTTPException as exc:
        if "Too many files" in str(exc.detail):
            raise Refused(413, f"文件过多：一次最多上传 {cfg.max_files} 个文件，请分批上传") from None
        raise Refused(400, "上传的表单无法解析（应为 multipart/form-data）") from None


async def check_upload(request: Request):
    """Save the uploaded files in a new request folder, check each in a worker, summarise several.
    Returns the results (paths as the client named them), the download URL of each annotated
    copy, and the summary's URL."""
    cfg: Config = request.app.state.cfg
    store: Store = request.state.store
    form = await _form(request, cfg)
    try:
        uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
        previous = form.get("previous")
        previous = previous if isinstance(previous, UploadFile) and previous.filename else None
        given = {k: form.get(k) for k in ("schema", "explanations")}
        given = {k: f for k, f in given.items() if isinstance(f, UploadFile) and f.filename}
        request.state.files = len(uploads)
        if not uploads:
            raise Refused(400, "没有收到文件：请选择要校验的文件（表单字段 files）")
        if len(uploads) > cfg.max_files:
            raise Refused(413, f"文件过多：一次最多上传 {cfg.max_files} 个文件（本次 {len(uploads)} 个），请分批上传")
        if previous and len(uploads) > 1:
            raise Refused(400, "上一年度的报告只能在校验一个文件时使用")
        options, edition, annotate = _options(form)
        if edition and "schema" in given:
            raise Refused(400, "edition 与 schema 只能用一个")
        folder = store.new()
        try:
            return await _run(request, folder, uploads, previous, options, edition, annotate, given)
        except BaseException:
            store.discard(folder)
            raise
    finally:
        await form.close()


async def _given(folder: Folder, given: dict, options: Options, edition: str | None):
    """The custom schema and the explanations file a request sent, as the CLI's --schema and
    --explanations take them: (model spec, options)."""
    spec = ("edition", edition) if edition else None
    for field, upload in given.items():
        suffix = ".yaml" if field == "explanations" and upload.filename.lower().endswith((".yaml", ".yml")) else ".json"
        target = folder.path / "in" / f"{field}{suffix}"
        await run_in_threadpool(_copy, upload.file, target)
        try:
            if field == "schema":
                await run_in_threadpool(editions.load_schema_file, target)
                spec = ("path", str(target))
            else:
                options = replace(options, explanations=await run_in_threadpool(load_explanations, str(target)))
        except InputError as exc:
            raise Refused(400, str(exc).replace(str(target), upload.filename)) from None
    return spec, options


async def _run(request, folder: Folder, uploads, previous, options, edition, annotate, given):
    store: Store = request.state.store
    pool: tasks.Pool = request.state.pool
    (folder.path / "in").mkdir()
    (folder.path / "out").mkdir()
    names: dict[str, str] = {}
    saved = []
    for i, upload in enumerate(uploads, start=1):
        display = display_name(upload.filename, i)
        target = folder.path / "in" / stored_name(display, str(i))
        await run_in_threadpool(_copy, upload.file, target)
        names[str(target)] = display
        saved.append(str(target))
    previous_path = None
    if previous is not None:
        display = display_name(previous.filename, 0)
        target = folder.path / "in" / stored_name(display, "previous")
        await run_in_threadpool(_copy, previous.file, target)
        names[str(target)] = f"上一年度报告 {display}"
        previous_path = str(target)
    names[str(folder.path) + "/"] = ""
    spec, options = await _given(folder, given, options, edition)
    plan = Plan(annotate=annotate, output=str(folder.path / "out"), many=True)

    async def one(path: str) -> Result:
        try:
            return await pool.run(tasks.check, path, spec, options, plan, previous_path)
        except BrokenProcessPool:
            return tasks.broken(path)

    results = [relabel(r, names) for r in await asyncio.gather(*(one(p) for p in saved))]
    downloads: list[str | None] = []
    used: set[str] = set()
    for i, result in enumerate(results, start=1):
        if not result.output:
            downloads.append(None)
            continue
        written = Path(result.output)
        name = default_output(Path(result.path)).with_suffix(written.suffix).name
        if name in used:
            name = f"{Path(name).stem}（{i}）{written.suffix}"
        used.add(name)
        folder.downloads[str(i)] = Download(written, name, XLSM if written.suffix == ".xlsm" else Download.media_type)
        result.output = name
        downloads.append(str(request.url_for("download", rid=folder.id, key=str(i))))
    summary = None
    if len(results) > 1:
        path = await pool.run(tasks.summary, str(folder.path), SUMMARY_NAME, [replace(r) for r in results])
        folder.downloads["summary"] = Download(Path(path), SUMMARY_NAME)
        summary = str(request.url_for("download", rid=folder.id, key="summary"))
    for result, url in zip(results, downloads):
        result.output = url
    store.done(folder)
    return results, downloads, summary


# ------------------------------------------------------------------ routes

def _base(request: Request) -> str:
    return request.scope.get("root_path", "")


async def index(request: Request):
    return HTMLResponse(page(request.app.state.cfg, _base(request)))


async def verify_page(request: Request):
    """The plain form post: the page again, with the results."""
    results, downloads, summary = await check_upload(request)
    # the page links by path, so it works whatever host name a proxy passes on
    downloads = [urlsplit(d).path if d else None for d in downloads]
    summary = urlsplit(summary).path if summary else None
    return HTMLResponse(page(request.app.state.cfg, _base(request), results_html(results, downloads, summary)))


async def verify_api(request: Request):
    """The JSON document of `xlcheck verify --format json`, each `output` a download URL."""
    results, _, summary = await check_upload(request)
    return Response(to_json(results, {"summary": summary} if summary else None), media_type="application/json")


def disposition(name: str) -> str:
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


async def download(request: Request):
    found = request.state.store.download(request.path_params["rid"], request.path_params["key"])
    if found is None:
        raise Refused(404, "文件不存在或已过期删除，请重新上传校验")
    return FileResponse(found.path, media_type=found.media_type, headers={"Content-Disposition": disposition(found.name)})


async def template(request: Request):
    year_text = (request.query_params.get("year") or "").strip()
    organ = (request.query_params.get("organ") or "").strip()
    if year_text and not year_text.isdigit():
        raise Refused(400, f"报告年度「{year_text}」不是整数")
    if len(organ) > 100:
        raise Refused(400, "机关名称过长（最多 100 个字）")
    year = int(year_text) if year_text else datetime.date.today().year - 1
    try:
        data, _ = await request.state.pool.run(tasks.template, year, organ)
    except InputError as exc:
        raise Refused(400, str(exc)) from None
    return Response(data, media_type=Download.media_type,
                    headers={"Content-Disposition": disposition(template_name(year))})


async def xlwings(request: Request):
    """What an xlwings Server endpoint answers: the Office.js client's workbook in, actions out."""
    try:
        payload = await request.json()
    except ValueError:
        raise Refused(400, "请求体不是有效的 JSON（应为 xlwings Office.js 客户端发送的工作簿数据）") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("sheets"), list):
        raise Refused(400, "请求体不是 xlwings 的工作簿数据（缺少 sheets）")
    status, body = await request.state.pool.run(tasks.xlwings, payload)
    return JSONResponse(body, status)


async def openapi(request: Request):
    return JSONResponse(openapi_document(request.app.state.cfg, _base(request)))


# ------------------------------------------------------------------ the WPS add-in

def _addin_url(request: Request, token: str | None) -> str:
    """The absolute URL of the add-in's folder; with a token, the folder whose path carries it."""
    base = str(request.base_url).rstrip("/")
    return f"{base}/wps/t/{quote(token, safe='')}/" if token else f"{base}/wps/addin/"


async def wps_install(request: Request):
    token = request.app.state.cfg.token
    return HTMLResponse(wps_build.install_page(_base(request), _addin_url(request, token), bool(token)))


async def wps_publish(request: Request):
    data = wps_build.publish_html(_addin_url(request, request.app.state.cfg.token))
    return Response(data, media_type=wps_build.media_type("publish.html"),
                    headers={"Content-Disposition": disposition("publish.html")})


async def wps_file(request: Request):
    """A file of the add-in, served to WPS without a token (they hold code, never data); under
    /wps/t/<token>/ its config.js gives the add-in that token for its requests."""
    token = request.path_params.get("token")
    name = request.path_params["path"] or "index.html"
    found = wps_build.files(_base(request), token, _addin_url(request, token)).get(name)
    if found is None:
        raise Refused(404, "加载项中没有这个文件")
    return Response(found, media_type=wps_build.media_type(name))


async def wps_api(request: Request):
    """The WPS add-in's workbook (values, notes, names) in, the marks to apply out."""
    status, body = await request.state.pool.run(wps_plan.answer_json, await request.body())
    return JSONResponse(body, status)


async def wps_preflight(request: Request):
    return Response(status_code=204)      # the CORS headers are the Guard's


def wps_routes() -> list:
    return [Route("/wps/", wps_install), Route("/wps/publish.html", wps_publish),
            Route("/wps/addin/{path:path}", wps_file), Route("/wps/t/{token}/{path:path}", wps_file),
            Route("/api/wps", wps_api, methods=["POST"]), Route("/api/wps", wps_preflight, methods=["OPTIONS"])]


# ------------------------------------------------------------------ errors

async def on_refused(request: Request, exc: Refused):
    return refusal(request.app.state.cfg, request.scope, exc.status, exc.message)


async def on_http(request: Request, exc: HTTPException):
    message = {404: "没有这个页面", 405: "不支持这种请求方法"}.get(exc.status_code, f"请求无效（{exc.status_code}）")
    return refusal(request.app.state.cfg, request.scope, exc.status_code, message)


async def on_error(request: Request, exc: Exception):
    # the traceback goes to the server's log (uvicorn logs it), never into the response
    return refusal(request.app.state.cfg, request.scope, 500, "服务器内部错误，请联系管理员（详情见服务器日志）")


# ------------------------------------------------------------------ the application

async def _sweeper(store: Store):
    while True:
        await asyncio.sleep(store.sweep_interval())
        store.sweep()


def create_app(cfg: Config) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app):
        store, pool = Store(cfg.keep), tasks.Pool(cfg.jobs)
        sweeper = asyncio.create_task(_sweeper(store))
        try:
            yield {"store": store, "pool": pool}
        finally:
            sweeper.cancel()
            await run_in_threadpool(pool.close)
            store.close()

    routes = [
        Route("/", index),
        Route("/verify", verify_page, methods=["POST"]),
        Route("/api/verify", verify_api, methods=["POST"]),
        Route("/api/xlwings", xlwings, methods=["POST"]),
        Route("/files/{rid}/{key}", download, name="download"),
        Route("/template", template),
        Route("/openapi.json", openapi),
        Mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static"),
        *wps_routes(),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(Guard, cfg=cfg)],
                    exception_handlers={Refused: on_refused, HTTPException: on_http, Exception: on_error})
    app.state.cfg = cfg
    return app
