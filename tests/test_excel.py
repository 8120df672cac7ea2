"""The Excel path, tested on Linux without Excel: the add-in read back, and `verify_book` run for
real through xlwings' remote engine (the engine of xlwings Server and xlwings Lite)."""
import json
import subprocess
import sys
import zipfile

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from helpers import SAMPLE_2021, write_filled, xlcheck
from xlcheck.check import check_file


@pytest.fixture(autouse=True)
def remote_engine(monkeypatch):
    # xlwings PRO's remote engine is free for noncommercial and government use (PolyForm
    # Noncommercial); the literal key "noncommercial" enables it, in the tests only.
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")


def payload_of(path, notes=()):
    """The JSON the Office.js client sends for a workbook: values from A1, note addresses, names."""
    import xlwings as xw
    wb = openpyxl.load_workbook(path)
    sheets = []
    for ws in wb.worksheets:
        rows, cols = ws.max_row, ws.max_column
        values = [["" if c.value is None else c.value for c in row] for row in ws.iter_rows(min_row=1, max_row=rows, max_col=cols)]
        sheet_notes = [{"address": c.coordinate} for row in ws.iter_rows() for c in row if c.comment]
        sheet_notes += [{"address": a} for s, a in notes if s == ws.title]
        sheets.append({"name": ws.title, "values": values, "notes": sheet_notes, "notes_supported": True,
                       "used_range_address": f"A1:{get_column_letter(cols)}{rows}",
                       "visibility": "Visible" if ws.sheet_state == "visible" else "Hidden",
                       "tables": [], "pictures": [], "shapes": [], "charts": [], "pivot_tables": [],
                       "print_area": None, "show_gridlines": True})
    names = []
    for name, dn in wb.defined_names.items():
        for sheet, ref in dn.destinations:
            names.append({"name": name, "sheet_index": wb.sheetnames.index(sheet), "address": ref.replace("$", ""),
                          "book_scope": True, "scope_sheet_name": None, "scope_sheet_index": None})
    return {"client": "Office.js", "version": xw.__version__,
            "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1", "calculation": "automatic"},
            "names": names, "sheets": sheets}


def _addr(row, col):
    return f"{get_column_letter(col + 1)}{row + 1}"


def apply(payload, actions, colors):
    """What the Office.js client does with the actions, as far as the next payload shows it."""
    for a in actions:
        func, pos = a["func"], a["sheet_position"]
        if func == "addSheet":
            index, name = a["args"]
            payload["sheets"].insert(index, {"name": name, "values": [], "notes": [], "notes_supported": True,
                                             "used_range_address": None, "visibility": "Visible", "tables": [], "pictures": [],
                                             "shapes": [], "charts": [], "pivot_tables": [], "print_area": None, "show_gridlines": True})
        elif func == "sheetDelete":
            del payload["sheets"][pos]
        elif func == "setSheetVisibility":
            payload["sheets"][pos]["visibility"] = a["args"][0]
        elif func == "sheetClearContents":
            payload["sheets"][pos]["values"] = []
            payload["sheets"][pos]["used_range_address"] = None
        elif func == "setValues":
            sheet = payload["sheets"][pos]
            values = sheet["values"]
            r0, c0 = a["start_row"], a["start_column"]
            for i, row in enumerate(a["values"]):
                while len(values) <= r0 + i:
                    values.append([])
                for j, v in enumerate(row):
                    while len(values[r0 + i]) <= c0 + j:
                        values[r0 + i].append("")
                    values[r0 + i][c0 + j] = v
            width = max(len(r) for r in values)
            for r in values:
                r.extend([""] * (width - len(r)))
            sheet["used_range_address"] = f"A1:{get_column_letter(width)}{len(values)}"
        elif func == "addNote":
            payload["sheets"][pos]["notes"].append({"address": a["args"][0].replace("$", "")})
        elif func == "deleteNote":
            target = a["args"][0].replace("$", "")
            payload["sheets"][pos]["notes"] = [n for n in payload["sheets"][pos]["notes"] if n["address"] != target]
        elif func == "setRangeColor":
            colors[(payload["sheets"][pos]["name"], _addr(a["start_row"], a["start_column"]))] = a["args"][0]
    return payload


def _notes(actions, func, book_payload):
    return [(book_payload["sheets"][a["sheet_position"]]["name"] if a["sheet_position"] is not None else None,
             a["args"][0].replace("$", "")) for a in actions if a["func"] == func]


def run_book(payload):
    import xlwings as xw
    from xlcheck.excel import verify_book
    book = xw.Book(json=json.loads(json.dumps(payload)))
    result = verify_book(book)
    return result, book.json()["actions"]


def test_verify_book_marks_exactly_the_expected_cells_and_reruns_cleanly(tmp_path):
    src = write_filled(tmp_path / "b.xlsx", SAMPLE_2021, changes={"requests.granted.total": 18})
    payload = payload_of(src, notes=[("复议诉讼", "A6")])            # a note of the user's own
    result, actions = run_book(payload)
    # the same findings the command line gives
    assert [f.to_json() for f in result.findings] == [f.to_json() for f in check_file(str(src)).findings]
    added = _notes(actions, "addNote", payload)
    assert sorted(added) == [("依申请公开", "J29"), ("依申请公开", "J8")]
    texts = {a["args"][0]: a["args"][1] for a in actions if a["func"] == "addNote"}
    assert texts["$J$8"].startswith("[xlcheck] 可能填错：应为 17") and "\n（requests.row_total）" in texts["$J$8"]
    colors = {}
    before = json.loads(json.dumps(payload))
    state = apply(payload, actions, colors)
    assert colors == {("依申请公开", "J8"): "#FFC7CE", ("依申请公开", "J29"): "#FFC7CE"}
    assert not _notes(actions, "deleteNote", before)                 # first run: nothing of ours to clear
    names = [s["name"] for s in state["sheets"]]
    assert names.count("校验结果") == 1 and names.count("_xlcheck") == 1
    record = next(s for s in state["sheets"] if s["name"] == "_xlcheck")
    assert record["visibility"] == "Hidden"
    assert [r[:2] for r in record["values"][1:]] == [["依申请公开", "J8"], ["依申请公开", "J29"]]
    # run again on the state those actions produced: old marks deleted, nothing duplicated
    result2, actions2 = run_book(state)
    deleted = _notes(actions2, "deleteNote", state)
    assert sorted(deleted) == [("依申请公开", "J29"), ("依申请公开", "J8")]
    assert ("复议诉讼", "A6") not in deleted                          # the user's note is left alone
    state2 = apply(json.loads(json.dumps(state)), actions2, colors)
    notes = sorted((s["name"], n["address"]) for s in state2["sheets"] for n in s["notes"])
    assert notes == [("依申请公开", "J29"), ("依申请公开", "J8"), ("复议诉讼", "A6")]
    assert [s["name"] for s in state2["sheets"]].count("校验结果") == 1


def test_fixing_the_cell_clears_its_marks(tmp_path):
    src = write_filled(tmp_path / "f.xlsx", SAMPLE_2021, changes={"appeals.reconsideration.total": 2})
    payload = payload_of(src)
    _, actions = run_book(payload)
    colors = {}
    state = apply(payload, actions, colors)
    sheet = next(s for s in state["sheets"] if s["name"] == "复议诉讼")
    sheet["values"][5][4] = 1                                          # E6 corrected by the clerk
    result, actions2 = run_book(state)
    assert result.findings == [] and result.status == "ok"
    assert sorted(_notes(actions2, "deleteNote", state)) == sorted(_notes(actions, "addNote", payload))
    assert not _notes(actions2, "addNote", state)
    state2 = apply(state, actions2, colors)
    assert all(v is None for v in colors.values())
    assert all(not s["notes"] for s in state2["sheets"])


def test_a_users_note_on_a_marked_cell_is_kept_and_the_cell_still_filled(tmp_path):
    src = write_filled(tmp_path / "n.xlsx", SAMPLE_2021, changes={"requests.granted.total": 18})
    payload = payload_of(src, notes=[("依申请公开", "J8")])
    _, actions = run_book(payload)
    assert ("依申请公开", "J8") not in _notes(actions, "addNote", payload)
    assert ("依申请公开", "J8") not in _notes(actions, "deleteNote", payload)
    colors = {}
    apply(payload, actions, colors)
    assert colors[("依申请公开", "J8")] == "#FFC7CE"


def test_a_workbook_not_made_by_the_template_is_read_by_labels(tmp_path):
    from layouts import printed, to_sheet
    wb = openpyxl.Workbook()
    ws = wb.active
    row = 1
    for key, (caption, cells) in printed("2021", SAMPLE_2021).items():
        row = to_sheet(ws, row, 2, caption, cells) + 2
    granted = next(c for r in ws.iter_rows() for c in r if c.value == "（一）予以公开")
    total = ws.cell(granted.row, max(c.column for c in ws[granted.row] if c.value is not None))
    total.value = 18                    # （一）予以公开 · 总计: 17 + 1
    path = tmp_path / "own.xlsx"
    wb.save(path)
    payload = payload_of(path)
    result, actions = run_book(payload)
    assert result.edition == "2021" and result.status == "invalid"
    assert ("Sheet", total.coordinate) in _notes(actions, "addNote", payload)


def test_main_alerts_with_the_counts_and_first_findings(tmp_path, monkeypatch):
    import xlwings as xw
    import xlcheck
    src = write_filled(tmp_path / "m.xlsx", SAMPLE_2021, changes={"appeals.reconsideration.total": 2})
    book = xw.Book(json=payload_of(src))
    monkeypatch.setattr(xw.Book, "caller", classmethod(lambda cls: book))
    result = xlcheck.main()
    alerts = [a for a in book.json()["actions"] if a["func"] == "alert"]
    assert len(alerts) == 1 and result.status == "invalid"
    text, title = alerts[0]["args"][:2]
    assert title == "政务公开校验" and text.startswith("发现 1 个错误、0 个警告。") and "复议诉讼!E6" in text
    good = xw.Book(json=payload_of(write_filled(tmp_path / "g.xlsx", SAMPLE_2021)))
    monkeypatch.setattr(xw.Book, "caller", classmethod(lambda cls: good))
    xlcheck.main()
    (alert,) = [a for a in good.json()["actions"] if a["func"] == "alert"]
    assert alert["args"][0] == "校验通过：没有发现问题。"


# ------------------------------------------------------------ the add-in


def test_addin_is_built_from_the_xlwings_template(tmp_path):
    from xlcheck.addin import template_path
    result = xlcheck("addin", "build", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    built = zipfile.ZipFile(tmp_path / "xlcheck.xlam")
    original = zipfile.ZipFile(template_path())
    assert built.namelist() == original.namelist()
    for name in original.namelist():
        if name != "customUI/customUI.xml":
            assert built.read(name) == original.read(name), name
    ui = built.read("customUI/customUI.xml").decode("utf-8")
    assert 'label="政务公开校验"' in ui and 'label="校验当前工作簿"' in ui and 'label="MyAddin"' not in ui
    assert 'onAction="RibbonMyAddin.RunMain"' in ui                  # the VBA callback is unchanged
    from xml.etree import ElementTree
    ElementTree.fromstring(ui.encode("utf-8"))                       # still well-formed
    vba = tmp_path / "vbaProject.bin"
    vba.write_bytes(built.read("xl/vbaProject.bin"))
    out = subprocess.run([sys.executable, "-m", "oletools.olevba", "--decode", str(vba)], capture_output=True, text=True)
    source = out.stdout
    assert 'RunPython "import " & mymodule & ";" & mymodule & ".main()"' in source
    assert "mymodule = Left(ThisWorkbook.Name" in source              # the file stem: xlcheck.xlam → import xlcheck


def test_addin_install_says_there_is_no_excel_on_linux():
    if sys.platform.startswith("win") or sys.platform == "darwin":
        pytest.skip("this machine may have Excel")
    result = xlcheck("addin", "install")
    assert result.exit_code == 2 and "没有 Excel" in result.output


def test_addin_install_on_windows_copies_to_xlstart_and_points_at_this_python(tmp_path, monkeypatch):
    from xlcheck import addin
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("APPDATA", str(tmp_path / "AppData"))
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "home"))
    monkeypatch.setattr(addin, "startup_dir", lambda: tmp_path / "AppData" / "Microsoft" / "Excel" / "XLSTART")
    path, conf = addin.install()
    assert path == tmp_path / "AppData" / "Microsoft" / "Excel" / "XLSTART" / "xlcheck.xlam"
    assert zipfile.ZipFile(path).read("xl/vbaProject.bin") == zipfile.ZipFile(addin.template_path()).read("xl/vbaProject.bin")
    assert conf == tmp_path / "home" / ".myaddin" / "myaddin.conf"
    assert conf.read_text(encoding="utf-8").splitlines()[0] == f'"INTERPRETER_WIN","{sys.executable}"'


def test_a_file_marked_by_the_cli_is_cleared_by_the_button_without_touching_the_users_note(tmp_path):
    from openpyxl.comments import Comment
    src = write_filled(tmp_path / "c.xlsx", SAMPLE_2021, changes={"requests.granted.total": 18})
    wb = openpyxl.load_workbook(src)
    wb["依申请公开"]["J8"].comment = Comment("总计已复核", "王五")          # the user's note on a cell xlcheck marks
    wb.save(src)
    assert xlcheck("verify", str(src)).exit_code == 1
    marked = tmp_path / "c.checked.xlsx"
    wb = openpyxl.load_workbook(marked)
    wb["依申请公开"]["J8"] = 17                                             # fixed in Excel
    wb.save(marked)
    payload = payload_of(marked)
    result, actions = run_book(payload)
    assert result.status == "ok"
    deleted = _notes(actions, "deleteNote", payload)
    assert deleted == [("依申请公开", "J29")]                              # ours; the user's J8 note stays
