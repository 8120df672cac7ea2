"""The report year and organ, from any title form a published report prints."""
import pytest

from xlcheck.locate.title import report_meta


@pytest.mark.parametrize("lines, year, organ", [
    (["乐清市人民政府办公室2021年政府信息公开工作年度报告"], "2021", "乐清市人民政府办公室"),
    (["2023年宣威市城市管理局政府信息公开工作年度报告"], "2023", "宣威市城市管理局"),
    (["宿迁市泗洪县人民政府2023年政府信息公开工作年度报告"], "2023", "宿迁市泗洪县人民政府"),
    (["XX局2023年度政府信息公开工作年度报告"], "2023", "XX局"),
    (["乐清市人民政府办公室 2021 年政府信息公开工作年度报告"], "2021", "乐清市人民政府办公室"),
    (["宿迁市泗洪县人民政府2023年政府信息公开", "工作年度报告"], "2023", "宿迁市泗洪县人民政府"),
    (["2023年宣威市城市管理局", "政府信息公开工作年度报告"], "2023", "宣威市城市管理局"),
    (["索引号：11320000/2024-00012", "宿迁市泗洪县人民政府", "2023年政府信息公开工作年度报告"], "2023", "宿迁市泗洪县人民政府"),
    (["发布日期：2024-01-20", "关于2023年度政府信息公开工作年度报告"], "2023", None),
    (["【淮安市人民政府】2024年政府信息公开工作年度报告"], "2024", "淮安市人民政府"),
])
def test_title_forms(lines, year, organ):
    meta = report_meta(lines)
    assert (meta.get("report_year"), meta.get("organ"), meta.get("year_source")) == (year, organ, "title")


def test_no_year_in_the_title_the_statistics_period_gives_it():
    prose = "本报告所列数据的统计期限自2023年1月1日至2023年12月31日止。"
    meta = report_meta(["宣威市城市管理局政府信息公开工作年度报告"], prose)
    assert meta == {"organ": "宣威市城市管理局", "report_year": "2023", "year_source": "statistics_period"}


def test_no_year_anywhere_but_a_publication_date():
    meta = report_meta(["宣威市城市管理局政府信息公开工作年度报告"], "宣威市城市管理局\n2024年2月3日")
    assert meta == {"organ": "宣威市城市管理局", "report_year": "2023", "year_source": "publication_date"}


def test_nothing_to_go_on():
    assert report_meta(["一、总体情况", "2019年,我乡明确专人负责政务公开工作"], "") == {}


def test_a_running_page_header_that_looks_like_a_title_does_not_hide_the_organ():
    """LibreOffice's HTML export prints a Word report's running page header before its title."""
    meta = report_meta(["2024年政府信息公开工作年度报告", "", "宿迁市泗洪县人民政府2024年政府信息公开工作年度报告"])
    assert meta == {"report_year": "2024", "year_source": "title", "organ": "宿迁市泗洪县人民政府"}
