"""`xlcheck serve` through its HTTP API: the real server in a subprocess on loopback, driven with
an HTTP client, every answer and every file it hands out read back."""
import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx
import openpyxl
import pytest

from helpers import SAMPLE_2021, write_filled
from server_harness import EXAMPLE, GOOD, Server
from test_verify import _bad_inputs

MIB = 1024 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("srv"), "--jobs", "2", "--max-size", "2", "--max-files", "4")
    yield srv
    srv.stop()


def post(server, *files, path="/api/verify", **data):
    """files: (name, bytes) pairs, sent as the multipart field `files`."""
    return httpx.post(server.url(path), files=[("files", (name, body)) for name, body in files], data=data, timeout=60)


def cli_json(*args):
    out = subprocess.run([sys.executable, "-m", "xlcheck", "verify", "--format", "json", *map(str, args)],
                         capture_output=True, text=True, encoding="utf-8")
    return json.loads(out.stdout)


def comments(data: bytes) -> dict:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return {(ws.title, c.coordinate): c.comment.text for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.comment}


def without(doc: dict, *keys) -> dict:
    return {k: v for k, v in doc.items() if k not in keys}


def test_verify_answers_the_cli_document_and_the_annotated_copy_downloads(server, tmp_path):
    copy = tmp_path / EXAMPLE.name
    copy.write_bytes(EXAMPLE.read_bytes())
    cli = cli_json(copy)["files"][0]
    answer = post(server, (EXAMPLE.name, EXAMPLE.read_bytes()))
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    doc = answer.json()
    assert list(doc) == ["files"]
    mine = doc["files"][0]
    assert mine["path"] == EXAMPLE.name and mine["status"] == "invalid"
    assert without(mine, "output") == without(cli, "output", "path") | {"path": EXAMPLE.name}
    assert re.fullmatch(rf"{server.base}/files/[A-Za-z0-9_-]{{24}}/1", mine["output"])
    copy_back = httpx.get(mine["output"])
    assert copy_back.status_code == 200
    assert "yueqing-2021-with-errors.checked.xlsx" in copy_back.headers["content-disposition"]
    assert comments(copy_back.content) == comments((tmp_path / "yueqing-2021-with-errors.checked.xlsx").read_bytes())
    assert ("依申请公开", "J6") in comments(copy_back.content)


def test_several_files_give_a_summary_url(server):
    answer = post(server, ("甲.xlsx", EXAMPLE.read_bytes()), ("乙.xlsx", GOOD.read_bytes()), ("丙.xlsx", b""))
    doc = answer.json()
    assert [f["status"] for f in doc["files"]] == ["invalid", "ok", "error"]
    assert [f["path"] for f in doc["files"]] == ["甲.xlsx", "乙.xlsx", "丙.xlsx"]
    summary = httpx.get(doc["summary"])
    assert summary.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(summary.content))["汇总"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert [(r[0], r[4]) for r in rows] == [("甲.xlsx", "有错误"), ("乙.xlsx", "通过"), ("丙.xlsx", "无法校验")]
    assert rows[0][11] == "甲.checked.xlsx" and ws["L2"].hyperlink.target == "甲.checked.xlsx"


def test_every_hostile_file_is_refused_as_the_cli_refuses_it(server, tmp_path):
    expected = _bad_inputs(tmp_path)
    del expected["missing.xlsx"], expected["folder.xlsx"]          # a client cannot send these
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * MIB))
    (tmp_path / "bomb.xlsx").write_bytes(bomb.getvalue())
    expected["bomb.xlsx"] = "压缩炸弹"
    names = list(expected)
    for i in range(0, len(names), 4):                               # the server takes 4 files a request
        batch = names[i:i + 4]
        answer = post(server, *((n, (tmp_path / n).read_bytes()) for n in batch))
        assert answer.status_code == 200
        assert "Traceback" not in answer.text and str(server.tmp) not in answer.text
        cli = {Path(f["path"]).name: f for f in cli_json(*(tmp_path / n for n in batch), "--no-annotate")["files"]}
        for name, got in zip(batch, answer.json()["files"]):
            assert got["status"] == "error" and got["output"] is None, name
            assert got["error"].startswith(f"{name}：") and expected[name] in got["error"], got["error"]
            assert got["error"] == cli[name]["error"].replace(str(tmp_path / name), name)


def test_a_client_file_name_is_never_a_path(server):
    answer = post(server, ("../../../../escape.xlsx", GOOD.read_bytes()), ("C:\\Users\\x\\..\\win.xlsx", GOOD.read_bytes()))
    assert [f["path"] for f in answer.json()["files"]] == ["escape.xlsx", "win.xlsx"]
    assert not list(server.tmp.rglob("escape*")) and not list(server.tmp.rglob("win*"))
    assert not (server.tmp.parent / "escape.xlsx").exists()
    assert httpx.get(answer.json()["files"][0]["output"]).headers["content-disposition"].endswith("escape.checked.xlsx")


@pytest.mark.parametrize("case, status, words", [
    ("too_big", 413, "上传的文件过大：一次最多上传 2 MB"),
    ("too_many", 413, "文件过多：一次最多上传 4 个文件"),
    ("no_file", 400, "没有收到文件"),
    ("not_multipart", 400, "没有收到文件"),
    ("bad_year", 400, "报告年度「二〇二四」不是整数"),
    ("bad_edition", 400, "没有格式版本「1999」"),
    ("previous_with_many", 400, "上一年度的报告只能在校验一个文件时使用"),
    ("get", 405, "不支持这种请求方法"),
])
def test_refusals_are_chinese_json_with_their_status(server, case, status, words):
    good = ("a.xlsx", GOOD.read_bytes())
    answer = {
        "too_big": lambda: post(server, ("big.xlsx", b"x" * (2 * MIB + 1))),
        "too_many": lambda: post(server, *[good] * 5),
        "no_file": lambda: post(server),
        "not_multipart": lambda: httpx.post(server.url("/api/verify"), content=b"{}", headers={"content-type": "application/json"}),
        "bad_year": lambda: post(server, good, year="二〇二四"),
        "bad_edition": lambda: post(server, good, edition="1999"),
        "previous_with_many": lambda: httpx.post(server.url("/api/verify"), files=[("files", good), ("files", good), ("previous", good)]),
        "get": lambda: httpx.get(server.url("/api/verify")),
    }[case]()
    assert answer.status_code == status
    assert words in answer.json()["error"]


def test_a_post_without_content_length_is_refused(server):
    def chunks():
        yield b"--x\r\n"
    answer = httpx.post(server.url("/api/verify"), content=chunks(), headers={"content-type": "multipart/form-data; boundary=x"})
    assert answer.status_code == 411 and "Content-Length" in answer.json()["error"]


def test_options_reach_the_check(server, tmp_path):
    placeholder = write_filled(tmp_path / "w.xlsx", SAMPLE_2021, changes={"requests.new.research": "/"})
    good = ("a.xlsx", placeholder.read_bytes())
    plain = post(server, good).json()["files"][0]
    strict = post(server, good, strict="1", annotate="0", lang="en").json()["files"][0]
    assert plain["status"] == "ok" and plain["counts"]["warning"] > 0
    assert strict["status"] == "invalid" and strict["output"] is None
    assert strict["findings"][0]["rule"] == "cell.placeholder" and strict["findings"][0]["message"].endswith("placeholder “/”, counted as 0")
    year = post(server, good, year="2022").json()["files"][0]
    assert year["year"] == 2022
    off = post(server, good, strict="1", annotate="0", severity="cell.placeholder=off").json()["files"][0]
    assert off["status"] == "ok" and off["findings"] == []
    bad = post(server, good, severity="cell.placeholder=fatal")
    assert bad.status_code == 400 and bad.json()["error"] == "severity 的格式应为 规则=error|warning|off，而不是「cell.placeholder=fatal」"


def test_last_years_report_is_compared(server):
    answer = httpx.post(server.url("/api/verify"), files=[("files", ("2021.xlsx", GOOD.read_bytes())),
                                                          ("previous", ("2020.xlsx", b"not a workbook"))])
    got = answer.json()["files"][0]
    assert got["continuity"]["status"] == "not_assessed"
    assert got["continuity"]["previous"] == "上一年度报告 2020.xlsx"
    assert got["continuity"]["reason"].startswith("上一年度报告 2020.xlsx：")


def test_downloads_are_only_by_their_unguessable_urls(server):
    doc = post(server, ("a.xlsx", EXAMPLE.read_bytes())).json()
    url = doc["files"][0]["output"]
    rid = url.split("/")[-2]
    for path in (f"/files/{rid}/2", f"/files/{rid}/summary", f"/files/{rid}/..%2F..%2Fserver.log",
                 "/files/AAAAAAAAAAAAAAAAAAAAAAAA/1", f"/files/{rid[:-1]}/1", "/static/../server.log"):
        answer = httpx.get(server.url(path))
        assert answer.status_code == 404, path
        assert "server.log" not in answer.text or "没有这个页面" in answer.text


def test_the_blank_template(server):
    answer = httpx.get(server.url("/template"), params={"year": 2024, "organ": "某某市人民政府办公室"})
    assert answer.status_code == 200
    assert "filename*=UTF-8''2024" in answer.headers["content-disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(answer.content))
    meta = {r[0]: r[1] for r in wb["_xlcheck_meta"].iter_rows(values_only=True)}
    assert meta["organ"] == "某某市人民政府办公室" and str(meta["report_year"]) == "2024" and meta["edition"] == "2021"
    old = httpx.get(server.url("/template"), params={"year": 2010})
    assert old.status_code == 400 and "早于 2019 年" in old.text


def test_xlwings_office_js_payload_gets_its_actions(server, tmp_path):
    from test_excel import payload_of
    answer = httpx.post(server.url("/api/xlwings"), json=payload_of(EXAMPLE), timeout=60)
    assert answer.status_code == 200
    actions = answer.json()["actions"]
    notes = {a["args"][0].replace("$", "") for a in actions if a["func"] == "addNote"}
    assert "J6" in notes
    assert httpx.post(server.url("/api/xlwings"), content=b"{not json", headers={"content-type": "application/json"}).status_code == 400
    bad = httpx.post(server.url("/api/xlwings"), json={"sheets": "nonsense"})
    assert bad.status_code == 400 and "sheets" in bad.json()["error"]
    broken = httpx.post(server.url("/api/xlwings"), json={"sheets": [{"name": "x"}]})
    assert broken.status_code == 400 and broken.json()["error"].startswith("无法读取 xlwings 发送的工作簿数据")
    wb = openpyxl.Workbook()
    wb.active["A1"] = "与统计表无关的内容"
    wb.save(tmp_path / "unrelated.xlsx")
    unrelated = httpx.post(server.url("/api/xlwings"), json=payload_of(tmp_path / "unrelated.xlsx"), timeout=60)
    assert unrelated.status_code == 422 and "没有找到统计表" in unrelated.json()["error"]


def test_openapi_document(server):
    doc = httpx.get(server.url("/openapi.json")).json()
    assert doc["openapi"].startswith("3.") and {"/api/verify", "/api/xlwings", "/template"} <= set(doc["paths"])


def test_the_log_has_one_line_per_request_and_no_contents(server):
    marker = "绝密内容-7f3a9c"
    before = server.log().count('"POST /api/verify"')
    post(server, ("report.txt", f"{marker}\n".encode()))
    log = server.log()
    assert log.count('"POST /api/verify"') == before + 1
    assert marker not in log and "report.txt" not in log
    assert re.search(r'127\.0\.0\.1 "POST /api/verify" 200 1 个文件 \d+\.\d{3}s', log)


def test_the_page_is_chinese_and_every_asset_is_served_by_xlcheck(server):
    answer = httpx.get(server.url("/"))
    assert answer.status_code == 200 and '<html lang="zh-CN">' in answer.text and "开始校验" in answer.text
    assert answer.headers["content-security-policy"].startswith("default-src 'self'")
    assets = re.findall(r'(?:src|href)="([^"#]+)"', answer.text)
    assert sorted(assets) == ["/openapi.json", "/static/app.js", "/static/style.css"]
    for asset in assets:
        assert httpx.get(server.url(asset)).status_code == 200
    for suffix in (".xlsx", ".xlsm", ".xls", ".ods", ".html", ".htm", ".docx", ".pdf", ".txt"):
        assert suffix in answer.text.split('accept="')[1].split('"')[0].split(","), suffix


def test_the_clis_other_options_custom_schema_explanations_and_reading(server, tmp_path):
    """--schema, --explanations and --explain-reading, as form fields."""
    from test_template import INVENTED
    from xlcheck.model import editions
    from xlcheck.outputs.template import Options as TOptions, write_template
    schema = json.dumps(INVENTED, ensure_ascii=False).encode("utf-8")
    (tmp_path / "fruit.schema.json").write_bytes(schema)
    blank = write_template(editions.load_schema_file(tmp_path / "fruit.schema.json"), tmp_path / "fruit.xlsx", TOptions())
    answer = httpx.post(server.url("/api/verify"), timeout=60, data={"annotate": "0"},
                        files=[("files", ("fruit.xlsx", blank.read_bytes())), ("schema", ("水果.schema.json", schema))])
    (got,) = answer.json()["files"]
    assert (got["edition"], [f["rule"] for f in got["findings"]]) == ("fruit-1", ["table.empty"])
    bad = httpx.post(server.url("/api/verify"), files=[("files", ("fruit.xlsx", blank.read_bytes())),
                                                      ("schema", ("坏.schema.json", b"{not json"))])
    assert bad.status_code == 400 and bad.json()["error"].startswith("坏.schema.json：不是有效的 JSON")

    placeholder = write_filled(tmp_path / "w.xlsx", SAMPLE_2021, changes={"requests.new.research": "/"},
                               organ="乐清市人民政府办公室")
    explained = json.dumps([{"organ": "乐清市人民政府办公室", "rule": "cell.placeholder",
                             "point": "requests.new.research", "text": "本年没有科研机构申请"}], ensure_ascii=False)
    answer = httpx.post(server.url("/api/verify"), timeout=60, data={"annotate": "0", "explain_reading": "1"},
                        files=[("files", ("w.xlsx", placeholder.read_bytes())),
                               ("explanations", ("说明.json", explained.encode("utf-8")))])
    (got,) = answer.json()["files"]
    (f,) = [f for f in got["findings"] if f["rule"] == "cell.placeholder"]
    assert (f["severity"], f["explanation"]) == ("info", "本年没有科研机构申请")
    assert [t["table"] for t in got["reading"]] == ["active", "requests", "appeals"]
