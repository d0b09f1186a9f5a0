"""The evaluator and the bad-review loop: the only way to change devices, ratings, follow-ups, contests."""

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _

from catalog.selectors import version_in_force
from core import clock, live
from core.audit import audit_record
from core.errors import AccessDenied, DomainError, Unauthenticated
from core.models import scope_copy, scope_fields
from evaluations import forgery, window_days
from evaluations.models import (
    BAD_LEVELS,
    Channel,
    Device,
    DeviceOffline,
    FollowUp,
    Invite,
    Level,
    PairingCode,
    Rating,
    RatingFlag,
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
# A heartbeat refreshes last_seen_at at most this often (and at most a third of DEVICE_OFFLINE_AFTER_SECONDS),
# so waiting devices cost few writes: with the long poll every DEVICE_WAIT_SECONDS (25) an idle tablet's
# last_seen_at is written every other poll and is never older than twice this (60 s), inside the 90 s after
# which a device counts as offline.
HEARTBEAT_WRITE_SECONDS = 30


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_digest(token: str) -> str:
    """What is stored of a device's token (Device.token_hash)."""
    return _digest(token)


def window_key(window_id: int) -> str:
    """The live hub's key of a window: its evaluators wait on it, a new invitation notifies it."""
    return f"window:{window_id}"


def invite_note(invite_id: int) -> str:
    """What a new invitation tells its window's waiting evaluators (core.live's note)."""
    return f"invite:{invite_id}"


def revoked_note(device_id: int) -> str:
    """What a revocation tells the evaluators waiting at the device's window."""
    return f"revoked:{device_id}"


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


def device_pair(*, code: str, name: str, client_address: str | None = None) -> Paired:
    """Bind a new device to the window of a valid pairing code; return it with its secret token.

    `client_address` is where the pairing call came from; it is kept, so that a device paired away from the
    window is seen (docs/evaluator.md, "Who can forge what").
    """
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
            paired_from=client_address,
        )
        pairing.used_at = clock.now()
        pairing.device = device
        pairing.save(update_fields=["used_at", "device"])
        audit_record(actor=pairing.created_by, action="device.paired", obj=device, unit=window,
                     data={"name": name, "from": client_address})
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
    live.notify(window_key(device.window_id), revoked_note(device.pk))
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
    """Note that the device is alive; a silence longer than the offline threshold is recorded.

    Usually one UPDATE: the stored last_seen_at is never older than `device`'s, so when `device`'s is recent no
    silence can have happened. Only after a long gap is the stored one read, under the row's lock, and a silence
    recorded with the usage figures of the days it touched. A device revoked meanwhile is refused."""
    now = now or clock.now()
    last = device.last_seen_at
    if last is not None and (now - last).total_seconds() < min(HEARTBEAT_WRITE_SECONDS,
                                                               settings.DEVICE_OFFLINE_AFTER_SECONDS / 3):
        return
    if last is not None and (now - last).total_seconds() <= settings.DEVICE_OFFLINE_AFTER_SECONDS:
        written = Device.objects.filter(pk=device.pk, revoked_at__isnull=True).update(last_seen_at=now)
    else:
        with transaction.atomic():
            stored = (Device.objects.select_for_update().filter(pk=device.pk, revoked_at__isnull=True)
                      .values_list("last_seen_at", flat=True))
            written = len(stored)
            last = stored[0] if stored else None
            if last is not None and (now - last).total_seconds() > settings.DEVICE_OFFLINE_AFTER_SECONDS:
                DeviceOffline.objects.create(device=device, window_id=device.window_id, started_at=last,
                                             ended_at=now)
                window_days.offline_refresh(scoped=device, days=window_days.silence_days(last, now), now=now)
            if written:
                Device.objects.filter(pk=device.pk).update(last_seen_at=now)
    if not written:
        device.revoked_at = device.revoked_at or now
        raise AccessDenied(_("本评价器已被所长停用，请联系所长重新配对。"), code="device_revoked")
    device.last_seen_at = now


def device_heartbeats_record(*, device: Device, moments) -> int:
    """Record a run of heartbeats at once, as `device_heartbeat` would one by one; return the silences recorded.

    For a device's day replayed afterwards (the demo's tablets are built this way): only the silences longer
    than the offline threshold are written, as DeviceOffline rows, then the last moment it was heard from.
    Moments not after the device's last heartbeat are ignored.
    """
    last = device.last_seen_at
    silences = []
    for moment in sorted(moments):
        if last is not None and moment <= last:
            continue
        if last is not None and (moment - last).total_seconds() > settings.DEVICE_OFFLINE_AFTER_SECONDS:
            silences.append(DeviceOffline(device=device, window_id=device.window_id, started_at=last, ended_at=moment))
        last = moment
    if last == device.last_seen_at:
        return 0
    with transaction.atomic():
        DeviceOffline.objects.bulk_create(silences)
        Device.objects.filter(pk=device.pk).update(last_seen_at=last)
        device.last_seen_at = last
        days = {day for silence in silences for day in window_days.silence_days(silence.started_at, silence.ended_at)}
        window_days.offline_refresh(scoped=device, days=days)
    return len(silences)


def device_is_online(device: Device, now: datetime.datetime | None = None) -> bool:
    """Whether the device was heard from within DEVICE_OFFLINE_AFTER_SECONDS of `now` (default: now)."""
    now = now or clock.now()
    if device.revoked_at is not None or device.last_seen_at is None:
        return False
    if now < device.last_seen_at:
        # A moment before its last heartbeat (a replayed day): online if paired then and not in a recorded silence.
        return device.paired_at <= now and not DeviceOffline.objects.filter(
            device=device, started_at__lt=now, ended_at__gt=now).exists()
    return (now - device.last_seen_at).total_seconds() <= settings.DEVICE_OFFLINE_AFTER_SECONDS


def window_has_online_device(window_id: int, now: datetime.datetime | None = None) -> bool:
    devices = Device.objects.filter(window_id=window_id, revoked_at__isnull=True)
    return any(device_is_online(d, now) for d in devices)


# --- invitations -------------------------------------------------------------------------------


_UNREAD = object()


def decision_columns() -> dict:
    """What a decision reads with its locked case (subscribed to counter.hooks.case_locking): the token of the
    case's rating link and when the window's evaluator was last heard from, so that the document and the
    invitation of the decision need no query of their own."""
    devices = Device.objects.filter(window=OuterRef("window_id"), revoked_at__isnull=True,
                                    last_seen_at__isnull=False).order_by("-last_seen_at")
    return {
        "rating_token": Subquery(RatingLink.objects.filter(case=OuterRef("pk")).values("token")[:1]),
        "device_last_seen": Subquery(devices.values("last_seen_at")[:1]),
    }


def _window_offline(case) -> bool:
    """Whether no evaluator of the case's window is online now (from what the decision read, if it did)."""
    read = getattr(case, "device_last_seen", _UNREAD)
    now = clock.now()
    last_seen: datetime.datetime | None = None if read is _UNREAD else read  # type: ignore[assignment]
    if read is _UNREAD or (last_seen is not None and now < last_seen):
        # Not read with the case, or a replayed moment before the last heartbeat: ask the devices.
        return not window_has_online_device(case.window_id, now)
    return last_seen is None or (now - last_seen).total_seconds() > settings.DEVICE_OFFLINE_AFTER_SECONDS


def invite_for_decision(*, case, stage: str, officer: Staff) -> Invite | None:
    """Ask the window's evaluator for a rating of this stage (R7).

    Subscribed to counter.hooks.stage_ended, so it runs inside the decision's transaction.
    """
    # One rating per case and stage: the counter publishes each stage once (a second notice does not ask
    # again), and the unique constraint (case, stage) refuses a second invitation anyway.
    invite = Invite.objects.create(
        case=case,
        stage=stage,
        **scope_copy(case),
        officer=officer,
        device_offline=_window_offline(case),
    )
    # The INSERT added it to the window's day figures (evaluations/triggers.py).
    audit_record(
        actor=officer,
        action="rating.invited",
        obj=invite,
        unit=case.window,
        data={"case": case.number, "stage": stage, "device_offline": invite.device_offline},
    )
    key, note = window_key(case.window_id), invite_note(invite.pk)
    transaction.on_commit(lambda: live.notify(key, note))
    return invite


# --- the applicant's rating link ------------------------------------------------------------------


def rating_link_made(*, case) -> None:
    """Make the case's rating link with the case (subscribed to counter.hooks.case_opened), so that the decisions
    of the intake's request and every later one find its token with the case and make nothing."""
    case.rating_token = RatingLink.objects.create(case=case).token


def rating_link_for(case) -> RatingLink:
    """The case's one rating link: made at intake (rating_link_made); for a case recorded before links were made
    at intake, made the first time a document needs it.

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
        "rating_url": rating_url(_rating_link_of(case)),
    }


def _rating_link_of(case) -> RatingLink:
    """The case's rating link: as the decision read it with the case (counter.hooks.case_locking), else read or
    made now."""
    token = getattr(case, "rating_token", _UNREAD)
    if token is _UNREAD:
        link = rating_link_for(case)
    elif token is None:  # read with the case: it has none (recorded before links were made at intake), make it
        link = RatingLink.objects.create(case=case)
    else:
        return RatingLink(case=case, token=str(token))  # only its address is printed
    case.rating_token = link.token
    return link


# The furthest back a device looks for an unrated case it may still show.
INVITE_LOOKBACK = datetime.timedelta(hours=2)


def invite_next_for_device(*, device: Device, after_id: int = 0) -> Invite | None:
    """The newest unrated invitation of the device's window after `after_id` that it may show; marks it shown.

    A device shows only what was decided after it was paired, and then only within the last
    DEVICE_FRESH_MINUTES or while it has been online ever since: after a pairing or an outage, the person at the
    counter is no longer the applicant of an earlier case (the QR link on his document still works).
    """
    now = clock.now()
    since = max(device.paired_at, now - INVITE_LOOKBACK)
    # Usually there is nothing: look with a cheap query first, load the case and officer only on a hit.
    found = (
        Invite.objects.filter(window_id=device.window_id, id__gt=after_id, created_at__gte=since,
                              created_at__lte=now, rating__isnull=True)
        .order_by("-created_at", "-id")
        .values_list("id", "created_at")
        .first()
    )
    if found is None:
        return None
    pk, created_at = found
    if created_at < now - datetime.timedelta(minutes=settings.DEVICE_FRESH_MINUTES) and DeviceOffline.objects.filter(
            device=device, ended_at__gt=created_at).exists():
        return None  # decided a while ago and the device has been silent since: that applicant is gone
    invite = Invite.objects.select_related("case", "case__item", "officer").get(pk=pk)
    if invite.shown_at is None:
        with transaction.atomic():
            if Invite.objects.filter(pk=invite.pk, shown_at__isnull=True).update(shown_at=clock.now(),
                                                                                  shown_on=device):
                window_days.invite_shown_counted(invite)
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


def text_unstorable(text: str) -> bool:
    """Whether `text` holds a character no database can store: a NUL, or half of a UTF-16 pair (a lone
    surrogate such as "\\ud800", which JSON can carry and UTF-8 cannot)."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


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
    for field, label in (("other_reason", _("其他原因")), ("comment", _("意见建议"))):
        if text_unstorable(getattr(data, field)):
            problems[field] = _("%(label)s中有无法保存的字符，请删除后重新输入。") % {"label": label}
    return problems


@dataclass(frozen=True)
class Stored:
    """A rating and whether this call stored it (False: a repeat of an idempotency key stored before)."""

    rating: Rating
    created: bool


def rating_submit(
    *,
    invite: Invite,
    data: RatingInput,
    channel: str,
    device: Device | None = None,
    idempotency_key: str | None = None,
    rated_at: datetime.datetime | None = None,
    client_address: str | None = None,
) -> Rating:
    """Store the applicant's rating once; a repeat with the same idempotency key returns the stored one."""
    return rating_store(invite=invite, data=data, channel=channel, device=device, idempotency_key=idempotency_key,
                        rated_at=rated_at, client_address=client_address).rating


def _repeat_of(idempotency_key: str, invite: Invite) -> Rating | None:
    existing = Rating.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None and existing.invite_id != invite.pk:
        raise DomainError(_("该评价编号已用于其他办件。"), code="idempotency_key_reused")
    return existing


def rating_store(
    *,
    invite: Invite,
    data: RatingInput,
    channel: str,
    device: Device | None = None,
    idempotency_key: str | None = None,
    rated_at: datetime.datetime | None = None,
    client_address: str | None = None,
) -> Stored:
    """`rating_submit`, saying whether this call stored the rating: of parallel repeats of one key exactly one
    stores it, the others get the stored rating (the unique key decides, on every database).

    A device's rating is checked for the traces of forging (evaluations/forgery.py) and stored with them, with
    the address it came from (`client_address`).
    """
    if idempotency_key:
        existing = _repeat_of(idempotency_key, invite)
        if existing is not None:
            return Stored(existing, False)
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
    traces = []
    if channel == Channel.DEVICE and device is not None:
        traces = forgery.traces(invite=invite, device=device, rated_at=rated_at, now=now,
                                client_address=client_address)
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
                client_address=client_address if channel == Channel.DEVICE else None,
            )
            RatingFlag.objects.bulk_create([
                RatingFlag(rating=rating, **scope_copy(rating), kind=kind, detail=detail[:200], created_at=now)
                for kind, detail in traces
            ])
            window_days.rating_counted(rating, invite=invite, flag_kinds=[kind for kind, _detail in traces])
            audit_record(
                actor=None,
                action="rating.submitted",
                obj=rating,
                unit=invite.window,
                data={"case": case.number, "stage": invite.stage, "level": data.level, "channel": channel,
                      **({"from": client_address, "flags": [kind for kind, _detail in traces]}
                         if channel == Channel.DEVICE else {})},
            )
            if rating.is_bad:
                follow_up_open(rating=rating)
    except IntegrityError as exc:
        if idempotency_key:
            # A parallel repeat stored it first: its insert held the key, ours waited for its commit.
            existing = _repeat_of(idempotency_key, invite)
            if existing is not None:
                return Stored(existing, False)
        raise DomainError(_("该办件的这一环节已经评价过，每件每环节只能评价一次。"), code="already_rated") from exc
    return Stored(rating, True)


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
                # No idempotency key: the invitation itself is the job's key (one rating per invitation), and
                # no device can take a key from it first (issue 7).
                # The default takes effect when the link expires, whenever the job happens to run.
                rated_at=invite.created_at + datetime.timedelta(days=settings.RATING_LINK_DAYS),
            )
        except DomainError:
            continue
        made += 1
    return made


def follow_up_reveal_phone(*, follow_up: FollowUp, actor: Staff) -> str:
    """Return the applicant's full phone to the station head calling them back, and log that `actor` saw it."""
    access.require(actor, access.FOLLOW_UP_HANDLE, follow_up)
    case = follow_up.rating.case
    with transaction.atomic():
        audit_record(actor=actor, action="follow_up.phone_viewed", obj=follow_up, unit=follow_up.rating.window,
                     data={"case": case.number})
    return case.applicant_phone
