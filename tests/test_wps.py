"""The WPS add-in in a real browser: the real `xlcheck serve` in a subprocess serves the add-in,
headless Chromium (Debian's, through Playwright) loads its page with tests/wps_fake.js standing in
for WPS 表格's object model, and the buttons are pressed through the ribbon callback the way WPS
calls it. Skips, saying why, where Playwright or a system Chromium is missing."""
import datetime
import json
from pathlib import Path

import httpx
import openpyxl
import pytest

from helpers import SAMPLE_2021, write_filled, xlcheck
from server_harness import Server, free_port
from xlcheck.check import check_file
from xlcheck.excel import summary_text
from xlcheck.outputs.annotate import comment_text, suspects

# Playwright, Debian's Chromium and the browser fixture as the page's own browser tests use them
# (skipping, saying why, where either is missing)
from test_server_browser import browser, pytestmark  # noqa: F401

FAKE = (Path(__file__).parent / "wps_fake.js").read_text(encoding="utf-8")
TOKEN = "s3cret-wps"
RED, GREEN, BLUE = 0xCEC7FF, 0x00FF00, 0xFFCC99     # BGR longs: #FFC7CE (xlcheck's error fill), the user's own
USER_NOTE = {"text": "我的批注：已与办公室核对", "author": "李四"}
UNCHANGED = "工作簿未作任何修改。"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("srv"), "--jobs", "1", "--token", TOKEN, "--max-size", "1")
    yield srv
    srv.stop()


def _json(v):
    return v.isoformat() if isinstance(v, (datetime.date, datetime.datetime)) else v


def book_spec(path: Path) -> dict:
    """The workbook as the fake holds it: values, visibility, names (as WPS gives RefersTo)."""
    wb = openpyxl.load_workbook(path)
    sheets = [{"name": ws.title, "visible": -1 if ws.sheet_state == "visible" else 0,
               "cells": {c.coordinate: _json(c.value) for row in ws.iter_rows() for c in row if c.value is not None}}
              for ws in wb.worksheets]
    names = [{"name": n, "refers_to": "=" + dn.attr_text} for n, dn in wb.defined_names.items()]
    return {"name": path.name, "sheets": sheets, "names": names}


@pytest.fixture(scope="module")
def wrong(tmp_path_factory):
    """A filled 2021 template with one wrong total (表三 （一）予以公开 总计 18 instead of 17), a
    note of the user's own on 复议诉讼!A6 and fills of the user's own on 依申请公开!J29 and D6."""
    path = write_filled(tmp_path_factory.mktemp("book") / "年报.xlsx", SAMPLE_2021, changes={"requests.granted.total": 18})
    spec = book_spec(path)
    sheet = {s["name"]: s for s in spec["sheets"]}
    sheet["复议诉讼"]["comments"] = {"A6": USER_NOTE}
    sheet["依申请公开"]["fills"] = {"J29": GREEN, "D6": BLUE}
    return path, spec


class Wps:
    """One WPS window: the add-in page loaded in a fresh browser context over the fake."""

    def __init__(self, browser, url: str, spec: dict):
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.page.add_init_script(script=FAKE + f"\nwindow.__wpsInstall({json.dumps(spec, ensure_ascii=False)});")
        self.page.goto(url)
        self.page.evaluate("() => ribbon.OnAddinLoad({})")

    def press(self, button: str) -> str:
        """Press a ribbon button as WPS does and wait for the message box it ends with."""
        n = self.page.evaluate("() => window.__wps.alerts.length")
        assert self.page.evaluate("id => ribbon.OnAction({Id: id})", button) is True
        self.page.wait_for_function("n => window.__wps.alerts.length > n", arg=n)
        return self.page.evaluate("() => window.__wps.alerts[window.__wps.alerts.length - 1]")

    def state(self) -> dict:
        return self.page.evaluate("() => JSON.parse(JSON.stringify(window.__wps.snapshot()))")

    def sheet(self, name: str) -> dict:
        return next(s for s in self.state()["sheets"] if s["name"] == name)

    def log(self) -> list[str]:
        return self.page.evaluate("() => window.__wps.mutations()")

    def reads(self) -> list[str]:
        return [l for l in self.page.evaluate("() => window.__wps.log") if l.startswith("read ")]

    def close(self):
        self.context.close()


@pytest.fixture
def wps(browser, server):
    opened = []

    def open_(spec, path=f"/wps/t/{TOKEN}/index.html", url=None):
        w = Wps(browser, url or server.url(path), spec)
        opened.append(w)
        return w
    yield open_
    for w in opened:
        w.close()


def expected_notes(path: Path) -> dict[str, str]:
    """What the Excel button writes on each cell: the diagnosis note, then the findings' text."""
    result = check_file(str(path))
    notes = {cell: text for (sheet, cell), text in suspects(result.diagnosis, "zh").items()}
    by_cell = {}
    for f in result.findings:
        by_cell.setdefault(f.cell, []).append(f)
    return {cell: "\n\n".join(t for t in (notes.get(cell), comment_text(fs)) if t) for cell, fs in by_cell.items()}


def test_press_marks_the_wrong_cells_and_again_duplicates_nothing_and_fixing_clears(wps, wrong):
    path, spec = wrong
    w = wps(spec)
    original_sheets = [s["name"] for s in spec["sheets"]]
    message = w.press("xlcheckVerify")
    result = check_file(str(path))
    assert message == summary_text(result)
    assert "最可能出错的是 依申请公开!J8：改为 17" in message
    reads = w.reads()                              # every sheet's used range, the hidden meta sheet too, and every name
    assert {l.split()[2].split("!")[0] for l in reads if l.startswith("read Range.Value2 ")} == set(original_sheets)
    assert "_xlcheck_meta" in original_sheets
    assert len([l for l in reads if l.startswith("read Names.Item ")]) == len(spec["names"]) > 0

    req = w.sheet("依申请公开")
    notes = {cell: c["text"] for cell, c in req["comments"].items()}
    assert notes == expected_notes(path) and sorted(notes) == ["J29", "J8"]
    assert notes["J8"].startswith("[xlcheck] 可能填错：应为 17") and "\n（requests.row_total）" in notes["J8"]
    assert {c["author"] for c in req["comments"].values()} == {"张三"}     # as Excel: the user's name
    assert req["fills"] == {"J8": RED, "J29": RED, "D6": BLUE}
    assert w.sheet("复议诉讼")["comments"] == {"A6": USER_NOTE}
    state = w.state()
    assert [s["name"] for s in state["sheets"]] == original_sheets + ["_xlcheck", "校验结果"]
    record = w.sheet("_xlcheck")
    assert record["visible"] == 0
    assert record["cells"] == {"A1": "sheet", "B1": "cell", "C1": "fill", "D1": "note",
                               "A2": "依申请公开", "B2": "J8", "D2": "1",
                               "A3": "依申请公开", "B3": "J29", "C3": "#00FF00", "D3": "1"}
    results = w.sheet("校验结果")
    assert results["visible"] == -1
    assert [results["cells"][f"{c}1"] for c in "ABCDE"] == ["序号", "级别", "规则", "单元格", "说明"]
    assert [[results["cells"].get(f"{c}{r}") for c in "ABCD"] for r in (2, 3)] == \
        [[1, "错误", "requests.row_total", "依申请公开!J8"], [2, "错误", "requests.results_total", "依申请公开!J29"]]
    assert results["cells"]["E2"] == result.findings[0].message
    assert state["displayAlerts"] is True

    # pressed again: the earlier marks are taken back first, nothing is duplicated
    assert w.press("xlcheckVerify") == message
    log = w.log()
    assert [l for l in log if l.startswith("Comment.Delete")] == \
        ["Comment.Delete 依申请公开!J8", "Comment.Delete 依申请公开!J29"]          # never the user's A6
    assert "Worksheet.Delete 校验结果" in log                                 # without asking: DisplayAlerts off
    assert w.page.evaluate("() => window.__wps.prompts") == 0
    again = w.state()
    assert [s["name"] for s in again["sheets"]] == original_sheets + ["_xlcheck", "校验结果"]
    assert w.sheet("依申请公开")["comments"] == req["comments"] and w.sheet("依申请公开")["fills"] == req["fills"]
    assert w.sheet("_xlcheck")["cells"] == record["cells"]                     # the user's green is still what was there
    assert w.sheet("复议诉讼")["comments"] == {"A6": USER_NOTE}

    # the clerk fixes the cell and presses again: the marks are gone, the user's fills back
    w.page.evaluate("() => window.__wps.setValue('依申请公开', 'J8', 17)")
    assert w.press("xlcheckVerify") == "校验通过：没有发现问题。"
    fixed = w.sheet("依申请公开")
    assert fixed["comments"] == {} and fixed["fills"] == {"J29": GREEN, "D6": BLUE}
    assert w.sheet("复议诉讼")["comments"] == {"A6": USER_NOTE}
    assert w.sheet("_xlcheck")["cells"] == {"A1": "sheet", "B1": "cell", "C1": "fill", "D1": "note"}
    assert w.sheet("校验结果")["cells"]["E2"] == "未发现问题"


def test_clear_removes_every_mark_and_leaves_the_users_own(wps, wrong):
    _, spec = wrong
    w = wps(spec)
    w.press("xlcheckVerify")
    assert w.press("xlcheckClear") == "已清除 2 个单元格的标记。"
    state = w.state()
    assert [s["name"] for s in state["sheets"]] == [s["name"] for s in spec["sheets"]] + ["_xlcheck"]
    req = w.sheet("依申请公开")
    assert req["comments"] == {} and req["fills"] == {"J29": GREEN, "D6": BLUE}
    assert req["cells"] == next(s for s in spec["sheets"] if s["name"] == "依申请公开")["cells"]
    assert w.sheet("复议诉讼")["comments"] == {"A6": USER_NOTE}
    assert w.sheet("_xlcheck")["cells"] == {}
    assert w.press("xlcheckClear") == "没有需要清除的标记。"


def test_a_users_note_on_a_wrong_cell_is_kept_the_cell_still_filled(wps, wrong):
    _, spec = wrong
    spec = json.loads(json.dumps(spec))
    next(s for s in spec["sheets"] if s["name"] == "依申请公开")["comments"] = {"J8": USER_NOTE}
    w = wps(spec)
    w.press("xlcheckVerify")
    req = w.sheet("依申请公开")
    assert req["comments"]["J8"] == USER_NOTE and req["fills"]["J8"] == RED
    record = w.sheet("_xlcheck")["cells"]
    assert (record["A2"], record["B2"]) == ("依申请公开", "J8") and "D2" not in record     # the note is not ours
    w.press("xlcheckVerify")
    assert w.sheet("依申请公开")["comments"]["J8"] == USER_NOTE
    assert not [l for l in w.log() if l.startswith("Comment.Delete 依申请公开!J8")]
    w.press("xlcheckClear")
    req = w.sheet("依申请公开")
    assert req["comments"] == {"J8": USER_NOTE} and "J8" not in req["fills"]


def assert_unchanged(w, before):
    assert w.state() == before
    assert w.log() == []


def test_a_workbook_without_the_tables_gets_one_message_and_is_unchanged(wps):
    w = wps({"name": "会议纪要.xlsx", "sheets": [{"name": "Sheet1", "cells": {"A1": "会议纪要", "B2": 3}}]})
    before = w.state()
    message = w.press("xlcheckVerify")
    assert "没有找到统计表" in message and message.endswith(UNCHANGED)
    assert w.page.evaluate("() => window.__wps.alerts.length") == 1
    assert_unchanged(w, before)


def test_a_refused_token_gets_one_message_and_the_workbook_is_unchanged(wps, wrong, server):
    for path in ("/wps/addin/index.html", "/wps/t/wrong-token/index.html"):
        w = wps(wrong[1], path=path)
        before = w.state()
        assert w.press("xlcheckVerify") == "校验服务器拒绝了访问令牌：请向管理员索取带令牌的加载项地址，重新添加加载项。" + UNCHANGED
        assert_unchanged(w, before)
    assert TOKEN not in server.log() and "wrong-token" not in server.log()


def test_a_workbook_too_large_gets_one_message_and_is_unchanged(wps, wrong):
    spec = json.loads(json.dumps(wrong[1]))
    spec["sheets"].append({"name": "附表", "cells": {f"A{i}": "很长的一段说明文字" * 4 for i in range(1, 20001)}})
    w = wps(spec)
    before = w.state()
    message = w.press("xlcheckVerify")
    assert message.startswith("上传的文件过大：一次最多上传 1 MB") and message.endswith(UNCHANGED)
    assert_unchanged(w, before)


def test_an_unreachable_server_gets_one_message_and_the_workbook_is_unchanged(wps, wrong, tmp_path):
    port = free_port()                                  # nothing listens there
    assert xlcheck("wps", "build", "-o", str(tmp_path / "addin"), "--server", f"http://127.0.0.1:{port}").exit_code == 0
    w = wps(wrong[1], url=(tmp_path / "addin" / "index.html").as_uri())
    before = w.state()
    message = w.press("xlcheckVerify")
    assert message == f"无法连接校验服务器 http://127.0.0.1:{port}：请确认网络通畅、服务器已启动，或联系管理员。" + UNCHANGED
    assert_unchanged(w, before)


def test_the_built_add_in_checks_through_the_server_from_elsewhere(wps, wrong, server, tmp_path):
    out = tmp_path / "addin"
    ran = xlcheck("wps", "build", "-o", str(out), "--server", server.base, "--token", TOKEN, "--url", "http://oa.example/wps/")
    assert ran.exit_code == 0
    served = {n: httpx.get(server.url(f"/wps/addin/{n}")).content for n in ("ribbon.xml", "index.html", "js/xlcheck.js")}
    assert all((out / n).read_bytes() == data for n, data in served.items())
    assert 'url="http://oa.example/wps/"' in (out / "jsplugins.xml").read_text(encoding="utf-8")
    w = wps(wrong[1], url=(out / "index.html").as_uri())       # another origin: CORS
    path, _ = wrong
    assert w.press("xlcheckVerify") == summary_text(check_file(str(path)))
    assert sorted(w.sheet("依申请公开")["comments"]) == ["J29", "J8"]


def test_the_server_hosts_the_add_in_and_the_page_that_says_how_to_add_it(server):
    ribbon = httpx.get(server.url(f"/wps/t/{TOKEN}/ribbon.xml"))                  # WPS sends no token for these
    assert ribbon.status_code == 200 and ribbon.text.startswith("<customUI")
    assert "content-security-policy" not in ribbon.headers and ribbon.headers["x-content-type-options"] == "nosniff"
    assert 'label="政务公开校验"' in ribbon.text and 'label="校验当前工作簿"' in ribbon.text and 'label="清除标记"' in ribbon.text
    config = httpx.get(server.url(f"/wps/t/{TOKEN}/config.js")).text
    assert config == 'window.XLCHECK_CONFIG = {"server": "", "token": "%s"};\n' % TOKEN
    index = httpx.get(server.url(f"/wps/t/{TOKEN}/")).text
    assert '<script src="config.js"></script>' in index and "http" not in index.replace("http-equiv", "")   # nothing remote
    plugins = httpx.get(server.url(f"/wps/t/{TOKEN}/jsplugins.xml")).text
    assert f'<jspluginonline name="xlcheck" type="et" url="{server.base}/wps/t/{TOKEN}/"/>' in plugins
    assert httpx.get(server.url("/wps/")).status_code == 401                         # the page itself needs the token
    page = httpx.get(server.url(f"/wps/?token={TOKEN}")).text
    assert f"{server.base}/wps/t/{TOKEN}/" in page
    for step in ("%APPDATA%\\kingsoft\\wps\\jsaddons", "~/.local/share/Kingsoft/wps/jsaddons", "JSPluginsServer=",
                 "publish.html", "统信 UOS", "银河麒麟"):
        assert step in page
    publish = httpx.get(server.url("/wps/publish.html"), headers={"Authorization": f"Bearer {TOKEN}"})
    assert publish.headers["content-disposition"].startswith("attachment")
    assert "http://127.0.0.1:58890/deployaddons/runParams" in publish.text
    assert f'"url": "{server.base}/wps/t/{TOKEN}/"' in publish.text
    assert "/api/wps" in httpx.get(server.url("/openapi.json"), headers={"Authorization": f"Bearer {TOKEN}"}).json()["paths"]
    auth = {"Authorization": f"Bearer {TOKEN}"}
    bad = httpx.post(server.url("/api/wps"), content=b"{", headers=auth)
    assert bad.status_code == 400 and bad.json() == {"error": "请求体不是有效的 JSON（应为 WPS 加载项发送的工作簿数据）"}
    bad = httpx.post(server.url("/api/wps"), json={"sheets": [{"name": "表", "values": [[{"x": 1}]]}]}, headers=auth)
    assert bad.status_code == 400 and bad.json() == {"error": "加载项发送的工作簿数据无效：工作表「表」的数据格式不对"}
    preflight = httpx.options(server.url("/api/wps"), headers={"Origin": "null", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == "*"
    assert TOKEN not in server.log()
