"""Annotation loses nothing: members xlcheck does not touch are byte-identical, the ones it
touches differ only in what marking adds, and clearing gives the original members back."""
import json
import re
import shutil
import zipfile
from xml.etree import ElementTree as ET

import openpyxl
from pathlib import Path
import pytest

import corpus
from conftest import convert
from helpers import SAMPLE_2021, write_filled, xlcheck

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
TOUCHABLE = re.compile(r"^(\[Content_Types\]\.xml|xl/workbook\.xml|xl/_rels/workbook\.xml\.rels|xl/styles\.xml|"
                       r"xl/worksheets/sheet\d+\.xml|xl/worksheets/_rels/sheet\d+\.xml\.rels|xl/comments\d*\.xml|"
                       r"xl/comments/comment\d+\.xml|xl/drawings/vmlDrawing\d+\.vml)$")


def _build(name, tmp_path):
    suffix = ".xlsm" if name == "macros" else ".xlsx"
    return corpus.BUILDERS[name](tmp_path / f"{name}{suffix}")


def members(path):
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def verify(*args):
    result = xlcheck("verify", *args, "--format", "json")
    doc = json.loads(result.stdout)["files"][0]
    assert result.exit_code == {"ok": 0, "invalid": 1, "error": 2}[doc["status"]], result.output
    return doc


def only_added(old, new, path="", ignore_attrs=("count", "s", "activeTab", "tabSelected")):
    """Every element and attribute of `old` is in `new`, in order: marking only adds (apart from
    the `count` of lists it appended to, the `s` of marked cells, and the tab it opens on)."""
    assert old.tag == new.tag, path
    a = {k: v for k, v in old.attrib.items() if k not in ignore_attrs}
    b = {k: v for k, v in new.attrib.items() if k not in ignore_attrs}
    assert a == b, f"{path}/{old.tag}: {a} != {b}"
    assert (old.text or "").strip() == (new.text or "").strip(), path
    children = list(new)
    i = 0
    for child in old:
        while i < len(children) and children[i].tag != child.tag:
            i += 1
        assert i < len(children), f"{path}/{child.tag} was removed"
        only_added(child, children[i], f"{path}/{old.tag}", ignore_attrs)
        i += 1


def _cells(xml: bytes) -> dict[str, dict]:
    root = ET.fromstring(xml)
    return {c.get("r"): dict(c.attrib, v=c.findtext(f"{MAIN}v"), t_text="".join(c.itertext()))
            for c in root.iter(f"{MAIN}c")}


@pytest.mark.parametrize("name", list(corpus.BUILDERS))
def test_annotation_touches_only_what_marking_needs(name, tmp_path):
    src = _build(name, tmp_path)
    before = members(src)
    doc = verify(src)
    assert doc["status"] == "invalid" and doc["output"], doc
    after = members(doc["output"])
    for member, data in before.items():
        assert member in after, f"{member} was dropped"
        if after[member] != data:
            assert TOUCHABLE.match(member), f"{member} changed but marking does not need it"
            only_added(ET.fromstring(data), ET.fromstring(after[member]), member)     # parsed: nothing lost
    added = set(after) - set(before)
    assert all(re.match(r"xl/(worksheets/xlcheck-(results|record)\.xml|comments/xlcheck-comments\d+\.xml|"
                        r"drawings/xlcheck-vmlDrawing\d+\.vml|worksheets/_rels/sheet\d+\.xml\.rels)$", m) for m in added), added
    # the marked sheet differs only in the s attribute of the marked cells (and a legacyDrawing)
    sheet = next(m for m in before if re.match(r"xl/worksheets/sheet\d+\.xml$", m) and after[m] != before[m])
    old, new = _cells(before[sheet]), _cells(after[sheet])
    marked = {f["cell"] for f in doc["findings"]} | {c["cell"] for r in (doc["diagnosis"] or {}).get("repairs", []) for c in r["changes"]}
    assert set(new) == set(old) | (set(new) - set(old)) and set(new) - set(old) <= marked
    for ref in old:
        o, n = dict(old[ref]), dict(new[ref])
        if ref in marked:
            o.pop("s", None), n.pop("s", None)
        assert o == n, ref
    # every untouched member of the macros, charts, images, threaded comments … is identical
    for member in ("xl/vbaProject.bin", "xl/charts/chart1.xml", "xl/media/image1.png", "xl/threadedComments/threadedComment1.xml",
                   "xl/persons/person.xml", "xl/drawings/drawing1.xml"):
        if member in before:
            assert after[member] == before[member], member
    # openpyxl reads our comments back
    wb = openpyxl.load_workbook(doc["output"])
    found = {(ws.title, c.coordinate): c.comment.text for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.comment}
    ours = {k for k, t in found.items() if t.startswith("[xlcheck]")}
    assert ours, found


def test_a_users_comments_keep_their_size_and_text(tmp_path):
    src = _build("comments", tmp_path)
    before = members(src)
    doc = verify(src)
    after = members(doc["output"])
    vml_before = before["xl/drawings/vmlDrawing1.vml"].decode()
    vml_after = after["xl/drawings/vmlDrawing1.vml"].decode()
    assert vml_after.startswith(vml_before[: vml_before.rindex("</xml>")])     # every user shape as it was, sizes included
    comments_after = after["xl/comments1.xml"].decode()
    assert "总计已复核" in comments_after and "[Threaded comment]" in comments_after
    wb = openpyxl.load_workbook(doc["output"])
    ws = wb["年报"]
    assert ws["J24"].comment.text == "总计已复核"            # the user's comment on a marked cell is left alone …
    assert ws["J24"].fill.fgColor.rgb == "FFFFC7CE"          # … and the cell is filled
    assert ws["J45"].comment.text.startswith("[xlcheck] 三、") and ws["J45"].comment.text.endswith("（requests.results_total）")


@pytest.mark.parametrize("name", list(corpus.BUILDERS))
def test_mark_remark_clear_gives_back_the_original_members(name, tmp_path):
    src = _build(name, tmp_path)
    original = members(src)
    work = tmp_path / f"work{src.suffix}"
    shutil.copy(src, work)
    verify(work, "--in-place")
    assert verify(work, "--in-place")["status"] == "invalid"          # marking a marked copy again
    result = xlcheck("clear", str(work))
    assert result.exit_code == 0, result.output
    cleared = members(work)
    # compared byte for byte: clearing undoes exactly the recorded edits, so not even what the
    # format calls insignificant (attribute order, whitespace, namespace prefixes) may differ
    assert sorted(cleared) == sorted(original)
    for member in original:
        assert cleared[member] == original[member], member


def test_remark_with_fewer_findings_then_clear(tmp_path):
    src = write_filled(tmp_path / "t.xlsx", SAMPLE_2021, changes={"requests.granted.total": 18, "appeals.reconsideration.total": 2})
    original = members(src)
    work = tmp_path / "w.xlsx"
    shutil.copy(src, work)
    first = verify(work, "--in-place")
    assert len(first["findings"]) == 3
    # a program that edits cell values in place (not re-saving the package): fix 表四
    data = members(work)
    sheet = data["xl/worksheets/sheet3.xml"].decode()
    fixed = re.sub(r'(<c r="E6"[^>]*><v>)2(</v>)', r"\g<1>1\2", sheet)
    assert fixed != sheet
    data["xl/worksheets/sheet3.xml"] = fixed.encode()
    with zipfile.ZipFile(work, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in data.items():
            z.writestr(zipfile.ZipInfo(n, date_time=(1980, 1, 1, 0, 0, 0)), d)
    second = verify(work, "--in-place")
    assert [f["rule"] for f in second["findings"]] == ["requests.row_total", "requests.results_total"]
    wb = openpyxl.load_workbook(work)
    assert wb["复议诉讼"]["E6"].comment is None and wb["复议诉讼"]["E6"].fill.fgColor.rgb == "00000000"
    assert xlcheck("clear", str(work)).exit_code == 0
    cleared = members(work)
    # the value the user changed stays changed; everything else is as it was
    original["xl/worksheets/sheet3.xml"] = re.sub(r'(<c r="E6"[^>]*><v>)2(</v>)', r"\g<1>1\2",
                                                  original["xl/worksheets/sheet3.xml"].decode()).encode()
    assert cleared == original


def test_a_copy_resaved_by_another_program_is_still_re_marked(tmp_path):
    src = write_filled(tmp_path / "r.xlsx", SAMPLE_2021, changes={"appeals.reconsideration.total": 2})
    out = tmp_path / "r.checked.xlsx"
    verify(src)
    wb = openpyxl.load_workbook(out)          # as Excel or WPS would: every part rewritten
    wb["复议诉讼"]["E6"] = 1
    wb.save(out)
    doc = verify(out, "--in-place")
    assert doc["status"] == "ok" and not doc.get("notes")
    wb = openpyxl.load_workbook(out)
    assert not [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.comment]
    assert wb.sheetnames.count("校验结果") == 1 and wb.sheetnames.count("_xlcheck") == 1


def test_a_part_that_cannot_be_edited_safely_gives_a_separate_findings_workbook(tmp_path):
    src = write_filled(tmp_path / "s.xlsx", SAMPLE_2021, changes={"appeals.reconsideration.total": 2})
    data = members(src)
    data["xl/styles.xml"] = re.sub(rb"<cellXfs\b.*?</cellXfs>", b"", data["xl/styles.xml"], flags=re.S)
    with zipfile.ZipFile(src, "w") as z:
        for n, d in data.items():
            z.writestr(n, d)
    before = src.read_bytes()
    result = xlcheck("verify", str(src))
    assert result.exit_code == 1
    assert "无法安全地在原工作簿上标注" in result.output and "s.findings.xlsx" in result.output
    assert not (tmp_path / "s.checked.xlsx").exists() and src.read_bytes() == before
    wb = openpyxl.load_workbook(tmp_path / "s.findings.xlsx")
    assert [r[2] for r in wb["校验结果"].iter_rows(min_row=2, values_only=True)] == [None, "appeals.total"]   # the diagnosis leads


@pytest.mark.parametrize("name", ["chart_and_image", "comments", "formats", "libreoffice"])
def test_libreoffice_opens_annotated_copies_and_reads_the_comments(soffice, name, tmp_path):
    if name == "libreoffice":
        filled = write_filled(tmp_path / "filled.xlsx", SAMPLE_2021, changes={"requests.granted.total": 18})
        lo = tmp_path / "lo"
        lo.mkdir()
        src = convert(soffice, filled, "xlsx", lo)               # saved by LibreOffice
    else:
        src = _build(name, tmp_path)
    original = members(src)
    doc = verify(src)
    out = tmp_path / "ods"
    out.mkdir()
    ods = convert(soffice, Path(doc["output"]), "ods", out)
    content = zipfile.ZipFile(ods).read("content.xml").decode("utf-8")
    assert "（requests." in content and "[xlcheck] 三、" in content   # our comments, read back by LibreOffice
    ns = {"office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0", "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0"}
    in_lo = {"\n".join("".join(p.itertext()) for p in a.findall("text:p", ns))
             for a in ET.fromstring(content.encode("utf-8")).iter(f"{{{ns['office']}}}annotation")}
    wb = openpyxl.load_workbook(doc["output"])
    noted = [c.comment.text for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.comment]
    assert content.count("<office:annotation>") + content.count("<office:annotation ") == len(noted)
    in_openpyxl = set(noted)
    assert {t for t in in_lo if t.startswith("[xlcheck]")} == {t for t in in_openpyxl if t.startswith("[xlcheck]")}
    if name == "libreoffice":
        after = members(doc["output"])
        for member, data in original.items():
            if after[member] != data:
                assert TOUCHABLE.match(member), member
