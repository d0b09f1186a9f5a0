"""The evaluator devices' JSON API: pair, heartbeat, wait for the next case, rate (R7).

A device proves who it is with `Authorization: Device <token>`, never with a session cookie, so these
endpoints are exempt from CSRF (nothing ambient authorises them) and a staff session authorises nothing
here. Errors are JSON: {"error": {"code", "message" (Chinese), "field"}}. The OpenAPI description of
these endpoints is api/openapi_devices.py.
"""

import datetime
import json
import re
import time
from functools import wraps

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.http.request import RawPostDataException
from django.urls import path
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from core.errors import DomainError, PermissionDenied
from evaluations import hub, listener, services
from evaluations.models import Channel, Device, Invite, Rating

# HTTP status of each error code; a DomainError not listed here is a 400 (a PermissionDenied a 403).
STATUS = {
    "device_unknown": 401,
    "device_revoked": 403,
    "wrong_window": 403,
    "staff_cannot_rate": 403,
    "unknown_invite": 404,
    "already_rated": 409,
    "idempotency_key_reused": 409,
    "method_not_allowed": 405,
}
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class BadRequest(DomainError):
    code = "bad_request"


def error_response(exc: DomainError) -> JsonResponse:
    default = 403 if isinstance(exc, PermissionDenied) else 400
    status = STATUS.get(exc.code, default)
    response = JsonResponse(
        {"error": {"code": exc.code, "message": str(exc.message), "field": exc.field}},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Device realm="evaluator"'
    return response


def ok(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _token(request) -> str:
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme == "Device" else ""


NUL_ESCAPE = re.compile(rb"\\u0000", re.IGNORECASE)


def _json_body(request) -> dict:
    try:
        body = json.loads(request.body or b"")
    except RawPostDataException as exc:
        raise BadRequest(_("请求内容应为JSON对象。"), code="bad_json") from exc
    except RequestDataTooBig as exc:
        raise BadRequest(_("请求内容过大。"), code="bad_json") from exc
    except (ValueError, RecursionError) as exc:
        raise BadRequest(_("请求内容不是有效的JSON。"), code="bad_json") from exc
    if not isinstance(body, dict):
        raise BadRequest(_("请求内容应为JSON对象。"), code="bad_json")
    if NUL_ESCAPE.search(request.body or b""):
        # PostgreSQL text cannot hold NUL; say so instead of failing on save.
        raise BadRequest(_("请求内容中不能包含空字符（\\u0000）。"), code="bad_json")
    return body


def _endpoint(*methods: str, device: bool = True):
    """A device API view: method check, JSON errors, and (when `device`) token authentication + heartbeat."""

    def decorate(view):
        @csrf_exempt
        @never_cache
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            # Messages are for the applicant at a Chinese counter, whatever language the tablet's browser has.
            with translation.override(settings.LANGUAGE_CODE):
                return _call(request, *args, **kwargs)

        def _call(request, *args, **kwargs):
            try:
                if request.method not in methods:
                    raise DomainError(_("不支持该请求方法。"), code="method_not_allowed")
                if device:
                    current = services.device_authenticate(_token(request))
                    services.device_heartbeat(device=current)
                    return view(request, current, *args, **kwargs)
                return view(request, *args, **kwargs)
            except DomainError as exc:
                response = error_response(exc)
                if exc.code == "method_not_allowed":
                    response["Allow"] = ", ".join(methods)
                return response

        return wrapped

    return decorate


def _officer_json(officer) -> dict | None:
    if officer is None:
        return None
    return {"name": officer.display_name, "police_number": officer.police_number}


def _window_json(window) -> dict:
    station = window.station
    return {"id": window.pk, "name": window.name, "station": station.name if station else ""}


def _invite_json(invite: Invite) -> dict:
    case = invite.case
    return {
        "id": invite.pk,
        "case_number": case.number,
        "item": case.item.name,
        "stage": invite.stage,
        "stage_label": str(invite.get_stage_display()),
        "officer": _officer_json(invite.officer),
        "created_at": invite.created_at.isoformat(),
    }


def _rating_json(rating: Rating) -> dict:
    return {
        "id": rating.pk,
        "invite_id": rating.invite_id,
        "case_number": rating.case.number,
        "stage": rating.stage,
        "level": rating.level,
        "efficiency": rating.efficiency,
        "quality": rating.quality,
        "attitude": rating.attitude,
        "reasons": rating.reasons,
        "other_reason": rating.other_reason,
        "comment": rating.comment,
        "rated_at": rating.rated_at.isoformat(),
        "received_at": rating.received_at.isoformat(),
        "idempotency_key": rating.idempotency_key,
        "follow_up": rating.is_bad,
    }


# --- pairing -------------------------------------------------------------------------------------


@_endpoint("POST", device=False)
def pair(request):
    """Exchange a station head's one-time pairing code for the device's secret token."""
    body = _json_body(request)
    code, name = body.get("code"), body.get("name", "")
    if not isinstance(code, str) or not code.strip():
        raise BadRequest(_("请输入所长提供的8位配对码。"), code="bad_field", field="code")
    if not isinstance(name, str):
        raise BadRequest(_("设备名称应为文字。"), code="bad_field", field="name")
    paired = services.device_pair(code=code, name=name)
    return ok(
        {
            "token": paired.token,
            "device": {"id": paired.device.pk, "name": paired.device.name},
            "window": _window_json(paired.device.window),
        },
        status=201,
    )


# --- a paired device -----------------------------------------------------------------------------


@_endpoint("POST")
def heartbeat(request, device: Device):
    """Say the device is alive (every authenticated call does too)."""
    return ok({"ok": True, "server_time": timezone.now().isoformat()})


@_endpoint("GET")
def me(request, device: Device):
    """What the idle screen shows: the window, the officer on duty, the complaint phone."""
    screen = services.device_screen(device=device)
    return ok(
        {
            "device": {"id": device.pk, "name": device.name},
            "window": _window_json(screen.window),
            "officer": _officer_json(screen.officer),
            "complaint_phone": screen.complaint_phone,
            "server_time": timezone.now().isoformat(),
            "wait_seconds": settings.DEVICE_WAIT_SECONDS,
        }
    )


def _release_db_connection() -> None:
    """Give the database connection back while the thread sleeps: hundreds of waiting devices must not
    hold hundreds of PostgreSQL connections. SQLite connections cost nothing, and a connection inside a
    transaction (tests) is never closed."""
    if connection.vendor != "sqlite" and not connection.in_atomic_block:
        connection.close()


@_endpoint("GET")
def next_invite(request, device: Device):
    """Long-poll: the window's next unrated invitation after `after`, or 204 after DEVICE_WAIT_SECONDS.

    The database is read once at the start and once after each wake-up; the wait itself is a sleep on
    the hub (woken in-process, or through the PostgreSQL listener when another process decided).
    """
    raw = request.GET.get("after", "0") or "0"
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise BadRequest(_("参数 after 应为非负整数。"), code="bad_field", field="after")
    after = int(raw)
    window_id = device.window_id
    listener.ensure_started()
    seen = hub.version(window_id)  # read before the query, so a wake-up in between is not missed
    invite = services.invite_next_for_device(device=device, after_id=after)
    deadline = time.monotonic() + float(settings.DEVICE_WAIT_SECONDS)
    while invite is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return HttpResponse(status=204)
        _release_db_connection()
        woken = hub.wait(window_id, seen, remaining)
        if woken == seen:
            return HttpResponse(status=204)
        seen = woken
        # Woken: the device may have been revoked (device_revoke wakes its window) or a case decided.
        services.device_authenticate(_token(request))
        invite = services.invite_next_for_device(device=device, after_id=after)
    return ok({"invite": _invite_json(invite)})


# --- ratings -------------------------------------------------------------------------------------


def _level(body: dict, field: str, default=None) -> int:
    value = body.get(field, default)
    if value is None or isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(_("“%(field)s”应为1到5的整数。") % {"field": field}, code="bad_field", field=field)
    return value


def _text(body: dict, field: str) -> str:
    value = body.get(field, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadRequest(_("“%(field)s”应为文字。") % {"field": field}, code="bad_field", field=field)
    return value


def _rated_at(body: dict, invite: Invite) -> datetime.datetime | None:
    raw = body.get("rated_at")
    if raw in (None, ""):
        return None
    try:
        parsed = parse_datetime(raw) if isinstance(raw, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise BadRequest(_("评价时间格式不正确（应为ISO 8601）。"), code="bad_field", field="rated_at")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    # A device's clock may be wrong; a rating is never older than its invitation (the service caps at now).
    return max(parsed, invite.created_at)


def _rating_input(body: dict) -> services.RatingInput:
    level = _level(body, "level")
    reasons = body.get("reasons", [])
    if reasons is None:
        reasons = []
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        raise BadRequest(_("差评原因应为原因代码的列表。"), code="bad_field", field="reasons")
    return services.RatingInput(
        level=level,
        efficiency=_level(body, "efficiency", level),
        quality=_level(body, "quality", level),
        attitude=_level(body, "attitude", level),
        reasons=tuple(reasons),
        other_reason=_text(body, "other_reason"),
        comment=_text(body, "comment"),
    )


def _refuse_staff(view):
    """A signed-in staff member can never rate (R7), whatever token the request carries."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated:
            with translation.override(settings.LANGUAGE_CODE):
                message = _("工作人员不能评价：请退出工作人员账号，由申请人本人评价。")
            return error_response(PermissionDenied(message, code="staff_cannot_rate"))
        return view(request, *args, **kwargs)

    return csrf_exempt(wrapped)


@_refuse_staff
@_endpoint("POST")
def ratings(request, device: Device):
    """Store the applicant's rating of an invitation of the device's window, exactly once per key."""
    body = _json_body(request)
    invite_id = body.get("invite_id")
    if isinstance(invite_id, bool) or not isinstance(invite_id, int) or invite_id <= 0:
        raise BadRequest(_("缺少或无效的评价邀请编号。"), code="bad_field", field="invite_id")
    key = body.get("idempotency_key")
    if not isinstance(key, str) or not IDEMPOTENCY_KEY.match(key):
        raise BadRequest(
            _("缺少或无效的评价编号（idempotency_key：8到64位字母、数字、-或_）。"),
            code="bad_field",
            field="idempotency_key",
        )
    data = _rating_input(body)
    invite = Invite.objects.select_related("case", "case__item", "window").filter(pk=invite_id).first()
    if invite is None:
        raise DomainError(_("没有这个评价邀请，请等待窗口民警办理后再评价。"), code="unknown_invite", field="invite_id")
    if invite.window_id != device.window_id:
        raise PermissionDenied(_("该办件不属于本窗口，本评价器不能评价。"), code="wrong_window", field="invite_id")
    rated_at = _rated_at(body, invite)
    repeat = Rating.objects.filter(idempotency_key=key).exists()
    rating = services.rating_submit(
        invite=invite, data=data, channel=Channel.DEVICE, device=device, idempotency_key=key, rated_at=rated_at
    )
    return ok({"rating": _rating_json(rating)}, status=200 if repeat else 201)


urlpatterns = [
    path("devices/pair", pair, name="device_pair"),
    path("devices/heartbeat", heartbeat, name="device_heartbeat"),
    path("devices/me", me, name="device_me"),
    path("devices/next", next_invite, name="device_next"),
    path("devices/ratings", ratings, name="device_ratings"),
]
