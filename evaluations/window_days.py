"""The usage page's daily figures (evaluations.WindowDay): one row per window and day, kept current in the
transaction of every write behind them (a new invitation's two figures by a trigger, evaluations/triggers.py; the
others by the functions below), and rebuilt from those rows by the daily job and by
`window_days_rebuild(start, end)` (after a bulk load, or after the opening hours or a past day of the calendar
changed).

What each figure counts (evaluations/stats.py defines them for the page, docs/bad_reviews.md for its users):
- by the local day of the invitation: invites, shown, active (device and QR ratings, an excluded one too),
  device_active, qr_active, defaults, excluded (active ratings a contest excluded), offline_invites, and the
  active ratings by level (active_level_5 ... active_level_1);
- by the local day the rating was stored: flagged (device ratings stored with traces of forging) and, per kind of
  trace, flags_<kind>;
- offline_minutes: the minutes of the day's opening hours without an online evaluator (evaluations/offline_time.py)
  as computed at offline_computed_at. Until the day is over that figure still moves (a device silent since its
  last heartbeat is offline "until now"), so it is final (offline_final) only when computed after the day ended;
  the page works out the days that are not final again.

Counts are added by one upsert each (`INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n`), which parallel
writers may run in any order without losing one. Offline minutes are recomputed under the rows' locks, so a
second silence recorded at the same moment waits and then counts both. A rebuild locks the table against all of
these writers for the seconds it takes (one chunk of days at a time), so none is lost or counted twice.
"""

import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from core import clock
from evaluations.models import Channel, Device, FlagKind, Invite, Level, RatingFlag, WindowDay
from evaluations.offline_time import days_between, offline_minutes_of, openings_of
from evaluations.selectors import ACTIVE_CHANNELS, day_range_q, local_midnight
from org.models import Unit

FLAG_FIELDS = {kind: f"flags_{kind}" for kind in FlagKind.values}
LEVEL_FIELDS = {level: f"active_level_{level}" for level in Level.values}
COUNTS = ("invites", "shown", "active", "device_active", "qr_active", "defaults", "excluded", "offline_invites",
          *LEVEL_FIELDS.values(), "flagged", *FLAG_FIELDS.values())
OFFLINE = ("offline_minutes", "offline_final", "offline_computed_at")
# A rebuild holds the table's lock for one chunk of days at a time.
REBUILD_CHUNK_DAYS = 31


def local_day(moment: datetime.datetime) -> datetime.date:
    return clock.localtime(moment).date()


def _final(day: datetime.date, now: datetime.datetime) -> bool:
    """Whether offline minutes of `day` computed at `now` can no longer change (the day is over)."""
    return now >= local_midnight(day + datetime.timedelta(days=1))


# --- kept by the services --------------------------------------------------------------------------------------


def _add(scoped, day: datetime.date, counts: dict[str, int]) -> None:
    """Add `counts` to the row of `scoped`'s window (an invitation, a rating) and `day`, making the row if need be."""
    counts = {name: int(n) for name, n in counts.items() if n}
    if not counts:
        return
    qn = connection.ops.quote_name
    table = qn(WindowDay._meta.db_table)
    columns = ["city_id", "county_id", "station_id", "window_id", "day", *COUNTS, "offline_minutes", "offline_final"]
    values = [scoped.city_id, scoped.county_id, scoped.station_id, scoped.window_id, day,
              *(counts.get(name, 0) for name in COUNTS), 0, False]
    added = ", ".join(f"{qn(name)} = {table}.{qn(name)} + excluded.{qn(name)}" for name in counts)
    sql = (f"INSERT INTO {table} ({', '.join(qn(c) for c in columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "
           f"ON CONFLICT ({qn('window_id')}, {qn('day')}) DO UPDATE SET {added}")
    with connection.cursor() as cursor:
        cursor.execute(sql, values)


def invite_shown_counted(invite: Invite) -> None:
    """The window's evaluator showed the invitation for the first time."""
    _add(invite, local_day(invite.created_at), {"shown": 1})


def rating_counted(rating, *, invite: Invite, flag_kinds=()) -> None:
    """A rating stored, with the traces of forging it was stored with (in the rating's transaction)."""
    active = rating.channel in ACTIVE_CHANNELS
    counts = {"active": active, "device_active": rating.channel == Channel.DEVICE,
              "qr_active": rating.channel == Channel.QR, "defaults": rating.is_default,
              **({LEVEL_FIELDS[rating.level]: 1} if active else {})}
    kinds = set(flag_kinds)
    flags = {"flagged": 1, **{FLAG_FIELDS[kind]: 1 for kind in kinds}} if kinds else {}
    day, stored = local_day(invite.created_at), local_day(rating.received_at)
    # The earlier day first (a rating is stored after its invitation): two writers never take two rows in
    # opposite orders.
    if flags and stored == day:
        _add(rating, day, {**counts, **flags})
    else:
        _add(rating, day, counts)
        _add(rating, stored, flags)


def rating_excluded_counted(rating, *, invited_at: datetime.datetime) -> None:
    """A contest excluded an active rating (it still counts as active: the evaluator was used)."""
    if rating.channel in ACTIVE_CHANNELS:
        _add(rating, local_day(invited_at), {"excluded": 1})


def offline_refresh(*, scoped, days, now: datetime.datetime | None = None) -> int:
    """Recompute the offline minutes of `scoped`'s window (a device) on `days`, e.g. after a silence of it was
    recorded; return how many rows it wrote. Takes the rows' locks first, so that a silence another device of the
    window records at the same moment is counted by whichever of the two commits last."""
    now = now or clock.now()
    openings = openings_of(sorted(set(days)))
    days = [day for day, opening in sorted(openings.items()) if opening]
    if not days:
        return 0
    window_id = scoped.window_id
    scope = {"city_id": scoped.city_id, "county_id": scoped.county_id, "station_id": scoped.station_id,
             "window_id": window_id}
    WindowDay.objects.bulk_create([WindowDay(**scope, day=day) for day in days], ignore_conflicts=True)
    rows = list(WindowDay.objects.select_for_update().filter(window_id=window_id, day__in=days).order_by("day"))
    figures = offline_minutes_of([window_id], days, now, openings)
    for row in rows:
        row.offline_minutes = figures.get((window_id, row.day), 0)
        row.offline_final = _final(row.day, now)
        row.offline_computed_at = now
    WindowDay.objects.bulk_update(rows, list(OFFLINE))
    return len(rows)


def silence_days(started_at: datetime.datetime, ended_at: datetime.datetime) -> list[datetime.date]:
    """The local days a silence touches."""
    return days_between(local_day(started_at), local_day(ended_at))


# --- rebuilt from the rows behind them ------------------------------------------------------------------------


def _lock_table() -> None:
    """Hold off every writer of the figures until this transaction ends (readers go on)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(WindowDay._meta.db_table)} "
                           "IN SHARE ROW EXCLUSIVE MODE")
    # SQLite: the transaction is IMMEDIATE (config/settings.py), so it holds the one write lock already.


def _invite_figures(start: datetime.date, end: datetime.date) -> list[dict]:
    active = Q(rating__channel__in=ACTIVE_CHANNELS)
    annotations = {
        "invites": Count("id"),
        "shown": Count("id", filter=Q(shown_at__isnull=False)),
        "active": Count("id", filter=active),
        "device_active": Count("id", filter=Q(rating__channel=Channel.DEVICE)),
        "qr_active": Count("id", filter=Q(rating__channel=Channel.QR)),
        "defaults": Count("id", filter=Q(rating__is_default=True)),
        "excluded": Count("id", filter=active & Q(rating__excluded=True)),
        "offline_invites": Count("id", filter=Q(device_offline=True)),
        **{field: Count("id", filter=active & Q(rating__level=level)) for level, field in LEVEL_FIELDS.items()},
    }
    return list(Invite.objects.filter(day_range_q("created_at", start, end))
                .annotate(day=TruncDate("created_at"))
                .values("day", "window_id", "city_id", "county_id", "station_id").order_by()
                .annotate(**annotations))


def _flag_figures(start: datetime.date, end: datetime.date) -> dict[tuple[int, datetime.date], dict[str, int]]:
    flags = (RatingFlag.objects.filter(day_range_q("rating__received_at", start, end))
             .annotate(day=TruncDate("rating__received_at")).order_by())
    figures: dict[tuple[int, datetime.date], dict[str, int]] = {}
    for row in flags.values("window_id", "day").annotate(n=Count("rating_id", distinct=True)):
        figures.setdefault((row["window_id"], row["day"]), {})["flagged"] = row["n"]
    for row in flags.values("window_id", "day", "kind").annotate(n=Count("rating_id", distinct=True)):
        if row["kind"] in FLAG_FIELDS:
            figures.setdefault((row["window_id"], row["day"]), {})[FLAG_FIELDS[row["kind"]]] = row["n"]
    return figures


def window_days_computed(start: datetime.date, end: datetime.date,
                         now: datetime.datetime | None = None) -> list[WindowDay]:
    """Every window's figures of the days from `start` to `end`, computed from the rows behind them (unsaved).

    A window gets a row for a day with an invitation or a flagged rating, and for every working day of the
    period if it had an evaluator in the period."""
    now = now or clock.now()
    rows: dict[tuple[int, datetime.date], WindowDay] = {}
    for figures in _invite_figures(start, end):
        key = (figures.pop("window_id"), figures.pop("day"))
        rows[key] = WindowDay(window_id=key[0], day=key[1], **figures)
    flagged = _flag_figures(start, end)
    begin, finish = local_midnight(start), local_midnight(end + datetime.timedelta(days=1))
    with_devices = set(Device.objects.filter(paired_at__lt=finish).exclude(revoked_at__lt=begin)
                       .values_list("window_id", flat=True))
    openings = openings_of(days_between(start, end))
    working = [day for day, opening in openings.items() if opening]
    for wid in with_devices:
        for day in working:
            rows.setdefault((wid, day), WindowDay(window_id=wid, day=day))
    for key, counts in flagged.items():
        row = rows.setdefault(key, WindowDay(window_id=key[0], day=key[1]))
        for name, n in counts.items():
            setattr(row, name, n)
    offline = offline_minutes_of({wid for wid, _day in rows}, working, now, openings)
    scopes = {unit["id"]: unit for unit in Unit.objects.filter(pk__in={wid for wid, _day in rows})
              .values("id", "city_id", "county_id", "station_id")}
    for (wid, day), row in rows.items():
        scope = scopes[wid]
        row.city_id, row.county_id, row.station_id = scope["city_id"], scope["county_id"], scope["station_id"]
        row.offline_minutes = offline.get((wid, day), 0)
        row.offline_final = _final(day, now)
        row.offline_computed_at = now
    return sorted(rows.values(), key=lambda r: (r.day, r.window_id))


def window_days_rebuild(start: datetime.date, end: datetime.date, *, now: datetime.datetime | None = None) -> int:
    """Recompute the figures of every window for the days from `start` to `end` (both included) from the rows
    behind them, and return how many rows were written. Idempotent, and safe while the counter works; a data
    generator calls it after loading rows in bulk."""
    written = 0
    chunk = start
    while chunk <= end:
        last = min(end, chunk + datetime.timedelta(days=REBUILD_CHUNK_DAYS - 1))
        with transaction.atomic():
            _lock_table()
            rows = window_days_computed(chunk, last, now)
            WindowDay.objects.filter(day__gte=chunk, day__lte=last).delete()
            WindowDay.objects.bulk_create(rows, batch_size=2000)
        written += len(rows)
        chunk = last + datetime.timedelta(days=1)
    return written


def window_days_daily(*, now: datetime.datetime | None = None) -> int:
    """The daily job's step: rebuild the days whose figures can still have moved (the last RATING_LINK_DAYS + 1,
    up to yesterday, which it makes final), or every day since the first invitation if there are no figures yet."""
    now = now or clock.now()
    yesterday = local_day(now) - datetime.timedelta(days=1)
    start = yesterday - datetime.timedelta(days=settings.RATING_LINK_DAYS)
    if not WindowDay.objects.exists():
        first = Invite.objects.order_by("created_at").values_list("created_at", flat=True).first()
        if first is None:
            return 0
        start = min(start, local_day(first))
    return window_days_rebuild(start, yesterday, now=now) if start <= yesterday else 0
