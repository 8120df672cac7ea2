"""The API described as OpenAPI 3.1 (Starlette gives no generator without extra dependencies,
and a docs page that loads its viewer from a CDN would not work on an intranet)."""
from __future__ import annotations

from ..version import __version__
from .config import Config, megabytes

_ERROR = {"description": "请求被拒绝（中文说明）", "content": {"application/json": {"schema": {
    "type": "object", "properties": {"error": {"type": "string"}}}}}}
_XLSX = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}}}


def document(cfg: Config, base: str) -> dict:
    auth = [{"bearer": []}] if cfg.token else []
    return {
        "openapi": "3.1.0",
        "info": {"title": "xlcheck：政府信息公开工作年度报告统计表校验", "version": __version__,
                 "description": "与 `xlcheck verify --format json` 相同的校验。每次请求最多 "
                                f"{cfg.max_files} 个文件、共 {megabytes(cfg.max_size)}；结果在服务器上保留 {cfg.keep:g} 秒。"},
        "servers": [{"url": base or "/"}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": auth,
        "paths": {
            "/api/verify": {"post": {
                "summary": "校验一个或多个文件",
                "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                    "type": "object", "required": ["files"], "properties": {
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"},
                                  "description": "工作簿或报告：.xlsx .xlsm .xls .ods .html .docx .pdf .txt"},
                        "previous": {"type": "string", "format": "binary", "description": "上一年度的报告（只校验一个文件时）"},
                        "year": {"type": "integer", "description": "报告年度（默认从文件读取）"},
                        "edition": {"type": "string", "enum": ["2019", "2021"]},
                        "strict": {"type": "boolean", "description": "警告也算作错误"},
                        "schema": {"type": "string", "format": "binary", "description": "自定义模式文件（同 --schema）"},
                        "explanations": {"type": "string", "format": "binary", "description": "核实说明文件（同 --explanations，按机关匹配）"},
                        "explain_reading": {"type": "boolean", "description": "给出每张表的读取情况（JSON 的 reading）"},
                        "severity": {"type": "array", "items": {"type": "string", "pattern": "^[^=]+=(error|warning|off)$"},
                                     "description": "改变规则的级别，如 active.in_force_below_issued=off（可多个）"},
                        "lang": {"type": "string", "enum": ["zh", "en"], "default": "zh"},
                        "annotate": {"type": "boolean", "default": True, "description": "生成标注副本"}}}}}},
                "responses": {
                    "200": {"description": "每个文件一项：status 为 ok、invalid 或 error（无法校验的文件也是 200）；"
                                           "output 为标注副本的下载地址；多个文件时 summary 为汇总表的下载地址",
                            "content": {"application/json": {"schema": {"type": "object", "properties": {
                                "files": {"type": "array", "items": {"type": "object"}},
                                "summary": {"type": "string", "format": "uri"}}}}}},
                    "400": _ERROR, "401": _ERROR, "411": _ERROR, "413": _ERROR}}},
            "/api/xlwings": {"post": {
                "summary": "xlwings Server 端点：接收 Office.js 客户端发送的工作簿，返回标注动作",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": {"200": {"description": "xlwings 的 actions", "content": {"application/json": {"schema": {"type": "object"}}}},
                              "400": _ERROR, "401": _ERROR, "413": _ERROR, "422": _ERROR, "503": _ERROR}}},
            "/api/wps": {"post": {
                "summary": "WPS 加载项端点：接收加载项读出的工作簿（各表已用区域的值、批注所在单元格、名称），返回要撤销和要加上的标记",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["sheets"], "properties": {
                        "action": {"type": "string", "enum": ["verify", "clear"], "default": "verify"},
                        "book": {"type": "string"},
                        "sheets": {"type": "array", "items": {"type": "object", "required": ["name"], "properties": {
                            "name": {"type": "string"}, "top": {"type": "integer"}, "left": {"type": "integer"},
                            "values": {"type": "array", "items": {"type": "array"}},
                            "notes": {"type": "array", "items": {"type": "string"}}}}},
                        "names": {"type": "array", "items": {"type": "object", "properties": {
                            "name": {"type": "string"}, "refers_to": {"type": "string"}}}}}}}}},
                "responses": {"200": {"description": "undo、remove、clear、marks、record、results 和 message",
                                      "content": {"application/json": {"schema": {"type": "object"}}}},
                              "400": _ERROR, "401": _ERROR, "411": _ERROR, "413": _ERROR, "422": _ERROR}}},
            "/files/{id}/{key}": {"get": {
                "summary": "下载标注副本或汇总表（到期后 404）",
                "parameters": [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}} for n in ("id", "key")],
                "responses": {"200": {"description": "文件", "content": _XLSX}, "404": _ERROR}}},
            "/template": {"get": {
                "summary": "空白统计表模板",
                "parameters": [{"name": "year", "in": "query", "schema": {"type": "integer"}},
                               {"name": "organ", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "模板工作簿", "content": _XLSX}, "400": _ERROR}}},
        },
    }
