"""What every request passes first (a plain ASGI middleware): the token, the upload limit, the
one log line, and a refusal in Chinese — JSON under /api/, the page elsewhere."""
from __future__ import annotations

import logging
import re
import secrets
import time
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from starlette.datastructures import Headers
from starlette.responses import HTMLResponse, JSONResponse, Response

from .config import Config, megabytes
from .page import notice, page

log = logging.getLogger("xlcheck.server")
COOKIE = "xlcheck_token"
# the page loads only its own script and style, and no other site may frame it
SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"),
                    (b"content-security-policy", b"default-src 'self'; frame-ancestors 'none'; form-action 'self'")]
# the WPS add-in's own files hold code, never data, and WPS cannot send a token when it loads them;
# its requests to /api/wps carry the token, and may come from an add-in deployed on another host
PUBLIC = ("/wps/addin/", "/wps/t/")
CORS_PATH = "/api/wps"
CORS_HEADERS = [(b"access-control-allow-origin", b"*"), (b"access-control-allow-headers", b"authorization, content-type"),
                (b"access-control-allow-methods", b"POST, OPTIONS"), (b"access-control-max-age", b"600")]


def public(scope) -> bool:
    path = route_path(scope)
    return path.startswith(PUBLIC) or (scope["method"] == "OPTIONS" and path == CORS_PATH)


def logged_path(path: str) -> str:
    """The path as logged: the token in an add-in path (/wps/t/<token>/) left out."""
    return re.sub(r"/wps/t/[^/]*", "/wps/t/…", path)


def route_path(scope) -> str:
    root = scope.get("root_path", "")
    path = scope["path"]
    return path[len(root):] if root and path.startswith(root) else path


def refusal(cfg: Config, scope, status: int, message: str, headers: dict | None = None) -> Response:
    if route_path(scope).startswith("/api/"):
        return JSONResponse({"error": message}, status, headers=headers)
    return HTMLResponse(page(cfg, scope.get("root_path", ""), notice(message)), status, headers=headers)


class Guard:
    def __init__(self, app, cfg: Config):
        self.app, self.cfg = app, cfg

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        seen = {"status": 0}
        set_cookie = self._token_from_query(scope)

        async def sending(message):
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                # WPS shows the add-in's page in its own web view, which the page's policy must not constrain
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS[:1 if public(scope) else None]
                if route_path(scope) == CORS_PATH:
                    message["headers"] += CORS_HEADERS
                if set_cookie:
                    cookie = SimpleCookie()
                    cookie[COOKIE] = self.cfg.token
                    cookie[COOKIE].update({"path": (scope.get("root_path") or "") + "/", "httponly": True, "samesite": "Strict"})
                    message["headers"] = list(message.get("headers", [])) + [(b"set-cookie", cookie[COOKIE].OutputString().encode())]
            await send(message)

        try:
            refused = self._refuse(scope)
            await (refused or self.app)(scope, receive, sending)
        finally:
            state = scope.get("state") or {}
            files = state.get("files")
            client = (scope.get("client") or ("-",))[0]
            log.info('%s "%s %s" %d%s %.3fs', client, scope["method"], logged_path(scope["path"]), seen["status"],
                     f" {files} 个文件" if files is not None else "", time.perf_counter() - start)

    def _token_from_query(self, scope) -> bool:
        if not self.cfg.token:
            return False
        given = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [""])[0]
        return bool(given) and secrets.compare_digest(given.encode(), self.cfg.token.encode())

    def _authorised(self, scope) -> bool:
        headers = Headers(scope=scope)
        candidates = [headers.get("x-xlcheck-token", "")]
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            candidates.append(auth[7:].strip())
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:          # a malformed Cookie header is simply no cookie
            pass
        if COOKIE in cookie:
            candidates.append(cookie[COOKIE].value)
        want = self.cfg.token.encode()
        return self._token_from_query(scope) or any(c and secrets.compare_digest(c.encode(), want) for c in candidates)

    def _refuse(self, scope) -> Response | None:
        cfg = self.cfg
        if cfg.token and not public(scope) and not self._authorised(scope):
            return refusal(cfg, scope, 401, "需要访问令牌：请使用管理员提供的链接（带 ?token=…），或在请求头中提供 "
                                            "Authorization: Bearer <令牌>", {"WWW-Authenticate": "Bearer"})
        if scope["method"] == "POST":
            length = Headers(scope=scope).get("content-length")
            if length is None or not length.isdigit():
                return refusal(cfg, scope, 411, "请求缺少 Content-Length，无法判断上传大小")
            if int(length) > cfg.max_size:
                return refusal(cfg, scope, 413, f"上传的文件过大：一次最多上传 {megabytes(cfg.max_size)}"
                                                f"（本次 {megabytes(int(length))}），请分批上传")
        return None
