"""OpenAPI 3.1 description of the evaluator devices' endpoints (api/devices.py), merged into /api/docs.

DEVICE_PATHS goes under the document's "paths", DEVICE_SECURITY_SCHEMES under "components.securitySchemes"
and DEVICE_TAGS under "tags". Schemas are inline so the path items stand on their own.
"""

from evaluations.models import Level, Reason, Stage

TAG = "评价器"
SECURITY_SCHEME = "deviceToken"

DEVICE_TAGS = [
    {
        "name": TAG,
        "description": "窗口评价器（平板电脑上全屏运行的浏览器）：由所长生成的一次性配对码配对，"
        "等待本窗口的下一件办件并提交申请人的评价。详见 docs/evaluator.md。",
    }
]

DEVICE_SECURITY_SCHEMES = {
    SECURITY_SCHEME: {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "`Authorization: Device <token>`; the token is returned once by POST /api/devices/pair. "
        "A staff session cookie never authorises a device call.",
    }
}
_SECURITY = [{SECURITY_SCHEME: []}]

_LEVEL = {
    "type": "integer",
    "enum": [int(v) for v in Level.values],
    "description": "5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意",
}
_WINDOW = {
    "type": "object",
    "required": ["id", "name", "station"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string", "examples": ["东街派出所1号窗口"]},
        "station": {"type": "string", "examples": ["东街派出所"]},
    },
}
_OFFICER = {
    "type": ["object", "null"],
    "required": ["name", "police_number"],
    "properties": {"name": {"type": "string"}, "police_number": {"type": "string"}},
}
_DEVICE = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
}
_INVITE = {
    "type": "object",
    "required": ["id", "case_number", "item", "stage", "stage_label", "officer", "created_at"],
    "properties": {
        "id": {"type": "integer", "description": "Pass as `after` on the next wait and as `invite_id` when rating."},
        "case_number": {"type": "string", "examples": ["350102001-2026-000123"]},
        "item": {"type": "string", "examples": ["死亡注销"]},
        "stage": {"type": "string", "enum": list(Stage.values)},
        "stage_label": {"type": "string", "examples": ["办结"]},
        "officer": _OFFICER,
        "created_at": {"type": "string", "format": "date-time"},
    },
}
_RATING = {
    "type": "object",
    "required": [
        "id", "invite_id", "case_number", "stage", "level", "efficiency", "quality", "attitude", "reasons",
        "other_reason", "comment", "rated_at", "received_at", "idempotency_key", "follow_up",
    ],
    "properties": {
        "id": {"type": "integer"},
        "invite_id": {"type": "integer"},
        "case_number": {"type": "string"},
        "stage": {"type": "string", "enum": list(Stage.values)},
        "level": _LEVEL,
        "efficiency": _LEVEL,
        "quality": _LEVEL,
        "attitude": _LEVEL,
        "reasons": {"type": "array", "items": {"type": "string", "enum": list(Reason.values)}},
        "other_reason": {"type": "string"},
        "comment": {"type": "string"},
        "rated_at": {"type": "string", "format": "date-time"},
        "received_at": {"type": "string", "format": "date-time"},
        "idempotency_key": {"type": "string"},
        "follow_up": {"type": "boolean", "description": "A bad review: a call-back task was opened."},
    },
}
_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "field"],
            "properties": {
                "code": {"type": "string", "description": "Stable, for programs.", "examples": ["wrong_window"]},
                "message": {"type": "string", "description": "Chinese, for people.",
                            "examples": ["该办件不属于本窗口，本评价器不能评价。"]},
                "field": {"type": ["string", "null"], "description": "The body field at fault, if any."},
            },
        }
    },
}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict:
    return _json(_ERROR, description)


_UNAUTHORIZED = _error("No or unknown device token (`device_unknown`): pair again.")
_REVOKED = _error("The device was revoked by the station head (`device_revoked`).")

DEVICE_PATHS = {
    "/api/devices/pair": {
        "post": {
            "tags": [TAG],
            "operationId": "devicePair",
            "summary": "Pair a device with a window using a station head's one-time code",
            "description": "The code (8 characters, shown once, valid 15 minutes, single use) is generated on "
            "/evaluations/devices/. Spaces, dashes and case are ignored. The token is returned only here.",
            "security": [],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["code"],
                            "properties": {
                                "code": {"type": "string", "examples": ["K7PX-M2QD"]},
                                "name": {"type": "string", "maxLength": 50, "examples": ["1号窗口评价器"]},
                            },
                        }
                    }
                },
            },
            "responses": {
                "201": _json(
                    {
                        "type": "object",
                        "required": ["token", "device", "window"],
                        "properties": {"token": {"type": "string"}, "device": _DEVICE, "window": _WINDOW},
                    },
                    "Paired; keep the token secret on the device.",
                ),
                "400": _error("Malformed body (`bad_json`, `bad_field`) or invalid, used or expired code "
                              "(`bad_pairing_code`)."),
                "405": _error("Only POST."),
            },
        }
    },
    "/api/devices/heartbeat": {
        "post": {
            "tags": [TAG],
            "operationId": "deviceHeartbeat",
            "summary": "Say the device is alive",
            "description": "Every authenticated call counts as a heartbeat; a device silent for longer than "
            "DEVICE_OFFLINE_AFTER_SECONDS (90 s) is shown offline and the gap is recorded.",
            "security": _SECURITY,
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "required": ["ok", "server_time"],
                        "properties": {"ok": {"const": True}, "server_time": {"type": "string", "format": "date-time"}},
                    },
                    "Alive.",
                ),
                "401": _UNAUTHORIZED,
                "403": _REVOKED,
            },
        }
    },
    "/api/devices/me": {
        "get": {
            "tags": [TAG],
            "operationId": "deviceMe",
            "summary": "What the idle screen shows",
            "description": "The window, the officer on duty (who made today's latest rated decision at the "
            "window, else an on-duty window officer of it) and the complaint phone.",
            "security": _SECURITY,
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "required": ["device", "window", "officer", "complaint_phone", "server_time", "wait_seconds"],
                        "properties": {
                            "device": _DEVICE,
                            "window": _WINDOW,
                            "officer": _OFFICER,
                            "complaint_phone": {"type": "string", "examples": ["0591-87000000"]},
                            "server_time": {"type": "string", "format": "date-time"},
                            "wait_seconds": {"type": "number", "description": "How long /next holds a request."},
                        },
                    },
                    "The idle screen.",
                ),
                "401": _UNAUTHORIZED,
                "403": _REVOKED,
            },
        }
    },
    "/api/devices/next": {
        "get": {
            "tags": [TAG],
            "operationId": "deviceNext",
            "summary": "Wait for the window's next case to rate (long poll)",
            "description": "Answers 200 as soon as an unrated invitation of the device's window with an id "
            "greater than `after` exists (the newest one, from the last two hours), else 204 after "
            "DEVICE_WAIT_SECONDS (25 s); then ask again. Time a request out on the client after "
            "`wait_seconds` + 20 s and retry with backoff on network errors.",
            "security": _SECURITY,
            "parameters": [
                {
                    "name": "after",
                    "in": "query",
                    "required": False,
                    "description": "The id of the last invitation this device showed (0 at first).",
                    "schema": {"type": "integer", "minimum": 0, "default": 0},
                }
            ],
            "responses": {
                "200": _json(
                    {"type": "object", "required": ["invite"], "properties": {"invite": _INVITE}},
                    "Show the rating screen for this invitation.",
                ),
                "204": {"description": "Nothing new within the wait; ask again."},
                "400": _error("`after` is not a non-negative integer (`bad_field`)."),
                "401": _UNAUTHORIZED,
                "403": _REVOKED,
            },
        }
    },
    "/api/devices/ratings": {
        "post": {
            "tags": [TAG],
            "operationId": "deviceRatingSubmit",
            "summary": "Submit the applicant's rating, exactly once per idempotency key",
            "description": "Keep unsent ratings on the device and resend them with the same idempotency key "
            "until acknowledged: the first delivery answers 201, a repeat 200 with the same body. 不满意 and "
            "非常不满意 need at least one reason; reason `other` needs `other_reason`. A bad review opens a "
            "call-back task. A request carrying a signed-in staff session is refused (`staff_cannot_rate`).",
            "security": _SECURITY,
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["invite_id", "level", "idempotency_key"],
                            "properties": {
                                "invite_id": {"type": "integer", "minimum": 1},
                                "level": _LEVEL,
                                "efficiency": {**_LEVEL, "description": "服务效率; defaults to `level`."},
                                "quality": {**_LEVEL, "description": "服务水平; defaults to `level`."},
                                "attitude": {**_LEVEL, "description": "服务态度; defaults to `level`."},
                                "reasons": {
                                    "type": "array",
                                    "items": {"type": "string", "enum": list(Reason.values)},
                                    "description": "; ".join(f"{v} {label}" for v, label in Reason.choices),
                                },
                                "other_reason": {"type": "string", "maxLength": 200},
                                "comment": {"type": "string", "maxLength": 500},
                                "idempotency_key": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$",
                                                    "description": "Made once per rating on the device (a UUID)."},
                                "rated_at": {"type": "string", "format": "date-time",
                                             "description": "When the applicant pressed 提交 (kept when "
                                             "delivered late); capped to [invitation time, now]."},
                            },
                        }
                    }
                },
            },
            "responses": {
                "201": _json({"type": "object", "required": ["rating"], "properties": {"rating": _RATING}},
                             "Stored."),
                "200": _json({"type": "object", "required": ["rating"], "properties": {"rating": _RATING}},
                             "Already stored with this idempotency key: the same body as the first time."),
                "400": _error("Malformed JSON (`bad_json`), wrong type (`bad_field`) or a rating the rules "
                              "refuse (`bad_rating`, e.g. no reason for 不满意)."),
                "401": _UNAUTHORIZED,
                "403": _error("Another window's case (`wrong_window`), a staff session (`staff_cannot_rate`) "
                              "or a revoked device (`device_revoked`)."),
                "404": _error("No such invitation (`unknown_invite`)."),
                "409": _error("This case and stage is already rated (`already_rated`), or the key was used for "
                              "another invitation (`idempotency_key_reused`)."),
            },
        }
    },
}
