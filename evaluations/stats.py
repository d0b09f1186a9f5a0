"""Was the evaluator used? (self-inspection item 7): usage figures per officer, window and day, and alerts.

Definitions (docs/bad_reviews.md explains them to users):
- invites: rating screens the system asked for, one per decided case and stage (Invite rows);
- shown: invites the window's evaluator actually displayed (Invite.shown_at);
- active: invites the applicant rated, on the evaluator or by the QR link. A 7-day default is never
  active. A rating later excluded by a contest still counts here: it proves the evaluator was offered and
  used, which is what item 7 asks, and the officer is not punished for a malicious applicant;
- rating rate: active / invites. All figures count by the date of the invitation, so a QR rating given
  three days later is counted with the case it rates;
- offline minutes: minutes within the opening hours of working days (settings.WINDOW_OPENING_HOURS,
  the official calendar) during which the window had no online evaluator: not paired, revoked, silent
  (a DeviceOffline row), or silent since its last heartbeat until now;
- flags: device ratings stored with a trace of forging (evaluations/forgery.py), by the day they were stored.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from core import clock
from evaluations.models import Channel, Device, DeviceOffline, FlagKind, Invite, RatingFlag
from evaluations.selectors import ACTIVE_CHANNELS, day_range_q, local_midnight
from org.models import Staff, Unit
from org.selectors import scope_q, windows_visible_to
from workdays.services import workday_check

# Alert (a): a window whose active rating rate is at least this many percentage points below its county's
# over the period, once it has at least this many invitations (fewer say nothing about the window).
RATE_GAP_POINTS = 20
RATE_MIN_INVITES = 10
# Alert (c): a window whose evaluator was offline at least this many minutes of the opening hours in the period.
OFFLINE_ALERT_MINUTES = 15
# The longest period one usage page computes (offline time is worked out minute by minute per window).
MAX_PERIOD_DAYS = 92

Interval = tuple[datetime.datetime, datetime.datetime]


# --- opening hours and offline time ------------------------------------------------------------


def opening_hours(text: str | None = None) -> list[tuple[datetime.time, datetime.time]]:
    """Parse 'HH:MM-HH:MM,HH:MM-HH:MM' (settings.WINDOW_OPENING_HOURS)."""
    text = settings.WINDOW_OPENING_HOURS if text is None else text
    spans = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            start, end = (datetime.time.fromisoformat(t.strip()) for t in part.split("-"))
        except ValueError as exc:
            raise ImproperlyConfigured(f"WINDOW_OPENING_HOURS: {part!r} is not HH:MM-HH:MM") from exc
        if end <= start:
            raise ImproperlyConfigured(f"WINDOW_OPENING_HOURS: {part!r} ends before it starts")
        spans.append((start, end))
    return spans


def opening_intervals(day: datetime.date, spans=None) -> list[Interval]:
    """The window's opening hours on `day` as aware datetimes; none on a day that is not a working day."""
    if not workday_check(day)[0]:
        return []
    tz = timezone.get_current_timezone()
    spans = opening_hours() if spans is None else spans
    return [(datetime.datetime.combine(day, s, tz), datetime.datetime.combine(day, e, tz)) for s, e in spans]


def _merge(intervals: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _subtract(intervals: list[Interval], holes: list[Interval]) -> list[Interval]:
    """`intervals` minus `holes`."""
    result = []
    holes = _merge(holes)
    for start, end in intervals:
        cursor = start
        for h_start, h_end in holes:
            if h_end <= cursor or h_start >= end:
                continue
            if h_start > cursor:
                result.append((cursor, h_start))
            cursor = max(cursor, h_end)
        if cursor < end:
            result.append((cursor, end))
    return result


def device_online_intervals(device: Device, offline: list[Interval], now: datetime.datetime) -> list[Interval]:
    """When the device was paired, not revoked, and heard from."""
    if device.last_seen_at is None:
        return []
    end = min(device.revoked_at or now, now)
    if (end - device.last_seen_at).total_seconds() > settings.DEVICE_OFFLINE_AFTER_SECONDS:
        end = device.last_seen_at  # silent since its last heartbeat; no DeviceOffline row is written yet
    return _subtract([(device.paired_at, end)], offline)


def offline_stretches(opening: list[Interval], online: list[Interval], now: datetime.datetime) -> list[Interval]:
    """The parts of the opening hours (up to now) in which no device of the window was online."""
    opening = [(s, min(e, now)) for s, e in opening if s < now]
    return _subtract(opening, online)


def minutes(intervals: list[Interval]) -> int:
    return round(sum((e - s).total_seconds() for s, e in intervals) / 60)


@dataclass
class WindowTimeline:
    """What the usage page needs to know about one window's devices over a period."""

    devices: list[Device]
    offline_rows: list[DeviceOffline]
    online: list[Interval]


def window_timelines(window_ids, start: datetime.datetime, end: datetime.datetime,
                     now: datetime.datetime) -> dict[int, WindowTimeline]:
    """Each window's devices, their offline rows touching [start, end), and the merged online time."""
    devices = list(Device.objects.filter(window_id__in=window_ids, paired_at__lt=end)
                   .exclude(revoked_at__lt=start).order_by("paired_at"))
    rows = list(DeviceOffline.objects.filter(device__in=devices, started_at__lt=end, ended_at__gt=start)
                .select_related("device").order_by("started_at"))
    by_device: dict[int, list[Interval]] = defaultdict(list)
    for row in rows:
        by_device[row.device_id].append((row.started_at, row.ended_at))
    timelines = {wid: WindowTimeline([], [], []) for wid in window_ids}
    for device in devices:
        timeline = timelines[device.window_id]
        timeline.devices.append(device)
        timeline.online.extend(device_online_intervals(device, by_device[device.pk], now))
    for row in rows:
        timelines[row.window_id].offline_rows.append(row)
    for timeline in timelines.values():
        timeline.online = _merge(timeline.online)
    return timelines


# --- the usage figures -------------------------------------------------------------------------


FIGURES = ("invites", "shown", "active", "defaults", "excluded", "offline_invites", "device_active", "qr_active")


@dataclass
class Figures:
    invites: int = 0
    shown: int = 0
    active: int = 0
    defaults: int = 0
    excluded: int = 0
    offline_invites: int = 0
    # The active ratings by channel: a QR rating is active without the evaluator having shown anything.
    device_active: int = 0
    qr_active: int = 0

    def add(self, other: "Figures") -> None:
        for name in FIGURES:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def rate(self) -> float | None:
        """Active ratings per invitation, in percent; None without invitations."""
        return round(100 * self.active / self.invites, 1) if self.invites else None


@dataclass
class OfficerDay:
    day: datetime.date
    window: Unit
    officer: Staff
    figures: Figures


@dataclass
class WindowDay:
    day: datetime.date
    window: Unit
    figures: Figures = field(default_factory=Figures)
    offline_minutes: int = 0
    opening_minutes: int = 0
    officers: list[OfficerDay] = field(default_factory=list)


@dataclass
class WindowTotal:
    window: Unit
    figures: Figures = field(default_factory=Figures)
    county_rate: float | None = None
    offline_minutes: int = 0
    opening_minutes: int = 0

    @property
    def gap(self) -> float | None:
        """How many percentage points the window is below its county (positive = below)."""
        if self.figures.rate is None or self.county_rate is None:
            return None
        return round(self.county_rate - self.figures.rate, 1)

    @property
    def low_rate(self) -> bool:
        return (self.figures.invites >= RATE_MIN_INVITES and self.gap is not None
                and self.gap >= RATE_GAP_POINTS)

    @property
    def offline_alert(self) -> bool:
        return self.offline_minutes >= OFFLINE_ALERT_MINUTES


@dataclass
class Usage:
    date_from: datetime.date
    date_to: datetime.date
    days: list[WindowDay]
    windows: list[WindowTotal]
    total: Figures
    offline_minutes: int
    low_rate_windows: list[WindowTotal]
    offline_invites: list[Invite]
    offline_windows: list[WindowTotal] = field(default_factory=list)
    flags: list["WindowFlags"] = field(default_factory=list)


def invites_visible_to(user: Staff):
    """Invitations of the windows in the user's units (usage pages are for supervisors only)."""
    return Invite.objects.filter(scope_q(user))


def _figures_annotations() -> dict:
    return {
        "invites": Count("id"),
        "shown": Count("id", filter=Q(shown_at__isnull=False)),
        "active": Count("id", filter=Q(rating__channel__in=ACTIVE_CHANNELS)),
        "defaults": Count("id", filter=Q(rating__is_default=True)),
        "excluded": Count("id", filter=Q(rating__channel__in=ACTIVE_CHANNELS, rating__excluded=True)),
        "offline_invites": Count("id", filter=Q(device_offline=True)),
        "device_active": Count("id", filter=Q(rating__channel=Channel.DEVICE)),
        "qr_active": Count("id", filter=Q(rating__channel=Channel.QR)),
    }


def _figures(row: dict) -> Figures:
    return Figures(**{name: row[name] for name in FIGURES})


def _days(date_from: datetime.date, date_to: datetime.date) -> list[datetime.date]:
    return [date_from + datetime.timedelta(days=n) for n in range((date_to - date_from).days + 1)]


def usage_report(user: Staff, *, date_from: datetime.date, date_to: datetime.date, window_id: int | None = None,
                 now: datetime.datetime | None = None) -> Usage:
    """Usage figures of the windows `user` may see, for each day from `date_from` to `date_to`."""
    now = now or clock.now()
    windows = {w.pk: w for w in windows_visible_to(user).select_related("county", "station")}
    if window_id is not None:
        windows = {k: v for k, v in windows.items() if k == window_id}
    period = day_range_q("created_at", date_from, date_to)
    invites = invites_visible_to(user).filter(period, window_id__in=list(windows))

    rows = (invites.annotate(day=TruncDate("created_at")).values("day", "window_id", "officer_id").order_by()
            .annotate(**_figures_annotations()))
    rows = list(rows)
    officers = {s.pk: s for s in Staff.objects.filter(pk__in={r["officer_id"] for r in rows})}

    spans = opening_hours()
    openings = {day: opening_intervals(day, spans) for day in _days(date_from, date_to)}
    timelines = window_timelines(list(windows), local_midnight(date_from),
                                 local_midnight(date_to + datetime.timedelta(days=1)), now)

    days: dict[tuple[datetime.date, int], WindowDay] = {}
    for day, opening in openings.items():
        for wid, window in windows.items():
            stretches = offline_stretches(opening, timelines[wid].online, now)
            opened = minutes([(s, min(e, now)) for s, e in opening if s < now])
            days[(day, wid)] = WindowDay(day, window, offline_minutes=minutes(stretches), opening_minutes=opened)
    for row in rows:
        window_day = days.setdefault((row["day"], row["window_id"]), WindowDay(row["day"], windows[row["window_id"]]))
        figures = _figures(row)
        window_day.figures.add(figures)
        window_day.officers.append(OfficerDay(row["day"], window_day.window, officers[row["officer_id"]], figures))

    totals = {wid: WindowTotal(window) for wid, window in windows.items()}
    grand = Figures()
    for window_day in days.values():
        total = totals[window_day.window.pk]
        total.figures.add(window_day.figures)
        total.offline_minutes += window_day.offline_minutes
        total.opening_minutes += window_day.opening_minutes
        grand.add(window_day.figures)
    for rate_row in county_rates({w.county_id for w in windows.values()}, date_from, date_to):
        for total in totals.values():
            if total.window.county_id == rate_row[0]:
                total.county_rate = rate_row[1].rate

    shown_days = sorted(
        (d for d in days.values() if d.figures.invites or d.opening_minutes),
        key=lambda d: (-d.day.toordinal(), d.window.code),
    )
    for window_day in shown_days:
        window_day.officers.sort(key=lambda o: o.officer.display_name)
    window_totals = sorted(totals.values(), key=lambda t: t.window.code)
    return Usage(
        date_from=date_from,
        date_to=date_to,
        days=shown_days,
        windows=window_totals,
        total=grand,
        offline_minutes=sum(t.offline_minutes for t in window_totals),
        low_rate_windows=[t for t in window_totals if t.low_rate],
        offline_invites=list(invites.filter(device_offline=True).select_related("case", "window", "officer")
                             .order_by("-created_at")[:200]),
        offline_windows=[t for t in window_totals if t.offline_alert],
        flags=window_flags(user, date_from=date_from, date_to=date_to, window_ids=list(windows)),
    )


# --- traces of forged ratings (alert (d)) --------------------------------------------------------------


@dataclass
class WindowFlags:
    """A window's device ratings stored with traces of forging in the period: how many, and of each kind."""

    window: Unit
    ratings: int
    by_kind: list[tuple[str, str, int]]  # (kind, label, ratings), in the order of FlagKind


def flags_visible_to(user: Staff):
    return RatingFlag.objects.filter(scope_q(user))


def window_flags(user: Staff, *, date_from: datetime.date, date_to: datetime.date,
                 window_ids: list[int]) -> list[WindowFlags]:
    """Per window, the flagged device ratings stored from `date_from` to `date_to` (the day they were stored)."""
    flags = flags_visible_to(user).filter(day_range_q("rating__received_at", date_from, date_to),
                                          window_id__in=window_ids)
    kinds = {(row["window_id"], row["kind"]): row["n"] for row in
             flags.values("window_id", "kind").order_by().annotate(n=Count("rating_id", distinct=True))}
    totals = dict(flags.values_list("window_id").order_by().annotate(n=Count("rating_id", distinct=True))
                  .values_list("window_id", "n"))
    windows = Unit.objects.filter(pk__in=totals).select_related("station")
    return [WindowFlags(window, totals[window.pk],
                        [(kind, str(label), kinds[(window.pk, kind)]) for kind, label in FlagKind.choices
                         if (window.pk, kind) in kinds])
            for window in sorted(windows, key=lambda w: w.code)]


def county_rates(county_ids, date_from: datetime.date, date_to: datetime.date) -> list[tuple[int, Figures]]:
    """Each county's figures over the period, all its windows together (the yardstick for alert (a))."""
    rows = (Invite.objects.filter(day_range_q("created_at", date_from, date_to), county_id__in=list(county_ids))
            .values("county_id").order_by().annotate(**_figures_annotations()))
    return [(row["county_id"], _figures(row)) for row in rows]


def window_offline_detail(window: Unit, *, date_from: datetime.date, date_to: datetime.date,
                          now: datetime.datetime | None = None) -> dict:
    """The records behind a window's offline minutes: the stretches, the devices and their offline rows."""
    now = now or clock.now()
    spans = opening_hours()
    timeline = window_timelines([window.pk], local_midnight(date_from),
                                local_midnight(date_to + datetime.timedelta(days=1)), now)[window.pk]
    stretches = []
    for day in _days(date_from, date_to):
        for start, end in offline_stretches(opening_intervals(day, spans), timeline.online, now):
            stretches.append({"start": start, "end": end, "minutes": minutes([(start, end)])})
    return {"stretches": stretches, "total": sum(s["minutes"] for s in stretches),
            "devices": timeline.devices, "offline_rows": timeline.offline_rows}
