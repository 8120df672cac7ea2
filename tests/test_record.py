"""Issue 14, item 4: the mark record (hidden sheet _xlcheck) comes with the workbook, so it is not
trusted. A record naming a part xlcheck did not create, asking to undo an edit xlcheck could not
have made, or not matching its own digests is refused: clear changes nothing, marking writes the
findings to a separate workbook, and no part of the user's is ever deleted."""
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hostile import rewrite, xlcheck
from helpers import SAMPLE_2021, write_filled
from xlcheck.outputs.ooxml import worksheet_xml
from xlcheck.outputs.record import HEADER, RECORD_PART, digest


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def marked(tmp_path: Path) -> Path:
    src = write_filled(tmp_path / "a.xlsx", SAMPLE_2021, changes={"requests.new.total": 25})
    code, _, _ = xlcheck("verify", src)
    assert code == 1
    return tmp_path / "a.checked.xlsx"


def forge(path: Path, rows: list[list[str]]) -> Path:
    """The annotated copy with its record replaced by `rows` (digests computed as xlcheck does)."""
    return rewrite(path, path.with_name("forged.xlsx"), RECORD_PART, lambda _: worksheet_xml([HEADER] + rows))


def edit(part, before, after, mark=None):
    return ["#edit", part, before, after, mark if mark is not None else digest(part, before, after)]


def part(pkg, name):
    return ["#part", name, "", "", digest(name, pkg[name])]


@pytest.mark.parametrize("attack, reason", [
    (lambda m: [part(m, "xl/worksheets/sheet2.xml")], "标注记录要求删除不是 xlcheck 创建的部件 xl/worksheets/sheet2.xml"),
    (lambda m: [part(m, "xl/styles.xml")], "标注记录要求删除不是 xlcheck 创建的部件 xl/styles.xml"),
    (lambda m: [part(m, "xl/_rels/workbook.xml.rels")], "标注记录要求删除不是 xlcheck 创建的部件 xl/_rels/workbook.xml.rels"),
    # undoing "after" back to "before" would delete the workbook's defined names
    (lambda m: [edit("xl/workbook.xml", "</workbook>", m["xl/workbook.xml"].decode()[
        m["xl/workbook.xml"].decode().index("<definedNames>"):] )],
     "标注记录要求撤销 xl/workbook.xml 中不是 xlcheck 所做的改动"),
    # a comment of the user's dressed as an insertion of xlcheck's
    (lambda m: [edit("xl/comments/xlcheck-comments1.xml", "</commentList>",
                     '<comment ref="A1" authorId="0"><text><t>用户的批注</t></text></comment></commentList>')],
     "标注记录要求撤销 xl/comments/xlcheck-comments1.xml 中不是 xlcheck 所做的改动"),
    # a genuine-looking edit whose digest does not match what it says
    (lambda m: [edit("xl/styles.xml", "</fills>", '<fill><patternFill patternType="solid"><fgColor rgb="FFFFC7CE"/>'
                     '<bgColor indexed="64"/></patternFill></fill></fills>', mark="0" * 32)],
     "标注记录中对 xl/styles.xml 的改动与其校验值不符"),
])
def test_a_forged_record_is_refused_and_nothing_is_touched(tmp_path, attack, reason):
    copy = marked(tmp_path)
    forged = forge(copy, attack(members(copy)))
    before = members(forged)
    code, out, err = xlcheck("clear", forged)
    assert (code, out) == (2, b"") and err.decode() == f"xlcheck：{forged}：{reason}；未作任何改动\n"
    assert members(forged) == before and not forged.with_name("forged.xlsx.bak").exists()
    # marking it again writes the findings beside it instead of touching the package
    code, out, err = xlcheck("verify", forged, "-o", tmp_path / "again.xlsx")
    assert code == 1 and f"无法安全地在原工作簿上标注（{reason}），问题清单另存为 forged.findings.xlsx" in out.decode()
    assert not (tmp_path / "again.xlsx").exists() and members(forged) == before
    assert load_workbook(tmp_path / "forged.findings.xlsx").sheetnames == ["校验结果"]


def test_a_record_hidden_in_a_workbook_xlcheck_never_marked(tmp_path):
    """The attack of the issue: a plain workbook carrying a very hidden _xlcheck sheet whose record
    names the user's parts; clearing it must not delete them."""
    src = write_filled(tmp_path / "plain.xlsx", SAMPLE_2021)
    wb = load_workbook(src)
    ws = wb.create_sheet("_xlcheck")
    ws.sheet_state = "veryHidden"
    for row in [HEADER, ["#part", "xl/worksheets/sheet1.xml", "", "", ""], ["#part", "xl/worksheets/sheet3.xml", "", "", ""]]:
        ws.append(row)
    wb.save(src)
    before = members(src)
    code, out, err = xlcheck("clear", src)
    assert code == 2 and err.decode() == (f"xlcheck：{src}：标注记录要求删除不是 xlcheck 创建的部件 xl/worksheets/sheet1.xml"
                                          "；未作任何改动\n")
    assert members(src) == before


def test_a_resaved_copy_whose_record_names_impossible_cells(tmp_path):
    """Re-saved by another program (the recorded edits no longer apply), with record rows naming
    no cell at all: cleared through openpyxl, the impossible rows skipped."""
    copy = marked(tmp_path)
    wb = load_workbook(copy)
    wb["_xlcheck"].append(["依申请公开", "ZZZZ99999999", "<fill", "1"])
    wb["_xlcheck"].append(["依申请公开", "A0", None, "1"])
    wb.save(copy)
    code, out, err = xlcheck("clear", copy)
    assert (code, err) == (0, b"") and out.decode() == f"已清除 0 个单元格的标注：{copy}\n"
    wb = load_workbook(copy)
    assert wb.sheetnames == ["主动公开", "依申请公开", "复议诉讼", "_xlcheck_meta"]
    assert wb["依申请公开"]["J6"].comment is None and wb["依申请公开"]["J6"].fill.fgColor.rgb == "00000000"
