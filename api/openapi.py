"""The OpenAPI 3.1 description of /api/: the integration endpoints here, the device endpoints from api.openapi_devices.

`build_spec()` returns a fresh dict; /api/openapi.json serves it and /api/docs renders it as a page.
Descriptions are in Chinese, identifiers in English.
"""

from __future__ import annotations

import copy
import importlib

from evaluations.models import Channel, Level, Reason, Stage

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0"
DEVICE_MODULE = "api.openapi_devices"
COMPONENT_SECTIONS = ("schemas", "responses", "parameters", "examples", "requestBodies", "headers",
                      "securitySchemes")

TAG_INTEGRATIONS = "integrations"
TAG_ADMIN = "admin"
TAG_META = "meta"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _level(description: str) -> dict:
    return {"type": "integer", "minimum": 1, "maximum": 5, "description": description}


def _unit(description: str) -> dict:
    return {"allOf": [_ref("Unit")], "description": description}


EXAMPLE_RATING = {
    "case_number": "350102001-2026-000123",
    "item_code": "122001001",
    "item_name": "出生登记",
    "stage": "completion",
    "stage_label": "办结",
    "level": 2,
    "level_label": "不满意",
    "efficiency": 2,
    "quality": 3,
    "attitude": 2,
    "reasons": [{"code": "slow", "label": "办理慢、等待时间长"}],
    "other_reason": "",
    "comment": "排队一个多小时",
    "channel": "qr",
    "channel_label": "扫码评价",
    "pf": 3,
    "rated_at": "2026-11-27T10:42:10+08:00",
    "received_at": "2026-11-27T10:42:11+08:00",
    "is_default": False,
    "excluded": False,
    "excluded_reason": "",
    "county": {"code": "350102", "name": "鼓楼分局"},
    "station": {"code": "350102001", "name": "东街派出所"},
    "window": {"code": "350102001W1", "name": "东街派出所1号窗口"},
    "officer": {"name": "王警官", "police_number": "100001"},
    "assess_number": 1,
}

EXAMPLE_PAGE = {
    "count": 1,
    "page": 1,
    "pages": 1,
    "page_size": 100,
    "since": "2026-11-27T00:00:00+08:00",
    "until": "2026-11-28T00:00:00+08:00",
    "next": None,
    "previous": None,
    "results": [EXAMPLE_RATING],
}


def _error_example(code: str, message: str, field: str | None) -> dict:
    return {"value": {"error": {"code": code, "message": message, "field": field}}}


def _error_response(description: str, examples: dict) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref("Error"), "examples": examples}},
    }


SCHEMAS: dict = {
    "Error": {
        "type": "object",
        "description": "所有接口出错时的统一格式。",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "field"],
                "properties": {
                    "code": {"type": "string", "description": "稳定的英文错误代码，供程序判断，例如 invalid_key。"},
                    "message": {"type": "string", "description": "给人看的中文说明。"},
                    "field": {"type": ["string", "null"], "description": "出错的参数名；与具体参数无关时为 null。"},
                },
            }
        },
        "example": {"error": {"code": "bad_parameter", "message": "until 必须晚于 since。", "field": "until"}},
    },
    "Unit": {
        "type": "object",
        "description": "单位（县局、派出所或窗口）。",
        "required": ["code", "name"],
        "properties": {
            "code": {"type": "string", "description": "单位代码。"},
            "name": {"type": "string", "description": "单位名称。"},
        },
    },
    "Officer": {
        "type": "object",
        "description": "被评价的经办民警（上报格式的 proManager）。",
        "required": ["name", "police_number"],
        "properties": {
            "name": {"type": "string", "description": "姓名。"},
            "police_number": {"type": "string", "description": "警号/工号，可能为空字符串。"},
        },
    },
    "ReasonItem": {
        "type": "object",
        "description": "一项差评原因。",
        "required": ["code", "label"],
        "properties": {
            "code": {"type": "string", "enum": list(Reason.values), "description": "原因代码。"},
            "label": {"type": "string", "description": "原因的中文名称。"},
        },
    },
    "Rating": {
        "type": "object",
        "description": (
            "一条评价：每个办件的每个评价环节（一次性告知、不予受理、办结）最多一条，提交后不可修改（R7）。"
            "字段可直接映射到省级“好差评”系统的上报格式，见 docs/api.md。"
        ),
        "required": list(EXAMPLE_RATING),
        "properties": {
            "case_number": {"type": "string", "description": "办件编号（上报格式的 projectNo）。"},
            "item_code": {"type": "string", "description": "事项编码（taskCode）。"},
            "item_name": {"type": "string", "description": "事项名称（taskName）。"},
            "stage": {"type": "string", "enum": list(Stage.values),
                      "description": "评价环节：notice 一次性告知，refusal 不予受理，completion 办结。"},
            "stage_label": {"type": "string", "description": "评价环节的中文名称。"},
            "level": _level("总体评价（satisfaction）：5 非常满意，4 满意，3 基本满意，2 不满意，1 非常不满意。"),
            "level_label": {"type": "string", "enum": [str(label) for label in Level.labels],
                            "description": "总体评价的中文名称。"},
            "efficiency": _level("服务效率，1-5，含义同 level。"),
            "quality": _level("服务水平，1-5，含义同 level。"),
            "attitude": _level("服务态度，1-5，含义同 level。"),
            "reasons": {"type": "array", "items": _ref("ReasonItem"),
                        "description": "差评原因（evalDetail）；不满意、非常不满意时至少一项。"},
            "other_reason": {"type": "string", "description": "选择“其他”原因时填写的具体情况。"},
            "comment": {"type": "string", "description": "意见建议（writingEvaluation）。"},
            "channel": {"type": "string", "enum": list(Channel.values),
                        "description": "评价渠道：device 窗口评价器，qr 扫码评价，default 超期默认评价。"},
            "channel_label": {"type": "string", "description": "评价渠道的中文名称。"},
            "pf": {"type": "integer", "enum": [3, 4, 7],
                   "description": "上报格式的渠道代码 pf：4 大厅评价器（device），3 二维码（qr），"
                                  "7 系统默认（default）。"},
            "rated_at": {"type": "string", "format": "date-time",
                         "description": "评价时间（assessTime），北京时间，ISO 8601。"},
            "received_at": {"type": "string", "format": "date-time",
                            "description": "服务器收到评价的时间；按时间查询和分页都以它为准。"},
            "is_default": {"type": "boolean", "description": "是否为超期未评价而由系统记录的默认评价。"},
            "excluded": {"type": "boolean",
                         "description": "是否经申诉复核被剔除（不计入统计，但评价本身保留、仍然返回）。"},
            "excluded_reason": {"type": "string", "description": "剔除理由（县局复核意见）；未剔除时为空字符串。"},
            "county": _unit("县（市、区）局。"),
            "station": _unit("派出所（或大队）。"),
            "window": _unit("办理窗口。"),
            "officer": {"allOf": [_ref("Officer")], "description": "经办民警。"},
            "assess_number": {"type": "integer", "enum": [1],
                              "description": "评价次数（assessNumber）：1 首次评价。本系统每环节只接受一次评价。"},
        },
        "example": EXAMPLE_RATING,
    },
    "RatingPage": {
        "type": "object",
        "description": "一页评价，按 received_at（再按内部顺序）升序排列。",
        "required": ["count", "page", "pages", "page_size", "next", "previous", "results"],
        "properties": {
            "count": {"type": "integer", "description": "符合条件的评价总数。"},
            "page": {"type": "integer", "description": "当前页码，从 1 开始。"},
            "pages": {"type": "integer", "description": "总页数（至少为 1）。"},
            "page_size": {"type": "integer", "description": "每页条数。"},
            "since": {"type": "string", "format": "date-time", "description": "按时间查询时：起始时间（含）。"},
            "until": {"type": "string", "format": "date-time", "description": "按时间查询时：截止时间（不含）。"},
            "next": {"type": ["string", "null"], "description": "下一页的地址；没有下一页时为 null。"},
            "previous": {"type": ["string", "null"], "description": "上一页的地址；没有上一页时为 null。"},
            "results": {"type": "array", "items": _ref("Rating")},
        },
        "example": EXAMPLE_PAGE,
    },
}

RATINGS_PATH = {
    "get": {
        "operationId": "ratings_list",
        "tags": [TAG_INTEGRATIONS],
        "summary": "查询评价：按办件编号，或按收到时间分页",
        "description": (
            "两种用法二选一：\n"
            "1. `case=<办件编号>`：返回该办件各环节的全部评价（可能为空列表）。办件不存在或不在密钥范围内时返回 404。\n"
            "2. `since=<时间>[&until=<时间>][&page=<页码>][&page_size=<每页条数>]`：返回 since（含）到 until（不含，"
            "默认为现在）之间服务器收到的评价，按收到时间升序分页。增量上报时，把上次的 until 作为下次的 since。\n\n"
            "县局密钥只返回本县局的评价，全市密钥返回全市的评价。被剔除（excluded）和默认（is_default）的评价也返回，"
            "由调用方决定是否上报。"
        ),
        "security": [{"integrationKey": []}],
        "parameters": [
            {"name": "case", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 40},
             "description": "办件编号。与 since/until 不能同时使用。", "example": "350102001-2026-000123"},
            {"name": "since", "in": "query", "required": False, "schema": {"type": "string", "format": "date-time"},
             "description": "起始时间（含），ISO 8601；不带时区的按北京时间；只写日期表示当天 0 点。"
                            "不按办件编号查询时必填。注意把“+”编码为 %2B。",
             "example": "2026-11-27T00:00:00+08:00"},
            {"name": "until", "in": "query", "required": False, "schema": {"type": "string", "format": "date-time"},
             "description": "截止时间（不含），格式同 since；默认为现在。", "example": "2026-11-28T00:00:00+08:00"},
            {"name": "page", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "default": 1}, "description": "页码，从 1 开始。"},
            {"name": "page_size", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100},
             "description": "每页条数，1 到 500。"},
        ],
        "responses": {
            "200": {
                "description": "评价列表。",
                "content": {"application/json": {"schema": _ref("RatingPage"),
                                                 "examples": {"by_time": {"value": EXAMPLE_PAGE}}}},
            },
            "400": _error_response("参数错误。", {
                "missing": _error_example("missing_parameter", "请提供办件编号（case）或起始时间（since）。", "since"),
                "bad_time": _error_example(
                    "bad_parameter",
                    "since 不是有效的时间，请使用 ISO 8601 格式，例如 2026-11-27T08:00:00+08:00。",
                    "since",
                ),
                "page": _error_example("page_out_of_range", "页码超出范围：共 3 页。", "page"),
            }),
            "401": _error_response("缺少密钥，或密钥无效、已停用。", {
                "missing": _error_example(
                    "unauthorized", "缺少接口密钥：请在请求头中提供 Authorization: Bearer <密钥>。", None
                ),
                "invalid": _error_example("invalid_key", "接口密钥无效或已停用，请联系市局管理员。", None),
            }),
            "404": _error_response("办件不存在，或不在密钥的范围内。", {
                "case": _error_example("case_not_found", "未找到该办件，或该办件不在本密钥的范围内。", "case"),
            }),
            "405": _error_response("请求方法不支持。", {
                "post": _error_example("method_not_allowed", "该接口只支持 GET 请求。", None),
            }),
        },
    }
}

_HTML = {"text/html": {"schema": {"type": "string"}}}

ADMIN_PATHS = {
    "/api/keys/": {
        "get": {
            "operationId": "keys_page",
            "tags": [TAG_ADMIN],
            "summary": "接口密钥管理页面（市局管理员）",
            "description": "HTML 页面，需以市局管理员身份登录。列出本市签发的密钥（只显示前缀），可生成和停用密钥。",
            "security": [{"staffSession": []}],
            "responses": {"200": {"description": "页面。", "content": _HTML},
                          "403": {"description": "不是市局管理员。"}},
        },
        "post": {
            "operationId": "keys_create",
            "tags": [TAG_ADMIN],
            "summary": "生成接口密钥",
            "description": "表单提交。生成的密钥只在本次响应的页面中显示一次，系统只保存其 SHA-256 摘要；写入审计事件 "
                           "api_key.created。",
            "security": [{"staffSession": []}],
            "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "maxLength": 100, "description": "用途，例如“省好差评平台上报”。"},
                    "county": {"type": "integer", "description": "县（市、区）局的单位编号；不填表示全市。"},
                    "csrfmiddlewaretoken": {"type": "string", "description": "页面中的 CSRF 令牌。"},
                },
            }}}},
            "responses": {"200": {"description": "页面，含新密钥。", "content": _HTML},
                          "403": {"description": "不是市局管理员。"}},
        },
    },
    "/api/keys/{pk}/revoke/": {
        "post": {
            "operationId": "keys_revoke",
            "tags": [TAG_ADMIN],
            "summary": "停用接口密钥",
            "description": "表单提交，立即生效；写入审计事件 api_key.revoked。停用的密钥仍列出，但不能再使用。",
            "security": [{"staffSession": []}],
            "parameters": [{"name": "pk", "in": "path", "required": True, "schema": {"type": "integer"},
                            "description": "密钥编号（列表中的行）。"}],
            "responses": {"302": {"description": "回到密钥管理页面。"},
                          "403": {"description": "不是市局管理员。"},
                          "404": {"description": "没有这个密钥，或不属于本市。"}},
        }
    },
}

META_PATHS = {
    "/api/openapi.json": {
        "get": {
            "operationId": "openapi_spec",
            "tags": [TAG_META],
            "summary": "本接口说明（OpenAPI 3.1，JSON）",
            "security": [],
            "responses": {"200": {"description": "OpenAPI 文档。",
                                  "content": {"application/json": {"schema": {"type": "object"}}}}},
        }
    },
    "/api/docs": {
        "get": {
            "operationId": "api_docs",
            "tags": [TAG_META],
            "summary": "接口文档页面（由 OpenAPI 文档生成）",
            "security": [],
            "responses": {"200": {"description": "页面。", "content": _HTML}},
        }
    },
}

TAGS = [
    {"name": TAG_INTEGRATIONS, "description": "对接系统（省级“好差评”平台上报等）读取评价数据，凭接口密钥访问。"},
    {"name": TAG_ADMIN, "description": "市局管理员管理接口密钥的页面（HTML，需登录）。"},
    {"name": TAG_META, "description": "接口说明本身。"},
]

SECURITY_SCHEMES = {
    "integrationKey": {
        "type": "http",
        "scheme": "bearer",
        "description": "市局管理员在 /api/keys/ 签发的接口密钥（以 bwk_ 开头）：`Authorization: Bearer <密钥>`。"
                       "县局密钥只能读取本县局的数据，全市密钥可读取全市数据。",
    },
    "staffSession": {
        "type": "apiKey",
        "in": "cookie",
        "name": "sessionid",
        "description": "工作人员登录后的会话（用于管理页面）。",
    },
}


def device_parts() -> tuple[dict, dict, list]:
    """The device endpoints' paths, components and tags from api.openapi_devices, if that module exists."""
    try:
        module = importlib.import_module(DEVICE_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name != DEVICE_MODULE:
            raise
        return {}, {}, []
    paths = getattr(module, "DEVICE_PATHS", None) or {}
    components = dict(getattr(module, "DEVICE_COMPONENTS", None) or {})
    schemas = getattr(module, "DEVICE_SCHEMAS", None)
    if schemas:
        components["schemas"] = {**schemas, **(components.get("schemas") or {})}
    security = getattr(module, "DEVICE_SECURITY_SCHEMES", None)
    if security:
        components["securitySchemes"] = {**security, **(components.get("securitySchemes") or {})}
    tags = list(getattr(module, "DEVICE_TAGS", None) or [])
    return copy.deepcopy(dict(paths)), copy.deepcopy(components), copy.deepcopy(tags)


def _merge_paths(into: dict, extra: dict) -> None:
    for route, item in extra.items():
        if not isinstance(item, dict):
            continue
        into.setdefault(route, {})
        for method, operation in item.items():
            into[route].setdefault(method, operation)


def build_spec() -> dict:
    """The whole OpenAPI document, device paths merged in."""
    paths: dict = {"/api/ratings": copy.deepcopy(RATINGS_PATH)}
    components: dict = {"schemas": copy.deepcopy(SCHEMAS), "securitySchemes": copy.deepcopy(SECURITY_SCHEMES)}
    tags = copy.deepcopy(TAGS)

    device_paths, device_components, device_tags = device_parts()
    _merge_paths(paths, device_paths)
    for section, entries in device_components.items():
        if section in COMPONENT_SECTIONS and isinstance(entries, dict):
            target = components.setdefault(section, {})
            for name, value in entries.items():
                target.setdefault(name, value)
    known = {tag["name"] for tag in tags}
    for tag in device_tags:
        if isinstance(tag, dict) and tag.get("name") not in known:
            tags.insert(len(tags) - 2, tag)
            known.add(tag["name"])
    for item in device_paths.values():
        for operation in item.values() if isinstance(item, dict) else ():
            for name in operation.get("tags", []) if isinstance(operation, dict) else ():
                if name not in known:
                    tags.insert(len(tags) - 2, {"name": name})
                    known.add(name)

    _merge_paths(paths, copy.deepcopy(ADMIN_PATHS))
    _merge_paths(paths, copy.deepcopy(META_PATHS))
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "亮窗 BrightWindow API",
            "version": API_VERSION,
            "description": (
                "户籍窗口评价器（配对、心跳、等待下一件、提交评价）和对接系统（按办件编号或时间读取评价，"
                "供上报省级“好差评”系统）使用的 JSON 接口。所有时间为北京时间的 ISO 8601 字符串；"
                "出错时返回 {\"error\": {\"code\", \"message\", \"field\"}}。"
            ),
        },
        "tags": tags,
        "paths": paths,
        "components": components,
    }
