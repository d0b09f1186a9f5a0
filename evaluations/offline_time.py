"""Offline time: the minutes of a window's opening hours in which no evaluator of the window was online.

Offline means: not paired, revoked, silent (a DeviceOffline row), or silent since its last heartbeat until now,
within the opening hours of working days (settings.WINDOW_OPENING_HOURS, the official calendar). The usage page
(evaluations/stats.py) and the daily figures (evaluations/window_days.py) both count it here.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from evaluations.models import Device, DeviceOffline
from evaluations.selectors import local_midnight
from workdays.models import DayKind
from workdays.selectors import calendar_days_of
from workdays.services import workday_check, year_is_entered

Interval = tuple[datetime.datetime, datetime.datetime]


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


def days_between(date_from: datetime.date, date_to: datetime.date) -> list[datetime.date]:
    return [date_from + datetime.timedelta(days=n) for n in range((date_to - date_from).days + 1)]


def working_days(days) -> set[datetime.date]:
    """Which of `days` are working days, by the rule of workdays.services.workday_check, reading each year's
    calendar once (two queries a year) instead of once a day."""
    days = set(days)
    working = set()
    for year in sorted({day.year for day in days}):
        of_year = [day for day in days if day.year == year]
        kinds = {row.date: row.kind for row in calendar_days_of(year)} if year_is_entered(year) else {}
        for day in of_year:
            kind = kinds.get(day)
            if kind == DayKind.WORKDAY or (kind != DayKind.HOLIDAY and day.weekday() < 5):
                working.add(day)
    return working


def openings_of(days, spans=None) -> dict[datetime.date, list[Interval]]:
    """`opening_intervals` of each of `days`, the calendar read once a year."""
    tz = timezone.get_current_timezone()
    spans = opening_hours() if spans is None else spans
    working = working_days(days)
    return {day: ([(datetime.datetime.combine(day, s, tz), datetime.datetime.combine(day, e, tz)) for s, e in spans]
                  if day in working else []) for day in days}


def opened_minutes(opening: list[Interval], now: datetime.datetime) -> int:
    """The minutes of these opening hours that have begun by `now`."""
    return minutes([(s, min(e, now)) for s, e in opening if s < now])


def offline_minutes_of(window_ids, days: list[datetime.date], now: datetime.datetime,
                       openings: dict[datetime.date, list[Interval]] | None = None
                       ) -> dict[tuple[int, datetime.date], int]:
    """(window id, day) -> offline minutes, for each of `window_ids` on each of `days` (working days only: other
    days have no opening hours and so no offline time)."""
    return offline_minutes_for({wid: days for wid in window_ids}, now, openings)


def offline_minutes_for(wanted: dict[int, "list[datetime.date] | set[datetime.date]"], now: datetime.datetime,
                        openings: dict[datetime.date, list[Interval]] | None = None
                        ) -> dict[tuple[int, datetime.date], int]:
    """(window id, day) -> offline minutes for the days wanted of each window (working days only). Two queries
    (the devices and their silences over the whole span) and the calendar's, whatever the number of windows."""
    all_days = sorted({day for days in wanted.values() for day in days})
    missing = [day for day in all_days if openings is None or day not in openings]
    openings = {**(openings or {}), **(openings_of(missing) if missing else {})}
    working = [day for day in all_days if openings[day]]
    wanted = {wid: [day for day in days if openings[day]] for wid, days in wanted.items()}
    wanted = {wid: days for wid, days in wanted.items() if days}
    if not working or not wanted:
        return {}
    timelines = window_timelines(list(wanted), local_midnight(working[0]),
                                 local_midnight(working[-1] + datetime.timedelta(days=1)), now)
    result = {}
    for wid, days in wanted.items():
        online = timelines[wid].online
        for day in days:
            opening = openings[day]
            result[(wid, day)] = (minutes(offline_stretches(opening, online, now)) if online
                                  else opened_minutes(opening, now))
    return result
