"""The evaluator devices' JSON API: pair, heartbeat, wait for the next case, rate (R7).

A device proves who it is with `Authorization: Device <token>`, never with a session cookie, so these
endpoints need no CSRF token (nothing ambient authorises them) and a staff session authorises nothing
here. Every authenticated call counts as a heartbeat.
"""

import ipaddress
import time

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from api.schemas import (
    DeviceOut,
    DeviceRatingEnvelope,
    Error,
    HeartbeatOut,
    MeOut,
    NextOut,
    OfficerOut,
    PairIn,
    PairOut,
    QueryInt,
    RatingIn,
    WindowOut,
    iso,
)
from core import clock, live
from core.errors import AccessDenied, DomainError, NotFound
from evaluations import polling, services
from evaluations.models import Channel, Device, Invite, Rating

TAG = "评价器"
ERRORS = {400: Error, 401: Error, 403: Error, 405: Error}


class DeviceToken:
    """`Authorization: Device <token>` -> the device (every authenticated call is also a heartbeat)."""

    openapi_type = "apiKey"

    def __init__(self, *, refuse_staff: bool = False, long_poll: bool = False):
        self.refuse_staff = refuse_staff
        # The long poll reads the device again only when its window was woken about it (evaluations/polling.py).
        self.long_poll = long_poll

    def __call__(self, request: HttpRequest) -> Device:
        if self.refuse_staff and request.user.is_authenticated:
            # R7: a signed-in staff member can never rate, whatever token the request carries.
            raise AccessDenied(_("工作人员不能评价：请退出工作人员账号，由申请人本人评价。"), code="staff_cannot_rate")
        if self.long_poll:
            return polling.device_for_poll(device_token_of(request))
        device = services.device_authenticate(device_token_of(request))
        services.device_heartbeat(device=device)
        return device


def device_token_of(request: HttpRequest) -> str:
    """The token of `Authorization: Device <token>` ("" if the header says anything else)."""
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme == "Device" else ""


# ninja reads the security scheme from these attributes.
DeviceToken.openapi_security_schema = {  # type: ignore[attr-defined]
    "type": "apiKey", "in": "header", "name": "Authorization",
    "description": "`Authorization: Device <令牌>`；令牌由 POST /api/devices/pair 返回一次。"
                   "工作人员的登录会话不能调用评价器接口。",
}

device_token = DeviceToken()
router = Router(tags=[TAG])


def client_address(request: HttpRequest) -> str | None:
    """The address a device call came from, kept with pairings and ratings (docs/evaluator.md, "Who can forge
    what"). The one place that reads it: behind a trusted proxy, point this at the proxy-aware address."""
    address = request.META.get("REMOTE_ADDR") or ""
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def _officer(officer) -> OfficerOut | None:
    return OfficerOut(name=officer.display_name, police_number=officer.police_number) if officer else None


def _window(window) -> WindowOut:
    station = window.station
    return WindowOut(id=window.pk, name=window.name, station=station.name if station else "")


@router.post("/pair", auth=None, response={201: PairOut, 400: Error, 405: Error}, url_name="device_pair",
             operation_id="devicePair", summary="用所长的一次性配对码把评价器配对到窗口",
             description="配对码（8位，只显示一次，15分钟内有效，只能用一次）由所长在“评价器”页面生成；"
                         "空格、短横线和大小写不论。令牌只在这里返回。")
def pair(request: HttpRequest, payload: PairIn):
    if not payload.code.strip():
        raise DomainError(_("请输入所长提供的8位配对码。"), code="bad_field", field="code")
    paired = services.device_pair(code=payload.code, name=payload.name, client_address=client_address(request))
    return Status(201, PairOut(token=paired.token, device=DeviceOut(id=paired.device.pk, name=paired.device.name),
                        window=_window(paired.device.window)))


@router.post("/heartbeat", auth=device_token, response={200: HeartbeatOut, **ERRORS}, url_name="device_heartbeat",
             operation_id="deviceHeartbeat", summary="报告评价器在线",
             description="每次带令牌的调用都算一次心跳；超过 DEVICE_OFFLINE_AFTER_SECONDS（90秒）没有心跳即显示离线，"
                         "并记录离线时段。")
def heartbeat(request: HttpRequest):
    return HeartbeatOut(ok=True, server_time=iso(clock.now()))


@router.get("/me", auth=device_token, response={200: MeOut, **ERRORS}, url_name="device_me",
            operation_id="deviceMe", summary="空闲画面显示的内容",
            description="窗口、当班民警（本窗口今天最近一次作出需评价决定的民警，否则本窗口在岗民警）和监督投诉电话。")
def me(request: HttpRequest):
    device = request.auth
    screen = services.device_screen(device=device)
    return MeOut(device=DeviceOut(id=device.pk, name=device.name), window=_window(screen.window),
                 officer=_officer(screen.officer), complaint_phone=screen.complaint_phone,
                 server_time=iso(timezone.localtime(clock.now())), wait_seconds=settings.DEVICE_WAIT_SECONDS)


def _invite_out(invite: Invite) -> NextOut:
    case = invite.case
    return NextOut(invite={
        "id": invite.pk, "case_number": case.number, "item": case.item.name, "stage": invite.stage,
        "stage_label": str(invite.get_stage_display()), "officer": _officer(invite.officer),
        "created_at": iso(invite.created_at),
    })


def _release_db_connection() -> None:
    """Give the database connection back while the thread sleeps: hundreds of waiting devices must not
    hold hundreds of PostgreSQL connections. With a pool (DATABASES OPTIONS "pool") close() returns it to
    the pool; without, it closes it. SQLite connections cost nothing, and a connection inside a
    transaction (tests) is never closed."""
    if connection.vendor != "sqlite" and not connection.in_atomic_block:
        connection.close()


class NextQuery(Schema):
    after: QueryInt = Field(0, ge=0, description="本评价器上次显示的邀请编号（第一次为 0）。")


@router.get("/next", auth=DeviceToken(long_poll=True), response={200: NextOut, 204: None, **ERRORS},
            url_name="device_next",
            operation_id="deviceNext", summary="等待本窗口的下一件待评价办件（长轮询）",
            description="本窗口有编号大于 after、本评价器可以显示的未评价邀请时立即返回 200（最新的一件）；否则等待 "
                        "DEVICE_WAIT_SECONDS（25秒）后返回 204，设备随即再次请求。"
                        "可以显示的：评价器配对之后决定的，并且是最近 DEVICE_FRESH_MINUTES（5分钟）内的，"
                        "或者决定以来评价器一直在线的（最多两小时前）。"
                        "客户端超时请设为 wait_seconds + 20 秒，"
                        "网络出错时退避重试。")
def next_invite(request: HttpRequest, query: Query[NextQuery]):
    """Everything is read before the wait (and, when nothing happened at the window since this process last
    looked, nothing is: evaluations/polling.py); the wait is a sleep on the live hub without a database
    connection (woken in-process, or through the PostgreSQL listener when another process wrote). A wake-up
    whose note does not concern this device (another device of the window revoked, a case it has shown) goes on
    waiting without a query, and so does a wait that ends with nothing: the 204 touches no database."""
    device = request.auth
    key = services.window_key(device.window_id)
    live.ensure_listening()
    seen = live.version(key)  # read before the query, so a wake-up in between is not missed
    invite = polling.invite_for_poll(device=device, after_id=query.after, version=seen)
    deadline = time.monotonic() + float(settings.DEVICE_WAIT_SECONDS)
    concerns = polling.concerns_invites(device.pk, query.after)
    while invite is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return Status(204, None)
        _release_db_connection()
        woken = live.wait(key, seen, remaining)
        if woken == seen:
            return Status(204, None)
        seen, notes = live.changes(key, seen)
        if notes is not None and not any(concerns(note) for note in notes):
            continue
        # A case decided at the window, this device revoked, or anything (the listener reconnected): look.
        device = polling.device_for_poll(device_token_of(request))
        invite = polling.invite_for_poll(device=device, after_id=query.after, version=seen)
    return Status(200, _invite_out(invite))


def _rating_out(rating: Rating) -> DeviceRatingEnvelope:
    return DeviceRatingEnvelope(rating={
        "id": rating.pk, "invite_id": rating.invite_id, "case_number": rating.case.number, "stage": rating.stage,
        "level": rating.level, "efficiency": rating.efficiency, "quality": rating.quality,
        "attitude": rating.attitude, "reasons": rating.reasons, "other_reason": rating.other_reason,
        "comment": rating.comment, "rated_at": iso(rating.rated_at),
        "received_at": iso(rating.received_at), "idempotency_key": rating.idempotency_key,
        "follow_up": rating.is_bad,
    })


@router.post("/ratings", auth=DeviceToken(refuse_staff=True),
             response={200: DeviceRatingEnvelope, 201: DeviceRatingEnvelope, 404: Error, 409: Error, **ERRORS},
             url_name="device_ratings", operation_id="deviceRatingSubmit",
             summary="提交申请人的评价（同一评价编号只保存一次）",
             description="设备保存未送达的评价，用同一 idempotency_key 重发直到收到答复："
                         "第一次 201，重发 200 且内容相同。"
                         "“不满意”“非常不满意”至少选一项原因；原因 other 须写 other_reason。差评会建立回访整改任务。"
                         "带着工作人员登录会话的请求一律拒绝（staff_cannot_rate）。")
def ratings(request: HttpRequest, payload: RatingIn):
    device = request.auth
    invite = Invite.objects.select_related("case", "case__item", "window").filter(pk=payload.invite_id).first()
    if invite is None:
        raise NotFound(_("没有这个评价邀请，请等待窗口民警办理后再评价。"), code="unknown_invite", field="invite_id")
    if invite.window_id != device.window_id:
        raise AccessDenied(_("该办件不属于本窗口，本评价器不能评价。"), code="wrong_window", field="invite_id")
    rated_at = payload.rated_at
    if rated_at is not None:
        if timezone.is_naive(rated_at):
            rated_at = timezone.make_aware(rated_at)
        # A device's clock may be wrong; a rating is never older than its invitation (the service caps at now).
        rated_at = max(rated_at, invite.created_at)
    data = services.RatingInput(
        level=payload.level,
        efficiency=payload.efficiency or payload.level,
        quality=payload.quality or payload.level,
        attitude=payload.attitude or payload.level,
        reasons=tuple(payload.reasons or ()),
        other_reason=payload.other_reason or "",
        comment=payload.comment or "",
    )
    stored = services.rating_store(invite=invite, data=data, channel=Channel.DEVICE, device=device,
                                   idempotency_key=payload.idempotency_key, rated_at=rated_at,
                                   client_address=client_address(request))
    # Of parallel repeats of one key exactly one stored the rating (201); the others answer 200, same body.
    return Status(201 if stored.created else 200, _rating_out(stored.rating))
