"""Was the evaluator used? (self-inspection item 7): usage figures per unit, window, day and officer, and alerts.

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
  (a DeviceOffline row), or silent since its last heartbeat until now (evaluations/offline_time.py);
- flags: device ratings stored with a trace of forging (evaluations/forgery.py), by the day they were stored.

The figures are sums of the daily figures per window (evaluations.WindowDay, kept by evaluations/window_days.py),
so a page costs the same few queries for a week of one station as for 92 days of the whole city. Only the offline
minutes of days not over yet (today, or a day the daily job has not made final) are worked out again from the
devices' records, and the officers' rows of one window are read from its invitations (a few thousand at most).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate

from core import clock
from evaluations.models import Channel, FlagKind, Invite, RatingFlag, WindowDay
from evaluations.offline_time import (  # noqa: F401  (the usage page's definitions, read from here)
    Interval,
    WindowTimeline,
    days_between,
    device_online_intervals,
    minutes,
    offline_minutes_for,
    offline_stretches,
    opened_minutes,
    opening_hours,
    opening_intervals,
    openings_of,
    window_timelines,
)
from evaluations.selectors import ACTIVE_CHANNELS, day_range_q, local_midnight, unit_q
from evaluations.window_days import FLAG_FIELDS
from org.models import Staff, Unit, UnitKind
from org.selectors import scope_of, scope_q, windows_visible_to

# Alert (a): a window whose active rating rate is at least this many percentage points below its county's
# over the period, once it has at least this many invitations (fewer say nothing about the window).
RATE_GAP_POINTS = 20
RATE_MIN_INVITES = 10
# Alert (c): a window whose evaluator was offline at least this many minutes of the opening hours in the period.
OFFLINE_ALERT_MINUTES = 15
# The longest period one usage page covers.
MAX_PERIOD_DAYS = 92
# Alert (b) lists the newest of the decisions taken while the evaluator was offline; the rest are a link away.
OFFLINE_INVITES_SHOWN = 100


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


def _figures(row: dict | None) -> Figures:
    return Figures(**{name: row[name] or 0 for name in FIGURES}) if row else Figures()


@dataclass
class OfficerDay:
    day: datetime.date
    window: Unit
    officer: Staff
    figures: Figures


@dataclass
class DayRow:
    """One day of the period: all the windows of the page's unit together, or one window with its officers."""

    day: datetime.date
    window: Unit | None = None
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
class UnitTotal:
    """A county, station or window of the page's unit, all its windows together; its row opens it."""

    unit: Unit
    figures: Figures = field(default_factory=Figures)
    offline_minutes: int = 0
    opening_minutes: int = 0  # of all its windows together
    windows: int = 0
    low_rate_windows: int = 0
    offline_windows: int = 0
    county_rate: float | None = None  # a window's

    @property
    def is_window(self) -> bool:
        return self.unit.kind == UnitKind.WINDOW

    @property
    def query(self) -> str:
        """The query parameter of this unit's pages (the usage page itself, the records behind a figure)."""
        return f"{'window' if self.is_window else 'unit'}={self.unit.pk}"

    def add(self, total: WindowTotal) -> None:
        if self.is_window:
            self.county_rate = total.county_rate
        self.figures.add(total.figures)
        self.offline_minutes += total.offline_minutes
        self.opening_minutes += total.opening_minutes
        self.windows += 1
        self.low_rate_windows += total.low_rate
        self.offline_windows += total.offline_alert


@dataclass
class WindowFlags:
    """A window's device ratings stored with traces of forging in the period: how many, and of each kind."""

    window: Unit
    ratings: int
    by_kind: list[tuple[str, str, int]]  # (kind, label, ratings), in the order of FlagKind


@dataclass
class Usage:
    date_from: datetime.date
    date_to: datetime.date
    unit: Unit | None  # the county, station or window the page is about; None: everything the user sees
    days: list[DayRow]
    windows: list[WindowTotal]
    total: Figures
    offline_minutes: int
    low_rate_windows: list[WindowTotal]
    offline_invites: list[Invite]
    offline_windows: list[WindowTotal] = field(default_factory=list)
    flags: list[WindowFlags] = field(default_factory=list)
    units: list[UnitTotal] = field(default_factory=list)
    opening_minutes: int = 0  # of one window over the period


def invites_visible_to(user: Staff):
    """Invitations of the windows in the user's units (usage pages are for supervisors only)."""
    return Invite.objects.filter(scope_q(user))


def flags_visible_to(user: Staff):
    return RatingFlag.objects.filter(scope_q(user))


def _figures_annotations() -> dict:
    """The figures counted from invitations themselves (the officers' rows of one window)."""
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


def _sums(final: Q) -> dict:
    """The sums of the daily figures, and of the offline minutes of the days that are final."""
    return {**{name: Sum(name) for name in (*FIGURES, "flagged", *FLAG_FIELDS.values())},
            "final_offline": Sum("offline_minutes", filter=final), "final_days": Count("id", filter=final)}


def _page_scope(user: Staff, window_id: int | None, unit_id: int | None,
                visible=None) -> tuple[dict[int, Unit], Unit | None]:
    """The windows the page covers (the user's, within its unit) and that unit."""
    if visible is None:
        visible = windows_visible_to(user).select_related("county", "station")
    windows = {w.pk: w for w in visible}
    if window_id is not None:
        windows = {k: v for k, v in windows.items() if k == window_id}
        return windows, windows.get(window_id)
    if unit_id is not None:
        unit = next((u for w in windows.values() for u in (w.county, w.station) if u is not None and u.pk == unit_id),
                    None)
        if unit is not None:
            level = "county_id" if unit.kind == UnitKind.COUNTY else "station_id"
            return {k: w for k, w in windows.items() if getattr(w, level) == unit.pk}, unit
        return {}, None
    return windows, None


def _child_of(user: Staff, unit: Unit | None):
    """How the page's unit splits into rows: counties of a city, stations of a county, windows of a station."""
    kind = unit.kind if unit is not None else {"city": UnitKind.CITY, "county": UnitKind.COUNTY}.get(
        scope_of(user).level, UnitKind.STATION)
    if kind == UnitKind.CITY:
        return lambda w: w.county or w
    if kind == UnitKind.COUNTY:
        return lambda w: w.station or w
    return lambda w: w


def _over(day: datetime.date, now: datetime.datetime) -> bool:
    return now >= local_midnight(day + datetime.timedelta(days=1))


def usage_report(user: Staff, *, date_from: datetime.date, date_to: datetime.date, window_id: int | None = None,
                 unit_id: int | None = None, now: datetime.datetime | None = None, visible=None) -> Usage:
    """Usage figures of the windows `user` may see (of one county, station or window of them), for each day from
    `date_from` to `date_to`, by unit, window and day. `visible`: the user's windows with their county and
    station, when the caller has read them already."""
    now = now or clock.now()
    windows, unit = _page_scope(user, window_id, unit_id, visible)
    days = days_between(date_from, date_to)
    openings = openings_of(days)
    opened = {day: opened_minutes(openings[day], now) for day in days}
    over = [day for day in days if openings[day] and _over(day, now)]  # working days whose figures can be final
    not_over = [day for day in days if openings[day] and not _over(day, now)]

    rows = WindowDay.objects.filter(scope_q(user), day__gte=date_from, day__lte=date_to)
    if unit is not None:
        rows = rows.filter(unit_q(unit))
    final = Q(offline_final=True, day__in=over)
    per_window = {r["window_id"]: r for r in rows.values("window_id").order_by().annotate(**_sums(final))}
    per_day = {r["day"]: r for r in rows.values("day").order_by().annotate(**_sums(final))}

    # Offline minutes not stored final: every window's days not over yet, and the days over that a window has no
    # final figure for (no evaluator, or the daily job has not run since): worked out from the devices' records.
    short = [wid for wid in windows if (per_window.get(wid) or {}).get("final_days", 0) < len(over)]
    finals = (set(rows.filter(final, window_id__in=short).order_by().values_list("window_id", "day"))
              if short and over else set())
    live: dict[tuple[int, datetime.date], int] = {}
    if not_over:
        live.update(offline_minutes_for({wid: not_over for wid in windows if wid not in short}, now, openings))
    live.update(offline_minutes_for({wid: [d for d in over if (wid, d) not in finals] + not_over for wid in short},
                                    now, openings))
    live_by_window: dict[int, int] = defaultdict(int)
    live_by_day: dict[datetime.date, int] = defaultdict(int)
    for (wid, day), n in live.items():
        live_by_window[wid] += n
        live_by_day[day] += n

    opening_total = sum(opened.values())
    totals = {}
    for wid, window in windows.items():
        row = per_window.get(wid)
        totals[wid] = WindowTotal(window, _figures(row), opening_minutes=opening_total,
                                  offline_minutes=((row or {}).get("final_offline") or 0) + live_by_window[wid])
    rates = county_rates({w.county_id for w in windows.values()}, date_from, date_to)
    for total in totals.values():
        if total.window.county_id in rates:
            total.county_rate = rates[total.window.county_id].rate
    window_totals = sorted(totals.values(), key=lambda t: t.window.code)

    child_of = _child_of(user, unit)
    units: dict[int, UnitTotal] = {}
    for total in window_totals:
        child = child_of(total.window)
        units.setdefault(child.pk, UnitTotal(child)).add(total)

    day_rows = []
    for day in days:
        row = per_day.get(day)
        day_row = DayRow(day, unit if window_id is not None else None, _figures(row),
                         ((row or {}).get("final_offline") or 0) + live_by_day[day], opened[day] * len(windows))
        if day_row.figures.invites or day_row.opening_minutes:
            day_rows.append(day_row)
    day_rows.reverse()  # newest first
    if window_id is not None and unit is not None:
        _officer_rows(unit, day_rows, date_from, date_to)

    grand = Figures()
    for total in window_totals:
        grand.add(total.figures)
    offline_invites = invites_visible_to(user).filter(day_range_q("created_at", date_from, date_to),
                                                      device_offline=True)
    if unit is not None:
        offline_invites = offline_invites.filter(unit_q(unit))
    return Usage(
        date_from=date_from,
        date_to=date_to,
        unit=unit,
        days=day_rows,
        windows=window_totals,
        total=grand,
        offline_minutes=sum(t.offline_minutes for t in window_totals),
        low_rate_windows=[t for t in window_totals if t.low_rate],
        offline_invites=list(offline_invites.select_related("case", "window", "officer")
                             .order_by("-created_at", "-id")[:OFFLINE_INVITES_SHOWN]),
        offline_windows=[t for t in window_totals if t.offline_alert],
        flags=_window_flags(windows, per_window),
        units=sorted(units.values(), key=lambda u: u.unit.code),
        opening_minutes=opening_total,
    )


def _officer_rows(window: Unit, day_rows: list[DayRow], date_from: datetime.date, date_to: datetime.date) -> None:
    """Each day's figures of each officer of one window, from its invitations of the period."""
    rows = list(Invite.objects.filter(day_range_q("created_at", date_from, date_to), window=window)
                .annotate(day=TruncDate("created_at")).values("day", "officer_id").order_by()
                .annotate(**_figures_annotations()))
    officers = {s.pk: s for s in Staff.objects.filter(pk__in={r["officer_id"] for r in rows})}
    by_day = {d.day: d for d in day_rows}
    for row in rows:
        day_row = by_day.get(row["day"])
        if day_row is not None:
            day_row.officers.append(OfficerDay(row["day"], window, officers[row["officer_id"]], _figures(row)))
    for day_row in day_rows:
        day_row.officers.sort(key=lambda o: o.officer.display_name)


def _window_flags(windows: dict[int, Unit], per_window: dict[int, dict]) -> list[WindowFlags]:
    """Alert (d): per window, the flagged device ratings stored in the period (by the day they were stored)."""
    flags = []
    for wid, row in per_window.items():
        if wid in windows and row.get("flagged"):
            by_kind = [(kind, str(label), row[FLAG_FIELDS[kind]]) for kind, label in FlagKind.choices
                       if row.get(FLAG_FIELDS[kind])]
            flags.append(WindowFlags(windows[wid], row["flagged"], by_kind))
    return sorted(flags, key=lambda f: f.window.code)


def county_rates(county_ids, date_from: datetime.date, date_to: datetime.date) -> dict[int, Figures]:
    """Each county's figures over the period, all its windows together (the yardstick for alert (a))."""
    rows = (WindowDay.objects.filter(county_id__in=list(county_ids), day__gte=date_from, day__lte=date_to)
            .values("county_id").order_by().annotate(**{name: Sum(name) for name in FIGURES}))
    return {row["county_id"]: _figures(row) for row in rows}


def window_offline_detail(window: Unit, *, date_from: datetime.date, date_to: datetime.date,
                          now: datetime.datetime | None = None) -> dict:
    """The records behind a window's offline minutes: the stretches, the devices and their offline rows."""
    now = now or clock.now()
    timeline = window_timelines([window.pk], local_midnight(date_from),
                                local_midnight(date_to + datetime.timedelta(days=1)), now)[window.pk]
    stretches = []
    for _day, opening in sorted(openings_of(days_between(date_from, date_to)).items()):
        for start, end in offline_stretches(opening, timeline.online, now):
            stretches.append({"start": start, "end": end, "minutes": minutes([(start, end)])})
    return {"stretches": stretches, "total": sum(s["minutes"] for s in stretches),
            "devices": timeline.devices, "offline_rows": timeline.offline_rows}
