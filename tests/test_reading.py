"""`--explain-reading`: per table, which rows were found where, with their label as printed and
their values, so an evaluator can see why a finding arose."""
import json

from conftest import SAMPLE
from helpers import xlcheck


def test_json_reading_of_a_text_report(tmp_path):
    text = SAMPLE.read_text(encoding="utf-8").replace("\t行政规范性文件\n", "\t规范性文件\n", 1)
    path = tmp_path / "r.txt"
    path.write_text(text, encoding="utf-8")
    result = xlcheck("verify", path, "--format", "json", "--explain-reading")
    assert result.exit_code == 0, result.output
    (doc,) = json.loads(result.stdout)["files"]
    active, requests, appeals = doc["reading"]
    assert (active["table"], active["how"], active["missing"]) == ("active", "labels", [])
    first, second = active["rows"][:2]
    lines = text.splitlines()
    assert (first["row"], first["printed"], first["values"]) == ("regulations", "规章", ["0", "0", "0"])
    assert lines[first["line"] - 1].strip() == "规章"
    assert (second["row"], second["label"], second["printed"], second["values"]) == (
        "normative_documents", "行政规范性文件", "规范性文件", ["17", "198", "275"])
    assert [r["row"] for r in requests["rows"]][:2] == ["new", "carried_over"] and requests["missing"] == []
    # 表四 prints its numbers in one row without a label of their own; the values as printed (no-break spaces kept)
    assert [(r["row"], r["printed"], r["values"]) for r in appeals["rows"]] == [
        ("reconsideration", None, ["\xa01", "0\xa0", "0", "\xa00", "\xa01"]),
        ("litigation_direct", None, ["0", "0", "0", "0", "0"]),
        ("litigation_after_reconsideration", None, ["3", "0", "0", "0", "3"])]


def test_console_lines_and_not_by_default(tmp_path):
    plain = xlcheck("verify", SAMPLE, "--no-annotate")
    assert "读取" not in plain.stdout and "reading" not in xlcheck("verify", SAMPLE, "--format", "json").stdout
    explained = xlcheck("verify", SAMPLE, "--no-annotate", "--explain-reading").stdout.splitlines()
    i = explained.index("  读取 二、主动公开政府信息情况（6 行）")
    assert explained[i + 1].endswith("「规章」  0 0 0") and explained[i + 1].lstrip().startswith("第 ")


def test_a_pdfs_rows_are_placed_by_page():
    """In a PDF a row's place is its page (a published report has no lines to point at)."""
    from conftest import REPORTS
    result = xlcheck("verify", REPORTS / "009.pdf", "--format", "json", "--no-annotate", "--explain-reading")
    active, requests, appeals = json.loads(result.stdout)["files"][0]["reading"]
    assert [(r["row"], r["page"]) for r in active["rows"]][:4] == [
        ("regulations", 3), ("normative_documents", 3), ("licensing", 3), ("penalties", 4)]
    pages = [r["page"] for t in (active, requests, appeals) for r in t["rows"]]
    assert pages == sorted(pages) and set(pages) <= set(range(1, 7)) and all(p is not None for p in pages)
    lines = xlcheck("verify", REPORTS / "009.pdf", "--no-annotate", "--explain-reading").stdout.splitlines()
    assert any(line.startswith("    第 3 页  「规章」") for line in lines)
