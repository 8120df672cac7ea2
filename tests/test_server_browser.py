"""The page in a real browser: Debian's Chromium, headless, driven through Playwright against the
real server. Skips, saying why, where Playwright or a system Chromium is missing."""
import base64
import io
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import openpyxl
import pytest

from server_harness import EXAMPLE, GOOD, Server

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: pip install -e '.[test]'")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no system Chromium: apt-get install chromium (see .ci/run)")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("srv"), "--jobs", "2")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(accept_downloads=True)
    pg = context.new_page()
    pg.goto(server.url("/"))
    yield pg
    context.close()


def cli_text(path):
    return subprocess.run([sys.executable, "-m", "xlcheck", "verify", str(path), "--no-annotate"],
                          capture_output=True, text=True, encoding="utf-8").stdout


def saved(download) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(open(download.path(), "rb").read()))


def test_upload_the_example_read_the_findings_download_the_marked_copy(page):
    assert page.title() == "政府信息公开年度报告统计表校验"
    page.set_input_files("#files", str(EXAMPLE))
    assert EXAMPLE.name in page.inner_text("#chosen")
    page.click("#submit")
    page.wait_for_selector("#results .file")
    section = page.locator("#results .file")
    assert section.locator(".badge").inner_text() == "有错误"
    assert section.locator(".counts").inner_text() == "2 个错误，2 个警告"
    expected = next(l.strip() for l in cli_text(EXAMPLE).splitlines() if l.strip().startswith("→"))
    assert section.locator(".diagnosis").inner_text() == expected
    rows = section.locator("table.findings tbody tr")
    assert rows.count() == 4
    first = rows.nth(0).locator("td").all_inner_texts()
    assert first[:3] == ["错误", "依申请公开!J6", "每行总计应等于六类申请人之和"]
    assert "总计应为 26" in first[3]
    with page.expect_download() as info:
        section.locator("a.download").click()
    download = info.value
    assert download.suggested_filename == "yueqing-2021-with-errors.checked.xlsx"
    wb = saved(download)
    note = wb["依申请公开"]["J6"].comment
    assert note is not None and note.author == "xlcheck" and note.text.startswith("[xlcheck]")
    assert "校验结果" in wb.sheetnames


def test_three_files_give_a_summary_table_and_workbook(page, tmp_path):
    (tmp_path / "甲单位.xlsx").write_bytes(EXAMPLE.read_bytes())
    (tmp_path / "乙单位.xlsx").write_bytes(GOOD.read_bytes())
    (tmp_path / "丙单位.xlsx").write_bytes(b"not a workbook")
    page.set_input_files("#files", [str(tmp_path / n) for n in ("甲单位.xlsx", "乙单位.xlsx", "丙单位.xlsx")])
    page.click("#submit")
    page.wait_for_selector("#results .summary-table")
    rows = page.locator(".summary-table tbody tr")
    assert rows.count() == 3
    assert [rows.nth(i).locator("td").nth(4).inner_text() for i in range(3)] == ["有错误", "通过", "无法校验"]
    headers = page.locator(".summary-table thead th").all_inner_texts()
    assert headers[-4:] == ["最可能出错的单元格", "第一个问题", "上年对比", "标注副本"]
    assert rows.nth(0).locator("td").nth(headers.index("最可能出错的单元格")).inner_text() != ""
    assert page.locator("#results .file").count() == 3
    assert "不是 Excel 工作簿" in page.locator("#results .file").nth(2).locator(".error").inner_text()
    with page.expect_download() as info:
        page.click("a.download-summary")
    assert info.value.suggested_filename == "校验汇总.xlsx"
    ws = saved(info.value)["汇总"]
    assert [(r[0], r[4]) for r in ws.iter_rows(min_row=2, values_only=True)] == \
        [("甲单位.xlsx", "有错误"), ("乙单位.xlsx", "通过"), ("丙单位.xlsx", "无法校验")]


def test_files_dropped_on_the_page_are_checked(page):
    data = base64.b64encode(GOOD.read_bytes()).decode()
    page.evaluate("""([name, data]) => {
        const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], name));
        document.getElementById('drop').dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
    }""", ["拖入的文件.xlsx", data])
    assert "拖入的文件.xlsx" in page.inner_text("#chosen")
    page.click("#submit")
    page.wait_for_selector("#results .file")
    assert page.inner_text("#results .file .name") == "拖入的文件.xlsx"
    assert page.inner_text("#results .file .badge") == "通过"


def test_without_javascript_a_plain_form_post_works(browser, server):
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(server.url("/"))
        page.set_input_files("#files", str(EXAMPLE))
        page.fill("input[name=year]", "2021")
        with page.expect_navigation():
            page.click("#submit")
        assert page.url == server.url("/verify")
        assert page.inner_text("#results .file .badge") == "有错误"
        assert page.inner_text("#results .diagnosis").startswith("→ 最可能出错的是")
        with page.expect_download() as info:
            page.click("#results a.download")
        assert saved(info.value)["依申请公开"]["J6"].comment is not None
    finally:
        context.close()


def test_the_blank_template_form(page):
    page.fill("input[name=organ]", "某某县人民政府办公室")
    page.fill("form[action$='/template'] input[name=year]", "2020")
    with page.expect_download() as info:
        page.click("form[action$='/template'] button")
    assert info.value.suggested_filename == "2020年政府信息公开统计表.xlsx"
    meta = {r[0]: r[1] for r in saved(info.value)["_xlcheck_meta"].iter_rows(values_only=True)}
    assert meta["organ"] == "某某县人民政府办公室" and meta["edition"] == "2019"


def test_an_oversized_upload_shows_the_chinese_message(browser, tmp_path):
    srv = Server(tmp_path / "small", "--jobs", "1", "--max-size", "1")
    context = browser.new_context()
    try:
        big = tmp_path / "大文件.xlsx"
        big.write_bytes(b"\0" * (1024 * 1024 + 10))
        page = context.new_page()
        page.goto(srv.url("/"))
        page.set_input_files("#files", str(big))
        page.click("#submit")
        page.wait_for_selector("#results .notice")
        assert "上传的文件过大：一次最多上传 1 MB" in page.inner_text("#results .notice")
    finally:
        context.close()
        srv.stop()


class PrefixProxy(BaseHTTPRequestHandler):
    """A reverse proxy as README's nginx example configures one: /xlcheck/… is forwarded with the
    prefix stripped and the browser's Host passed on."""
    upstream = ""
    seen: list = []

    def forward(self):
        if not self.path.startswith("/xlcheck/"):
            self.send_error(404)
            return
        self.seen.append(self.path)
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("content-length", "connection")}
        answer = httpx.request(self.command, self.upstream + self.path[len("/xlcheck"):], content=body, headers=headers, timeout=60)
        self.send_response(answer.status_code)
        for k, v in answer.headers.items():
            if k.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding", "date", "server"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    do_GET = do_POST = forward

    def log_message(self, *args):
        pass


def test_the_page_works_behind_a_proxy_under_a_prefix(browser, tmp_path):
    srv = Server(tmp_path / "prefixed", "--jobs", "1", "--root-path", "/xlcheck")
    PrefixProxy.upstream, PrefixProxy.seen = srv.base, []
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), PrefixProxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    context = browser.new_context(accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{proxy.server_port}/xlcheck/")
        page.set_input_files("#files", str(EXAMPLE))
        page.click("#submit")
        page.wait_for_selector("#results .diagnosis")
        with page.expect_download() as info:
            page.click("#results a.download")
        assert saved(info.value)["依申请公开"]["J6"].comment is not None
        assert {p.split("/")[2] for p in PrefixProxy.seen} == {"", "static", "verify", "files"}
        doc = httpx.post(f"http://127.0.0.1:{proxy.server_port}/xlcheck/api/verify", timeout=60,
                         files=[("files", (EXAMPLE.name, EXAMPLE.read_bytes()))]).json()
        assert doc["files"][0]["output"].startswith(f"http://127.0.0.1:{proxy.server_port}/xlcheck/files/")
        assert httpx.get(doc["files"][0]["output"]).content[:2] == b"PK"
    finally:
        context.close()
        proxy.shutdown()
        proxy.server_close()
        srv.stop()
