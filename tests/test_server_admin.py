"""Running `xlcheck serve` as an office runs it: the optional extra, Ctrl-C, the token, and a
reverse proxy's path prefix."""
import io
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from server_harness import EXAMPLE, Server


def test_without_the_extra_the_core_imports_and_serve_says_what_to_install():
    blocked = "import sys; sys.modules['uvicorn'] = sys.modules['starlette'] = None; "
    core = subprocess.run([sys.executable, "-c", blocked + "import xlcheck.cli, xlcheck.verify, xlcheck.batch, xlcheck.excel; print('ok')"],
                          capture_output=True, text=True)
    assert core.stdout.strip() == "ok", core.stderr
    serve = subprocess.run([sys.executable, "-c", blocked + "from xlcheck.cli import run; run(['serve'])"],
                           capture_output=True, text=True, encoding="utf-8")
    assert serve.returncode == 2 and "Traceback" not in serve.stderr
    assert "xlcheck serve 需要服务器组件" in serve.stderr and "pip install 'xlcheck[server]'" in serve.stderr


def test_bad_serve_options_get_one_chinese_line():
    out = subprocess.run([sys.executable, "-m", "xlcheck", "serve", "--keep", "forever"], capture_output=True, text=True, encoding="utf-8")
    assert out.returncode == 2 and out.stderr.strip() == "xlcheck：--keep 的值「forever」无效：应为正数加单位，例如 30m、1h、1d"


def test_ctrl_c_stops_cleanly_removing_every_file_and_worker(tmp_path):
    srv = Server(tmp_path, "--jobs", "2")
    doc = httpx.post(srv.url("/api/verify"), files=[("files", (EXAMPLE.name, EXAMPLE.read_bytes()))], timeout=60).json()
    assert doc["files"][0]["status"] == "invalid"
    assert len(srv.folders()) == 1
    workers = srv.processes()[1:]
    assert len(workers) >= 2
    assert srv.stop() == 0
    log = srv.log()
    assert "Traceback" not in log and "KeyboardInterrupt" not in log
    assert "Application shutdown complete" in log
    assert srv.roots() == []
    time.sleep(0.5)
    for pid in workers:
        state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True).stdout.strip()
        assert state in ("", "Z"), (pid, state)


@pytest.mark.parametrize("how", ["option", "environment"])
def test_the_token_is_required_on_every_request(tmp_path, how):
    srv = Server(tmp_path, "--token", "s3cret-令牌".encode().hex()) if how == "option" else \
        Server(tmp_path, env={"XLCHECK_TOKEN": "s3cret-令牌".encode().hex()})
    token = "s3cret-令牌".encode().hex()
    try:
        files = [("files", (EXAMPLE.name, EXAMPLE.read_bytes()))]
        for method, path in (("GET", "/"), ("GET", "/static/app.js"), ("GET", "/template?year=2024"), ("POST", "/api/verify"),
                             ("POST", "/verify"), ("POST", "/api/xlwings"), ("GET", "/openapi.json"), ("GET", "/files/x/1")):
            kwargs = {"files": files} if method == "POST" else {}
            refused = httpx.request(method, srv.url(path), **kwargs)
            assert refused.status_code == 401, path
            assert "需要访问令牌" in refused.text
            wrong = httpx.request(method, srv.url(path), headers={"Authorization": "Bearer nope"}, **kwargs)
            assert wrong.status_code == 401, path
        doc = httpx.post(srv.url("/api/verify"), files=files, headers={"Authorization": f"Bearer {token}"}, timeout=60).json()
        url = doc["files"][0]["output"]
        assert httpx.get(url).status_code == 401
        assert httpx.get(url, headers={"X-Xlcheck-Token": token}).status_code == 200
        # a clerk opens the link with ?token=…; the cookie then carries it for the page's own requests
        with httpx.Client() as browser:
            page = browser.get(srv.url(f"/?token={token}"))
            assert page.status_code == 200 and "xlcheck_token" in page.headers["set-cookie"]
            assert "httponly" in page.headers["set-cookie"].lower()
            assert browser.get(srv.url("/static/app.js")).status_code == 200
            assert browser.get(url).status_code == 200
        assert token not in srv.log()
    finally:
        srv.stop()


def test_behind_a_proxy_under_a_path_prefix(tmp_path):
    """The proxy strips /xlcheck before forwarding; every URL the server hands out keeps it."""
    srv = Server(tmp_path, "--root-path", "/xlcheck/")
    try:
        page = httpx.get(srv.url("/")).text
        assert 'src="/xlcheck/static/app.js"' in page and 'action="/xlcheck/verify"' in page
        assert 'href="/xlcheck/static/style.css"' in page and 'action="/xlcheck/template"' in page
        doc = httpx.post(srv.url("/api/verify"), files=[("files", (EXAMPLE.name, EXAMPLE.read_bytes()))], timeout=60).json()
        url = doc["files"][0]["output"]
        assert url.startswith(srv.url("/xlcheck/files/"))
        assert httpx.get(url.replace("/xlcheck/", "/", 1)).status_code == 200        # as forwarded by the proxy
        assert httpx.get(srv.url("/openapi.json")).json()["servers"] == [{"url": "/xlcheck"}]
        assert httpx.get(srv.url("/static/app.js")).status_code == 200
    finally:
        srv.stop()


def test_a_slow_pdf_blocks_neither_the_page_nor_other_checks(tmp_path):
    """Six copies of a published PDF's pages take seconds to read; meanwhile the page, a download
    and (with a second worker) another check are answered."""
    from pypdf import PdfReader, PdfWriter
    from conftest import REPORTS
    reader, writer = PdfReader(REPORTS / "009.pdf"), PdfWriter()
    for _ in range(6):
        for p in reader.pages:
            writer.add_page(p)
    slow = io.BytesIO()
    writer.write(slow)
    srv = Server(tmp_path, "--jobs", "2")
    try:
        earlier = httpx.post(srv.url("/api/verify"), files=[("files", (EXAMPLE.name, EXAMPLE.read_bytes()))], timeout=60).json()
        with ThreadPoolExecutor(1) as ex:
            pdf = ex.submit(httpx.post, srv.url("/api/verify"), files=[("files", ("长报告.pdf", slow.getvalue()))], timeout=120)
            while len(srv.folders()) < 2:                   # the PDF's request has arrived
                time.sleep(0.05)
            assert httpx.get(srv.url("/")).status_code == 200
            assert httpx.get(earlier["files"][0]["output"]).status_code == 200
            other = httpx.post(srv.url("/api/verify"), files=[("files", (EXAMPLE.name, EXAMPLE.read_bytes()))], timeout=60)
            assert other.json()["files"][0]["status"] == "invalid"
            assert not pdf.done()
            assert pdf.result().json()["files"][0]["status"] == "ok"
    finally:
        srv.stop()


def test_xlwings_without_a_licence_key_says_how_to_set_it(tmp_path):
    from test_excel import payload_of
    srv = Server(tmp_path, "--jobs", "1", env={"XLWINGS_LICENSE_KEY": ""})
    try:
        answer = httpx.post(srv.url("/api/xlwings"), json=payload_of(EXAMPLE), timeout=60)
        assert answer.status_code == 503 and "XLWINGS_LICENSE_KEY" in answer.json()["error"]
    finally:
        srv.stop()
