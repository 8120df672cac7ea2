"""The counts a report states in prose, against its tables: only sentences about 政府信息公开申请
(or about the appeals) are compared, and only the clause that names the count."""
import pytest

from conftest import SAMPLE
from xlcheck.check import check_file

TABLE_NEW = 26          # 乐清 2021: 一、本年新收政府信息公开申请数量 › 总计


def prose(tmp_path, sentence):
    """The sample report with `sentence` added to its prose; the findings as (rule, point, found, expected)."""
    text = SAMPLE.read_text(encoding="utf-8").replace("六、其他需要报告的事项\n", f"六、其他需要报告的事项\n{sentence}\n", 1)
    path = tmp_path / "r.txt"
    path.write_text(text, encoding="utf-8")
    result = check_file(str(path))
    assert result.status != "error", result.error
    return [(f.rule, f.point, f.found, f.expected) for f in result.findings]


@pytest.mark.parametrize("sentence", [
    "本年度新收人大代表建议12件，政协提案5件。",
    "全年新收信访件12件。",
    "共收到群众咨询30件，均已答复。",
    "本年新收30件。",                                         # names no kind of request
    "新收政府信息公开申请26件，新收人大代表建议12件。",          # the other clause is about something else
    "全年共收到政府信息公开申请26件，收到行政复议申请1件。",
])
def test_counts_of_other_things_are_not_compared(tmp_path, sentence):
    assert prose(tmp_path, sentence) == []


@pytest.mark.parametrize("sentence, point, stated", [
    ("全年共收到政府信息公开申请3件。", "requests.new.total", 3),
    ("2021年，本机关新收政府信息公开申请10件，均按时答复。", "requests.new.total", 10),
    ("本年度受理依申请公开申请12件。", "requests.new.total", 12),
    ("结转下年度继续办理政府信息公开申请3件。", "requests.carried_forward.total", 3),
])
def test_counts_about_requests_are_compared(tmp_path, sentence, point, stated):
    expected = {"requests.new.total": TABLE_NEW, "requests.carried_forward.total": 2}[point]
    assert prose(tmp_path, sentence) == [("narrative.mismatch", point, stated, expected)]


def test_a_count_too_long_to_be_one_is_quoted_not_converted(tmp_path):
    (finding,) = prose(tmp_path, "新收政府信息公开申请" + "9" * 5000 + "件。")
    assert finding[:2] == ("narrative.mismatch", "requests.new.total") and finding[2].endswith("…（共 5000 字）")
