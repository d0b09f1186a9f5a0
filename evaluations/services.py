"""The evaluator and the bad-review loop: the only way to change devices, ratings, follow-ups, contests."""

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from catalog.selectors import version_in_force
from core import clock, live
from core.audit import audit_record
from core.errors import AccessDenied, DomainError, Unauthenticated
from core.models import scope_copy, scope_fields
from evaluations.models import (
    BAD_LEVELS,
    Channel,
    Device,
    DeviceOffline,
    Invite,
    Level,
    PairingCode,
    Rating,
    RatingLink,
    Reason,
)

# The bad-review loop lives in its own module; it is part of this app's services.
from evaluations.review_services import (  # noqa: F401
    contest_decide,
    contest_file,
    follow_up_close,
    follow_up_deadlines_refresh,
    follow_up_deadlines_refreshed,
    follow_up_open,
    follow_up_record_call,
    follow_up_verify,
    follow_ups_escalate,
)
from org import access
from org.models import DutyStatus, Role, Staff, Unit, UnitKind

PAIRING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
PAIRING_CODE_LENGTH = 8
PAIRING_CODE_MINUTES = 15
# A heartbeat refreshes last_seen_at at most this often, so waiting devices cost no writes.
HEARTBEAT_WRITE_SECONDS = 20


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def window_key(window_id: int) -> str:
    """The live hub's key of a window: its evaluators wait on it, a new invitation notifies it."""
    return f"window:{window_id}"


def _require_station_head_of(actor: Staff, window: Unit) -> None:
    access.require(actor, access.DEVICE_MANAGE, window)


# --- devices ---------------------------------------------------------------------------------


def pairing_code_create(*, window: Unit, actor: Staff) -> str:
    """Return a one-time pairing code for `window`; only its hash is stored, so it is shown once."""
    if window.kind != UnitKind.WINDOW:
        raise DomainError(_("只能为户籍窗口配对评价器。"), code="not_a_window")
    _require_station_head_of(actor, window)
    code = "".join(secrets.choice(PAIRING_ALPHABET) for _i in range(PAIRING_CODE_LENGTH))
    with transaction.atomic():
        pairing = PairingCode.objects.create(
            window=window,
            code_hash=_digest(code),
            created_by=actor,
            expires_at=clock.now() + datetime.timedelta(minutes=PAIRING_CODE_MINUTES),
        )
        audit_record(
            actor=actor,
            action="device.pairing_code",
            obj=pairing,
            unit=window,
            data={"expires_at": pairing.expires_at.isoformat()},
        )
    return code


def normalize_pairing_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


@dataclass(frozen=True)
class Paired:
    device: Device
    token: str


def device_pair(*, code: str, name: str) -> Paired:
    """Bind a new device to the window of a valid pairing code; return it with its secret token."""
    name = (name or "").strip()[:50] or _("评价器")
    digest = _digest(normalize_pairing_code(code))
    with transaction.atomic():
        pairing = PairingCode.objects.select_for_update().select_related("window").filter(code_hash=digest).first()
        if pairing is None or pairing.used_at is not None or pairing.expires_at < clock.now():
            raise DomainError(_("配对码无效或已过期，请所长重新生成配对码。"), code="bad_pairing_code", field="code")
        window = pairing.window
        token = secrets.token_urlsafe(32)
        device = Device.objects.create(
            **scope_fields(window, window=True),
            name=name,
            token_hash=_digest(token),
            paired_by=pairing.created_by,
            last_seen_at=clock.now(),
        )
        pairing.used_at = clock.now()
        pairing.device = device
        pairing.save(update_fields=["used_at", "device"])
        audit_record(actor=pairing.created_by, action="device.paired", obj=device, unit=window, data={"name": name})
    return Paired(device, token)


def device_revoke(*, device: Device, actor: Staff) -> Device:
    _require_station_head_of(actor, device.window)
    with transaction.atomic():
        device = Device.objects.select_for_update().get(pk=device.pk)
        if device.revoked_at is None:
            device.revoked_at = clock.now()
            device.revoked_by = actor
            device.save(update_fields=["revoked_at", "revoked_by"])
            audit_record(actor=actor, action="device.revoked", obj=device, unit=device.window)
    live.notify(window_key(device.window_id))
    return device


def device_for_token(token: str) -> Device | None:
    """The active device holding this token, or None."""
    if not token:
        return None
    return (
        Device.objects.select_related("window", "window__station", "county")
        .filter(token_hash=_digest(token), revoked_at__isnull=True)
        .first()
    )


def device_authenticate(token: str) -> Device:
    """The active device holding `token`; refuse an unknown token ("device_unknown") or a revoked device."""
    # No joins and no ordering (the hash is unique): this runs on every long poll of every device.
    found = list(Device.objects.filter(token_hash=_digest(token)).order_by()[:1]) if token else []
    device = found[0] if found else None
    if device is None:
        raise Unauthenticated(_("评价器未配对或配对已失效，请输入所长提供的配对码重新配对。"), code="device_unknown")
    if device.revoked_at is not None:
        raise AccessDenied(_("本评价器已被所长停用，请联系所长重新配对。"), code="device_revoked")
    return device


@dataclass(frozen=True)
class DeviceScreen:
    """What the evaluator shows while idle: its window, the officer on duty, the complaint phone."""

    window: Unit
    officer: Staff | None
    complaint_phone: str


def window_officer_on_duty(window: Unit, now: datetime.datetime | None = None) -> Staff | None:
    """The officer who made today's latest rated decision at `window`, else an on-duty officer of the window."""
    now = now or clock.now()
    start = clock.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    latest = (
        Invite.objects.filter(window=window, created_at__gte=start, created_at__lte=now)
        .select_related("officer")
        .order_by("-created_at", "-id")
        .first()
    )
    if latest is not None and latest.officer.is_active:
        return latest.officer
    return (
        Staff.objects.filter(unit=window, role=Role.WINDOW_OFFICER, duty_status=DutyStatus.ON_DUTY, is_active=True)
        .order_by("id")
        .first()
    )


def window_complaint_phone(window: Unit, today: datetime.date | None = None) -> str:
    """The complaint phone of the county's guide in force, else the station's (or county's) phone."""
    county = window.county_or_self()
    version = version_in_force(county=county, on=today or clock.today()) if county else None
    if version is not None:
        phone = (
            version.items.exclude(complaint_phone="")
            .order_by("position", "code")
            .values_list("complaint_phone", flat=True)
            .first()
        )
        if phone:
            return phone
    for unit in (window.station, county):
        if unit is not None and unit.phone:
            return unit.phone
    return ""


def device_screen(*, device: Device) -> DeviceScreen:
    """The idle screen of `device`."""
    window = device.window
    return DeviceScreen(window, window_officer_on_duty(window), window_complaint_phone(window))


def device_heartbeat(*, device: Device, now: datetime.datetime | None = None) -> None:
    """Note that the device is alive; a silence longer than the offline threshold is recorded."""
    now = now or clock.now()
    last = device.last_seen_at
    if last is not None and (now - last).total_seconds() < HEARTBEAT_WRITE_SECONDS:
        return
    with transaction.atomic():
        if last is not None and (now - last).total_seconds() > settings.DEVICE_OFFLINE_AFTER_SECONDS:
            DeviceOffline.objects.create(device=device, window_id=device.window_id, started_at=last, ended_at=now)
        Device.objects.filter(pk=device.pk).update(last_seen_at=now)
    device.last_seen_at = now


def device_is_online(device: Device, now: datetime.datetime | None = None) -> bool:
    now = now or clock.now()
    return (
        device.revoked_at is None
        and device.last_seen_at is not None
        and (now - device.last_seen_at).total_seconds() <= settings.DEVICE_OFFLINE_AFTER_SECONDS
    )


def window_has_online_device(window_id: int, now: datetime.datetime | None = None) -> bool:
    devices = Device.objects.filter(window_id=window_id, revoked_at__isnull=True)
    return any(device_is_online(d, now) for d in devices)


# --- invitations -------------------------------------------------------------------------------


def invite_for_decision(*, case, stage: str, officer: Staff) -> Invite | None:
    """Ask the window's evaluator for a rating of this stage (R7).

    Subscribed to counter.hooks.stage_ended, so it runs inside the decision's transaction.
    """
    if Invite.objects.filter(case=case, stage=stage).exists():
        return None  # one rating per case and stage: a second notice does not ask again
    invite = Invite.objects.create(
        case=case,
        stage=stage,
        **scope_copy(case),
        officer=officer,
        device_offline=not window_has_online_device(case.window_id),
    )
    audit_record(
        actor=officer,
        action="rating.invited",
        obj=invite,
        unit=case.window,
        data={"case": case.number, "stage": stage, "device_offline": invite.device_offline},
    )
    key = window_key(case.window_id)
    transaction.on_commit(lambda: live.notify(key))
    return invite


# --- the applicant's rating link ------------------------------------------------------------------


def rating_link_for(case) -> RatingLink:
    """The case's one rating link, made the first time a document needs it.

    Documents are issued inside a decision, which holds the case's row lock, so two links of one case
    cannot be made at once; the unique constraint on `case` would refuse the second anyway.
    """
    return RatingLink.objects.filter(case=case).first() or RatingLink.objects.create(case=case)


def rating_url(link: RatingLink) -> str:
    """The address printed on paper: PUBLIC_BASE_URL, then the rating page's path."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("rate:case", args=[link.token])


def document_rating_fields(*, case, kind: str) -> dict[str, str]:
    """What every issued document prints about rating (subscribed to counter.hooks.document_issuing)."""
    return {
        "rating_hint": (
            f"请您对本次服务作出评价：可在窗口评价器上评价，"
            f"也可在{settings.RATING_LINK_DAYS}日内扫描二维码或访问下方链接评价。"
        ),
        "rating_url": rating_url(rating_link_for(case)),
    }


def invite_next_for_device(*, device: Device, after_id: int = 0) -> Invite | None:
    """The newest unrated invitation of the device's window after `after_id`; marks it shown."""
    fresh_since = clock.now() - datetime.timedelta(hours=2)
    # Usually there is nothing: look with a cheap query first, load the case and officer only on a hit.
    found = (
        Invite.objects.filter(
            window_id=device.window_id, id__gt=after_id, created_at__gte=fresh_since, rating__isnull=True
        )
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    if found is None:
        return None
    invite = Invite.objects.select_related("case", "case__item", "officer").get(pk=found)
    if invite is not None and invite.shown_at is None:
        Invite.objects.filter(pk=invite.pk, shown_at__isnull=True).update(shown_at=clock.now(), shown_on=device)
    return invite


# --- ratings -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingInput:
    level: int
    efficiency: int
    quality: int
    attitude: int
    reasons: tuple[str, ...] = ()
    other_reason: str = ""
    comment: str = ""


def rating_input_problems(data: RatingInput) -> dict[str, str]:
    """Field -> Chinese message for what is wrong with a rating."""
    problems: dict[str, str] = {}
    for field, label in (
        ("level", _("总体评价")),
        ("efficiency", _("服务效率")),
        ("quality", _("服务水平")),
        ("attitude", _("服务态度")),
    ):
        if getattr(data, field) not in Level.values:
            problems[field] = _("请选择%(label)s（1到5星）。") % {"label": label}
    unknown = [r for r in data.reasons if r not in Reason.values]
    if unknown:
        problems["reasons"] = _("未知的差评原因：%(r)s。") % {"r": unknown[0]}
    elif data.level in BAD_LEVELS and not data.reasons:
        problems["reasons"] = _("选择“不满意”或“非常不满意”时，请至少选择一项原因。")
    elif Reason.OTHER in data.reasons and not data.other_reason.strip():
        problems["other_reason"] = _("选择“其他”原因时，请写明具体情况。")
    if len(data.other_reason) > 200:
        problems["other_reason"] = _("其他原因不能超过200个字。")
    if len(data.comment) > 500:
        problems["comment"] = _("意见建议不能超过500个字。")
    return problems


def rating_submit(
    *,
    invite: Invite,
    data: RatingInput,
    channel: str,
    device: Device | None = None,
    idempotency_key: str | None = None,
    rated_at: datetime.datetime | None = None,
) -> Rating:
    """Store the applicant's rating once; a repeat with the same idempotency key returns the stored one."""
    if idempotency_key:
        existing = Rating.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.invite_id != invite.pk:
                raise DomainError(_("该评价编号已用于其他办件。"), code="idempotency_key_reused")
            return existing
    problems = rating_input_problems(data)
    if channel == Channel.DEFAULT:
        # Nobody chose the default level, so there are no reasons to give, even if a city made it a bad one.
        problems.pop("reasons", None)
    if problems:
        field, message = next(iter(problems.items()))
        raise DomainError(message, code="bad_rating", field=field)
    if channel == Channel.DEVICE:
        if device is None or not device.is_active:
            raise AccessDenied(_("评价器未配对或已停用。"), code="device_revoked")
        if device.window_id != invite.window_id:
            raise AccessDenied(_("该办件不属于本窗口，本评价器不能评价。"), code="wrong_window")
    elif channel == Channel.QR:
        if clock.now() - invite.created_at > datetime.timedelta(days=settings.RATING_LINK_DAYS):
            raise DomainError(
                _("评价期限（%(days)s天）已过，不能再评价。") % {"days": settings.RATING_LINK_DAYS}, code="link_expired"
            )
    elif channel != Channel.DEFAULT:
        raise DomainError(_("未知的评价渠道。"), code="bad_channel")
    now = clock.now()
    rated_at = min(rated_at or now, now)
    case = invite.case
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                invite=invite,
                case=case,
                stage=invite.stage,
                **scope_copy(invite),
                officer_id=invite.officer_id,
                level=data.level,
                efficiency=data.efficiency,
                quality=data.quality,
                attitude=data.attitude,
                reasons=list(dict.fromkeys(data.reasons)),
                other_reason=data.other_reason.strip(),
                comment=data.comment.strip(),
                channel=channel,
                device=device,
                is_default=channel == Channel.DEFAULT,
                rated_at=rated_at,
                received_at=now,
                idempotency_key=idempotency_key or None,
            )
            audit_record(
                actor=None,
                action="rating.submitted",
                obj=rating,
                unit=invite.window,
                data={"case": case.number, "stage": invite.stage, "level": data.level, "channel": channel},
            )
            if rating.is_bad:
                follow_up_open(rating=rating)
    except IntegrityError as exc:
        if idempotency_key:
            existing = Rating.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing
        raise DomainError(_("该办件的这一环节已经评价过，每件每环节只能评价一次。"), code="already_rated") from exc
    return rating


def ratings_default_apply(*, now: datetime.datetime | None = None) -> int:
    """Record the city's default level for invitations left unrated for RATING_LINK_DAYS days."""
    now = now or clock.now()
    cutoff = now - datetime.timedelta(days=settings.RATING_LINK_DAYS)
    level = settings.RATING_DEFAULT_LEVEL
    made = 0
    for invite in Invite.objects.filter(created_at__lt=cutoff, rating__isnull=True).select_related("case"):
        try:
            rating_submit(
                invite=invite,
                data=RatingInput(level, level, level, level),
                channel=Channel.DEFAULT,
                idempotency_key=f"default-{invite.pk}",
                # The default takes effect when the link expires, whenever the job happens to run.
                rated_at=invite.created_at + datetime.timedelta(days=settings.RATING_LINK_DAYS),
            )
        except DomainError:
            continue
        made += 1
    return made
