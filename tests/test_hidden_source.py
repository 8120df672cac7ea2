"""Issue 14, item 5: no wrong ✓. The table checked must be the one a reader sees: a correct copy
hidden behind a wrong visible one, defined names pointing away from the printed table, or a second
copy holding other numbers are findings, never 「未发现问题」."""
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hostile import xlcheck
from helpers import SAMPLE_2021, write_filled


def check(path: Path) -> dict:
    code, out, err = xlcheck("verify", path, "--format", "json", "--no-annotate")
    assert err == b"" and code in (0, 1)
    return json.loads(out)["files"][0]


def rules(doc: dict) -> list[tuple[str, str, str]]:
    return [(f["rule"], f["severity"], f"{f['sheet']}!{f['cell']}") for f in doc["findings"]]


@pytest.mark.parametrize("state, word", [("hidden", "隐藏"), ("veryHidden", "非常隐藏（无法从界面取消隐藏）")])
def test_a_correct_hidden_copy_behind_a_wrong_visible_table(tmp_path, state, word):
    """The defined names point to the correct table on a (very) hidden sheet; the visible copy a
    reader sees says 25 where the total is 26."""
    path = write_filled(tmp_path / "a.xlsx", SAMPLE_2021)
    wb = load_workbook(path)
    shown = wb.copy_worksheet(wb["依申请公开"])
    shown.title = "依申请公开表"
    shown["J6"] = 25
    wb.move_sheet(shown, -(len(wb.sheetnames) - 2))
    wb["依申请公开"].sheet_state = state
    wb.save(path)
    doc = check(path)
    assert doc["status"] == "invalid"
    assert rules(doc) == [("layout.hidden_source", "error", "依申请公开!D6"),
                          ("layout.hidden_source", "error", "依申请公开表!J6")]
    assert doc["findings"][0]["message"] == f"三、收到和处理政府信息公开申请情况：校验的数字读自{word}的工作表「依申请公开」，不是读者看到的表格"
    assert doc["findings"][1]["message"] == ("三、收到和处理政府信息公开申请情况 › 一、本年新收政府信息公开申请数量 › 总计："
                                             "工作簿中另有一份这张表格，与校验的不同：依申请公开表!J6 为「25」，校验的 依申请公开!J6 为「26」")


def test_names_pointing_away_from_the_printed_table(tmp_path):
    """The printed table is wrong; the defined names point to correct numbers typed far to the right."""
    path = write_filled(tmp_path / "b.xlsx", SAMPLE_2021)
    wb = load_workbook(path)
    ws = wb["依申请公开"]
    for name, dn in list(wb.defined_names.items()):
        if name.startswith("requests."):
            sheet, ref = next(iter(dn.destinations))
            cell = ws[ref.replace("$", "")]
            far = ws.cell(cell.row, cell.column + 40, cell.value)
            dn.attr_text = f"'{sheet}'!${far.column_letter}${far.row}"
    ws["J6"] = 25
    wb.save(path)
    doc = check(path)
    assert doc["status"] == "invalid"
    assert rules(doc)[0] == ("layout.hidden_source", "error", "依申请公开!AR6")
    assert doc["findings"][0]["message"] == ("三、收到和处理政府信息公开申请情况：定义名称指向的 依申请公开!AR6 不紧接在印出的行标签"
                                             "「一、本年新收政府信息公开申请数量」之后，名称没有指向印出的表格")


def _without_names(path: Path):
    wb = load_workbook(path)
    for name in list(wb.defined_names):
        del wb.defined_names[name]
    del wb["_xlcheck_meta"]
    return wb


def test_two_printed_copies_that_differ(tmp_path):
    path = write_filled(tmp_path / "c.xlsx", SAMPLE_2021)
    wb = _without_names(path)
    copy = wb.copy_worksheet(wb["复议诉讼"])
    copy.title = "复议诉讼（续）"
    copy["E6"] = 9
    wb.save(path)
    doc = check(path)
    assert doc["status"] == "invalid" and rules(doc) == [("layout.hidden_source", "error", "复议诉讼（续）!E6")]
    assert doc["findings"][0]["message"].endswith("工作簿中另有一份这张表格，与校验的不同：复议诉讼（续）!E6 为「9」，校验的 复议诉讼!E6 为「1」")


def test_two_identical_copies_are_a_warning_and_one_copy_nothing(tmp_path):
    path = write_filled(tmp_path / "d.xlsx", SAMPLE_2021)
    assert check(path)["findings"] == []                       # the template itself: names beside its labels
    wb = _without_names(path)
    wb.save(path)
    assert check(path)["findings"] == []                       # read by its labels, one copy
    wb.copy_worksheet(wb["主动公开"]).title = "主动公开2"
    wb.save(path)
    doc = check(path)
    assert doc["status"] == "ok" and rules(doc) == [("layout.duplicate_table", "warning", "主动公开2!B5")]


def test_the_add_in_sees_hidden_sheets_too(tmp_path, monkeypatch):
    """The same attack through xlwings' remote engine (the engine of xlwings Server and Lite)."""
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")     # as test_excel: noncommercial use
    import xlwings as xw
    from test_excel import payload_of
    from xlcheck.excel import verify_book

    path = write_filled(tmp_path / "e.xlsx", SAMPLE_2021)
    wb = load_workbook(path)
    shown = wb.copy_worksheet(wb["依申请公开"])
    shown.title = "依申请公开表"
    shown["J6"] = 25
    wb["依申请公开"].sheet_state = "hidden"
    wb.save(path)
    result = verify_book(xw.Book(json=payload_of(path)), mark=False)
    assert result.status == "invalid"
    assert [(f.rule, f.where) for f in result.findings] == [("layout.hidden_source", "依申请公开!D6"),
                                                            ("layout.hidden_source", "依申请公开表!J6")]
