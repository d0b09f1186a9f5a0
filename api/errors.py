"""The API's one exception handler: every refusal is {"error": {"code", "message" (Chinese), "field"}}.

Domain errors get the status core.errors gives their code; malformed requests are 400 with the field
named (`bad_json` for a body that is not a JSON object, `bad_field` for a wrong field of a device call,
`bad_parameter` for a wrong query parameter of an integration call).
"""

import json
import re
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from core.errors import DomainError, NotFound, Unauthenticated, error_body, http_status

# The challenge a 401 carries, by the code that caused it.
CHALLENGES = {
    "device_unknown": 'Device realm="evaluator"',
    "unauthorized": 'Bearer realm="brightwindow"',
    "invalid_key": 'Bearer realm="brightwindow"',
}

# What to say about a field whose value has the wrong shape; %(field)s is its name.
FIELD_MESSAGES = {
    "code": gettext_lazy("请输入所长提供的8位配对码。"),
    "name": gettext_lazy("设备名称应为文字。"),
    "invite_id": gettext_lazy("缺少或无效的评价邀请编号。"),
    "level": gettext_lazy("“%(field)s”应为1到5的整数。"),
    "efficiency": gettext_lazy("“%(field)s”应为1到5的整数。"),
    "quality": gettext_lazy("“%(field)s”应为1到5的整数。"),
    "attitude": gettext_lazy("“%(field)s”应为1到5的整数。"),
    "reasons": gettext_lazy("差评原因应为原因代码的列表。"),
    "idempotency_key": gettext_lazy("缺少或无效的评价编号（idempotency_key：8到64位字母、数字、-或_）。"),
    "rated_at": gettext_lazy("评价时间应为ISO 8601格式、2000年到2100年之间的时间，时区偏移在-12:00到+14:00之间。"),
    "after": gettext_lazy("参数 after 应为非负整数。"),
    "case": gettext_lazy("请提供办件编号（case），最长40个字符。"),
    "page": gettext_lazy("page 应为大于0的整数。"),
    "page_size": gettext_lazy("page_size 应为1到500之间的整数。"),
}
TEXT_FIELDS = {"other_reason": 200, "comment": 500}

NUL_ESCAPE = re.compile(rb"\\u0000", re.IGNORECASE)


class BadRequest(DomainError):
    code = "bad_request"


class StrictJsonParser(Parser):
    """A body must be a JSON object without NUL characters (PostgreSQL text cannot hold them)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        try:
            body = json.loads(request.body or b"")
        except (ValueError, RecursionError) as exc:
            raise BadRequest(_("请求内容不是有效的JSON。"), code="bad_json") from exc
        if not isinstance(body, dict):
            raise BadRequest(_("请求内容应为JSON对象。"), code="bad_json")
        if NUL_ESCAPE.search(request.body or b""):
            raise BadRequest(_("请求内容中不能包含空字符（\\u0000）。"), code="bad_json")
        return body


def respond(api: NinjaAPI, request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = http_status(exc)
    response = api.create_response(request, error_body(exc), status=status)
    if status == 401:
        response["WWW-Authenticate"] = CHALLENGES.get(exc.code, 'Bearer realm="brightwindow"')
    return response


def _field_message(field: str, error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "value_error" and field not in FIELD_MESSAGES:
        return f"{field} {error.get('ctx', {}).get('error', '')}".strip()
    if field in TEXT_FIELDS:
        return _("“%(field)s”应为文字，不超过%(max)s个字。") % {"field": field, "max": TEXT_FIELDS[field]}
    if field in FIELD_MESSAGES:
        return str(FIELD_MESSAGES[field]) % {"field": field}
    if kind == "missing":
        return _("缺少“%(field)s”。") % {"field": field}
    return _("“%(field)s”的格式不对。") % {"field": field}


def validation_error(request: HttpRequest, exc: ValidationError) -> DomainError:
    """The first problem of a request ninja could not validate, as a domain error naming the field."""
    error = exc.errors[0] if exc.errors else {}
    loc = [str(part) for part in error.get("loc", ())]
    source = loc[0] if loc else ""
    # ("body", "payload") is the whole body: missing (an empty request) or not an object.
    names = [part for part in loc[1:] if not part.isdigit()]
    if source == "body" and len(names) <= 1 and error.get("type") in ("missing", "model_type", "dict_type"):
        return BadRequest(_("请求内容应为JSON对象。"), code="bad_json")
    field = names[-1] if names else source
    if source == "body" and len(names) > 1:
        field = names[1]
    match = getattr(request, "resolver_match", None)
    device_call = bool(match and (match.url_name or "").startswith("device_"))
    code = "bad_field" if device_call or source == "body" else "bad_parameter"
    return BadRequest(_field_message(field, error), code=code, field=field)


def install(api: NinjaAPI) -> None:
    """Give `api` our handlers for domain errors, validation, authentication and unknown records."""

    def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return respond(api, request, exc)

    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return respond(api, request, validation_error(request, exc))

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        cause = exc.__cause__
        if isinstance(cause, DomainError):  # the parser refused the body
            return respond(api, request, cause)
        if isinstance(exc, AuthenticationError):
            return respond(api, request, Unauthenticated(_("请先提供有效的凭证。"), code="unauthorized"))
        return respond(api, request, BadRequest(str(exc.message), code="bad_request"))

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(api, request, NotFound(_("没有找到该记录。")))

    api.add_exception_handler(DomainError, on_domain_error)
    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_not_found)
