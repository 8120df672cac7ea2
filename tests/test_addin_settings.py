"""Issue 14, item 6: a workbook must not redirect the add-in. The xlwings ribbon template's VBA
reads its settings from a `myaddin.conf` sheet of the workbook being checked (and xlwings takes
`*.py` sheets as code), so `verify` warns about such sheets in any workbook, of any visibility,
and the add-in's Python entry refuses the workbook before reading or marking anything."""
import json

import pytest
from openpyxl import load_workbook

from hostile import xlcheck
from helpers import SAMPLE_2021, write_filled
from test_excel import payload_of, remote_engine  # noqa: F401  (the fixture enabling xlwings' remote engine)


def with_sheet(path, name, state):
    write_filled(path, SAMPLE_2021)
    wb = load_workbook(path)
    ws = wb.create_sheet(name)
    ws.append(["INTERPRETER_WIN", r"C:\Users\Public\evil.exe"])
    ws.sheet_state = state
    wb.save(path)
    return path


@pytest.mark.parametrize("name, state", [("myaddin.conf", "veryHidden"), ("xlwings.conf", "hidden"),
                                         ("MyAddin.CONF", "visible"), ("xlcheck.py", "veryHidden")])
def test_verify_warns_about_settings_and_code_sheets(tmp_path, name, state):
    path = with_sheet(tmp_path / "a.xlsx", name, state)
    code, out, err = xlcheck("verify", path, "--format", "json", "--no-annotate")
    doc = json.loads(out)["files"][0]
    assert code == 0 and doc["status"] == "ok"
    assert [(f["rule"], f["severity"]) for f in doc["findings"]] == [("workbook.addin_settings", "warning")]
    assert doc["findings"][0]["message"].startswith(f"工作簿含有工作表 「{name}」：xlwings 加载项会把这样的工作表当作设置或代码读取")


def test_the_add_in_refuses_such_a_workbook_before_touching_it(tmp_path):
    import xlwings as xw
    from xlcheck.errors import InputError
    from xlcheck.excel import verify_book

    path = with_sheet(tmp_path / "b.xlsx", "myaddin.conf", "hidden")
    book = xw.Book(json=payload_of(path))
    with pytest.raises(InputError) as exc:
        verify_book(book)
    assert str(exc.value) == ("b.xlsx：工作簿含有工作表「myaddin.conf」，xlwings 加载项会把它当作设置或代码读取；"
                              "为安全起见不校验这个工作簿（请删除这些工作表后再校验，或用命令行 xlcheck verify）")
    assert book.json()["actions"] == []                       # nothing read back, nothing marked
