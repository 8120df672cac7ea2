"""The shipped schemas: valid JSON Schema, valid against our keyword meta-schema, and holding
exactly the keys, labels and rules of shared/spec/statutory-tables.md (the contract)."""
import json

import pytest
from jsonschema import Draft202012Validator

from xlcheck.errors import InputError
from xlcheck.model import editions as schemas

SPEC_REQUEST_COLUMNS = ["natural_person", "commercial", "research", "social_welfare", "legal_services", "other_org", "total"]
SPEC_REQUEST_ROWS_COMMON = [
    ("new", "一、本年新收政府信息公开申请数量"), ("carried_over", "二、上年结转政府信息公开申请数量"),
    ("granted", "（一）予以公开"), ("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("withheld_state_secret", "1.属于国家秘密"), ("withheld_prohibited_by_law", "2.其他法律行政法规禁止公开"),
    ("withheld_three_safeties", "3.危及“三安全一稳定”"), ("withheld_third_party", "4.保护第三方合法权益"),
    ("withheld_internal_affairs", "5.属于三类内部事务信息"), ("withheld_deliberative", "6.属于四类过程性信息"),
    ("withheld_enforcement_files", "7.属于行政执法案卷"), ("withheld_inquiry", "8.属于行政查询事项"),
    ("unavailable_not_held", "1.本机关不掌握相关政府信息"), ("unavailable_needs_creation", "2.没有现成信息需要另行制作"),
    ("unavailable_unclear", "3.补正后申请内容仍不明确"), ("rejected_petition", "1.信访举报投诉类申请"),
    ("rejected_duplicate", "2.重复申请"), ("rejected_publication", "3.要求提供公开出版物"),
    ("rejected_excessive", "4.无正当理由大量反复申请"), ("rejected_confirmation", "5.要求行政机关确认或重新出具已获取信息"),
]
SPEC_OTHER = {
    "2021": [("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
             ("other_unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
             ("other_misc", "3.其他")],
    "2019": [("other", "（六）其他处理")],
}
SPEC_ACTIVE = {
    "2021": {"regulations": ("规章", ["issued", "repealed", "in_force"]),
             "normative_documents": ("行政规范性文件", ["issued", "repealed", "in_force"]),
             "licensing": ("行政许可", ["decisions"]), "penalties": ("行政处罚", ["decisions"]),
             "coercive_measures": ("行政强制", ["decisions"]), "fees": ("行政事业性收费", ["amount"])},
    "2019": {"regulations": ("规章", ["newly_made", "newly_published", "total_published"]),
             "normative_documents": ("规范性文件", ["newly_made", "newly_published", "total_published"]),
             "licensing": ("行政许可", ["prior_items", "change", "decisions"]),
             "other_services": ("其他对外管理服务事项", ["prior_items", "change", "decisions"]),
             "penalties": ("行政处罚", ["prior_items", "change", "decisions"]),
             "coercive_measures": ("行政强制", ["prior_items", "change", "decisions"]),
             "fees": ("行政事业性收费", ["prior_items", "change"]),
             "procurement": ("政府集中采购", ["projects", "amount"])},
}
SPEC_COLUMN_LABELS = {
    "2021": {"issued": "本年制发件数", "repealed": "本年废止件数", "in_force": "现行有效件数",
             "decisions": "本年处理决定数量", "amount": "本年收费金额（单位：万元）"},
    "2019": {"newly_made": "本年新制作数量", "newly_published": "本年新公开数量", "total_published": "对外公开总数量",
             "prior_items": "上一年项目数量", "change": "本年增/减", "decisions": "处理决定数量",
             "projects": "采购项目数量", "amount": "采购总金额"},
}
SPEC_RULES = {
    "both": {"requests.row_total": "error", "requests.results_total": "error", "requests.balance": "error",
             "appeals.total": "error", "cell.type": "error", "cell.blank": "warning", "cell.placeholder": "warning",
             "cell.text_number": "warning", "cell.formula_not_calculated": "warning", "table.empty": "error", "continuity.carried_over": "error",
             "edition.outdated": "error", "edition.mixed": "error", "layout.label_altered": "warning",
             "layout.extra_row": "warning", "layout.missing_row": "error", "narrative.mismatch": "warning",
             "layout.hidden_source": "error", "layout.duplicate_table": "warning", "workbook.addin_settings": "warning"},
    "2021": {"active.in_force_below_issued": "warning", "continuity.in_force": "warning"},
    "2019": {"active.published_above_total": "warning", "active.items_negative": "warning", "continuity.items": "warning"},
}
COUNTS = {"2021": (10, 175, 15), "2019": (22, 161, 15)}
EDITIONS = ["2019", "2021"]


def _raw(edition):
    return json.loads((schemas.schemas_dir() / f"gov-info-{edition}.schema.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("edition", EDITIONS)
def test_schema_is_valid_draft_2020_12_and_against_our_meta_schema(edition):
    raw = _raw(edition)
    Draft202012Validator.check_schema(raw)
    Draft202012Validator(schemas.meta_schema()).validate(raw)
    assert schemas.schema_problems(raw) == []


def test_meta_schema_is_itself_valid():
    Draft202012Validator.check_schema(schemas.meta_schema())


def test_meta_schema_rejects_a_broken_keyword():
    raw = _raw("2021")
    raw["properties"]["requests"]["x-sum"][0]["parts"] = "granted"   # must be a list
    raw["x-rules"]["requests.row_total"]["severity"] = "fatal"
    problems = schemas.schema_problems(raw)
    assert problems == [
        "不符合 xlcheck 关键字元模式：'fatal' is not one of ['error', 'warning', 'off']（x-rules/requests.row_total/severity）",
        "不符合 xlcheck 关键字元模式：'granted' is not of type 'array'（properties/requests/x-sum/0/parts）"]


def test_schema_problems_catches_unregistered_rule_and_unplaced_point():
    raw = _raw("2021")
    raw["properties"]["requests"]["x-sum"][0]["rule"] = "requests.invented"
    raw["properties"]["appeals"]["x-layout"]["rows"][-1].pop()
    problems = schemas.schema_problems(raw)
    assert any("requests.invented" in p for p in problems)
    assert any("appeals.litigation_after_reconsideration.total" in p for p in problems)


@pytest.mark.parametrize("edition", EDITIONS)
def test_data_point_counts(edition):
    model = schemas.edition(edition)
    assert tuple(len(model.table(t).points) for t in ("active", "requests", "appeals")) == COUNTS[edition]


@pytest.mark.parametrize("edition", EDITIONS)
def test_requests_keys_and_labels_are_the_contract(edition):
    table = schemas.edition(edition).table("requests")
    expected = SPEC_REQUEST_ROWS_COMMON + SPEC_OTHER[edition] + [("results_total", "（七）总计"), ("carried_forward", "四、结转下年度继续办理")]
    assert [(r.key, r.label) for r in table.rows] == expected
    for row in table.rows:
        assert [c.key for c in row.columns] == SPEC_REQUEST_COLUMNS
    assert [table.column_label(c) for c in SPEC_REQUEST_COLUMNS] == ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    assert table.note == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    assert table.label == "三、收到和处理政府信息公开申请情况"
    groups = set(table.groups.values())
    assert {"三、本年度办理结果", "（三）不予公开", "（四）无法提供", "（五）不予处理", "申请人情况", "法人或其他组织"} <= groups
    assert ("（六）其他处理" in groups) == (edition == "2021")


@pytest.mark.parametrize("edition", EDITIONS)
def test_active_keys_and_labels_are_the_contract(edition):
    table = schemas.edition(edition).table("active")
    assert {r.key: (r.label, [c.key for c in r.columns]) for r in table.rows} == SPEC_ACTIVE[edition]
    for key, label in SPEC_COLUMN_LABELS[edition].items():
        assert table.column_label(key) == label
    captions = {"第二十条第（一）项", "第二十条第（五）项", "第二十条第（六）项", "第二十条第（八）项"}
    if edition == "2019":
        captions.add("第二十条第（九）项")
    assert captions <= set(table.groups.values())


@pytest.mark.parametrize("edition", EDITIONS)
def test_appeals_keys_and_labels(edition):
    table = schemas.edition(edition).table("appeals")
    assert [(r.key, r.label) for r in table.rows] == [("reconsideration", "行政复议"), ("litigation_direct", "未经复议直接起诉"),
                                                      ("litigation_after_reconsideration", "复议后起诉")]
    assert [(c.key, c.label) for c in table.rows[0].columns] == [("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"),
                                                                ("pending", "尚未审结"), ("total", "总计")]
    assert "行政诉讼" in table.groups.values()


@pytest.mark.parametrize("edition", EDITIONS)
def test_rule_catalogue_has_the_spec_ids_and_severities(edition):
    model = schemas.edition(edition)
    expected = {**SPEC_RULES["both"], **SPEC_RULES[edition]}
    assert {k: r.severity for k, r in model.rules.items()} == expected


@pytest.mark.parametrize("edition", EDITIONS)
def test_cell_types(edition):
    model = schemas.edition(edition)
    assert model.point("requests.new.total").type.key == "count"
    amount = model.point("active.fees.amount" if edition == "2021" else "active.procurement.amount").type
    assert not amount.integer and amount.minimum == 0
    if edition == "2019":
        change = model.point("active.licensing.change").type
        assert change.integer and change.minimum is None


def test_editions_by_year():
    assert schemas.edition_for_year(2019).edition == "2019"
    assert schemas.edition_for_year(2020).edition == "2019"
    assert schemas.edition_for_year(2021).edition == "2021"
    assert schemas.edition_for_year(2025).edition == "2021"
    with pytest.raises(InputError):
        schemas.edition_for_year(2018)


@pytest.mark.parametrize("edition", EDITIONS)
def test_fingerprints_are_labels_only_this_edition_prints(edition):
    model = schemas.edition(edition)
    other = schemas.edition("2019" if edition == "2021" else "2021")
    other_labels = {r.label for t in other.tables for r in t.rows} | {c.label for t in other.tables for c in t.columns} | {
        g for t in other.tables for g in t.groups.values()}
    mine = {r.label for t in model.tables for r in t.rows} | {c.label for t in model.tables for c in t.columns} | {
        g for t in model.tables for g in t.groups.values()}
    for fp in model.fingerprints:
        assert fp in mine and fp not in other_labels, fp
