"""What `POST /api/wps` answers (run in a checking process): the workbook the WPS add-in read, as
values, checked as `xlcheck verify` checks a file, and the marks to apply — the plan
`xlcheck.excel` computes for the Excel button, as JSON for the add-in's JavaScript."""
from __future__ import annotations

import json
from typing import Any

from ..check import Options, check_grid
from ..errors import InputError
from ..excel import (RECORD_HEADER, block, grid_of, mark_plan, record_rows, record_table, result_rows,
                     summary_text, undo_plan)
from ..model.workbook import RECORD_SHEET, RESULT_SHEET

ACTIONS = ("verify", "clear")
SCALARS = (str, int, float, bool, type(None))


class BadPayload(ValueError):
    pass


def _sheets(payload: dict) -> list[dict]:
    sheets = payload.get("sheets")
    if not isinstance(sheets, list) or not sheets:
        raise BadPayload("缺少 sheets")
    out = []
    for s in sheets:
        if not isinstance(s, dict) or not isinstance(s.get("name"), str):
            raise BadPayload("工作表缺少名称")
        values = s.get("values") or []
        top, left = s.get("top", 1), s.get("left", 1)
        if not isinstance(values, list) or any(not isinstance(r, list) for r in values) \
                or any(not isinstance(v, SCALARS) for r in values for v in r) \
                or not isinstance(top, int) or not isinstance(left, int) or top < 1 or left < 1:
            raise BadPayload(f"工作表「{s['name']}」的数据格式不对")
        notes = s.get("notes") or []
        if not isinstance(notes, list) or any(not isinstance(n, str) for n in notes):
            raise BadPayload(f"工作表「{s['name']}」的批注列表格式不对")
        out.append({"name": s["name"], "top": top, "left": left, "values": values,
                    "notes": {n.replace("$", "").upper() for n in notes}, "state": _state(s.get("visible"))})
    return out


def _state(visible) -> str | None:
    """A sheet's Visible as WPS gives it (-1 or true shown, 0 or false hidden, 2 very hidden)."""
    if visible is None:
        return None
    if visible is True or visible == -1:
        return "visible"
    return "veryHidden" if visible == 2 else "hidden"


def _names(payload: dict) -> list[tuple[str, str]]:
    names = payload.get("names") or []
    if not isinstance(names, list):
        raise BadPayload("names 格式不对")
    return [(n["name"], n.get("refers_to") or "") for n in names
            if isinstance(n, dict) and isinstance(n.get("name"), str) and isinstance(n.get("refers_to", ""), str)]


def _record_values(sheets: list[dict]) -> list[list[Any]]:
    record = next((s for s in sheets if s["name"] == RECORD_SHEET), None)
    return record_rows(record["values"]) if record else []


def _undo(rows) -> tuple[list, set]:
    undo = undo_plan(rows)
    return [{"sheet": u.sheet, "cell": u.cell, "note": u.note, "fill": u.fill} for u in undo], \
        {(u.sheet, u.cell) for u in undo if u.note}


def answer_json(data: bytes) -> tuple[int, dict]:
    """`answer` for the request body as it came (parsed here, in a checking process, not in the
    server's event loop)."""
    try:
        payload = json.loads(data)
    except ValueError:
        return 400, {"error": "请求体不是有效的 JSON（应为 WPS 加载项发送的工作簿数据）"}
    return answer(payload)


def answer(payload: Any, lang: str = "zh") -> tuple[int, dict]:
    """(HTTP status, body). The body of a 200 is the plan: `undo` (recorded marks to take back),
    `remove` (sheets to delete), then `marks`, `record` and `results` (sheets to write), and the
    `message` for the message box. Any other status has `error`, a Chinese sentence."""
    try:
        if not isinstance(payload, dict):
            raise BadPayload("请求体不是对象")
        action = payload.get("action", "verify")
        if action not in ACTIONS:
            raise BadPayload(f"未知的操作「{action}」")
        sheets, names = _sheets(payload), _names(payload)
    except BadPayload as exc:
        return 400, {"error": f"加载项发送的工作簿数据无效：{exc}"}
    rows = _record_values(sheets)
    undo, ours = _undo(rows)
    plan: dict[str, Any] = {"undo": undo, "remove": [RESULT_SHEET], "clear": RECORD_SHEET,
                            "marks": [], "record": None, "results": None}
    if action == "clear":
        plan["message"] = f"已清除 {len(rows)} 个单元格的标记。" if rows else "没有需要清除的标记。"
        return 200, plan
    grid = grid_of(str(payload.get("book") or "工作簿"), [(s["name"], s["top"], s["left"], s["values"], s["state"]) for s in sheets], names)
    try:
        result = check_grid(grid, None, Options(lang=lang))
    except InputError as exc:
        return 422, {"error": str(exc)}
    notes_after_undo = {(s["name"], ref) for s in sheets for ref in s["notes"]} - ours
    marks = mark_plan(result, lang, {s["name"] for s in sheets}, lambda sheet, ref: (sheet, ref) in notes_after_undo)
    record = record_table(marks, [""] * len(marks))
    results = result_rows(result, lang)
    plan.update({
        "marks": [{"sheet": m.sheet, "cell": m.cell, "note": m.note, "fill": m.fill} for m in marks],
        # the add-in writes into column `fill_column` of row i + 1 the fill marks[i]'s cell had before
        "record": {"sheet": RECORD_SHEET, "hidden": True, "rows": record, "range": block(record),
                   "fill_column": RECORD_HEADER.index("fill")},
        "results": {"sheet": RESULT_SHEET, "hidden": False, "rows": results, "range": block(results)},
        "message": summary_text(result, lang),
        "status": result.status, "counts": result.counts,
    })
    return 200, plan
