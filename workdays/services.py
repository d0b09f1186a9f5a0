"""Working-day arithmetic on the official PRC calendar (R6, R12-R14)."""

import datetime
from dataclasses import dataclass

from django.db import transaction

from core.audit import audit_record
from core.errors import DomainError
from workdays.models import CalendarDay, CalendarYear, DayKind

# Arithmetic never walks further than this; a bigger step is a bug in the caller.
MAX_WORKING_DAYS = 400


@dataclass(frozen=True)
class Deadline:
    """A date and whether it rests on a year whose schedule is not entered yet (weekends only)."""

    date: datetime.date
    provisional: bool


class _Calendar:
    """The calendar rows for a span of years, read once per computation."""

    def __init__(self, years: range):
        self.entered = set(CalendarYear.objects.filter(year__in=list(years)).values_list("year", flat=True))
        self.days = dict(
            CalendarDay.objects.filter(date__year__in=list(years)).values_list("date", "kind")
        )
        self.provisional = False

    def is_workday(self, day: datetime.date) -> bool:
        if day.year not in self.entered:
            self.provisional = True
            return day.weekday() < 5
        kind = self.days.get(day)
        if kind == DayKind.HOLIDAY:
            return False
        if kind == DayKind.WORKDAY:
            return True
        return day.weekday() < 5


def workday_check(day: datetime.date) -> tuple[bool, bool]:
    """Return (is a working day, provisional)."""
    cal = _Calendar(range(day.year, day.year + 1))
    return cal.is_workday(day), cal.provisional


def add_workdays(start: datetime.date, n: int) -> Deadline:
    """The date N working days after `start`; the start day itself does not count."""
    if n < 0 or n > MAX_WORKING_DAYS:
        raise DomainError(f"工作日天数应在0到{MAX_WORKING_DAYS}之间。", code="bad_workdays")
    cal = _Calendar(range(start.year, start.year + 3))
    day = start
    counted = 0
    while counted < n:
        day += datetime.timedelta(days=1)
        if cal.is_workday(day):
            counted += 1
    return Deadline(day, cal.provisional)


def workday_on_or_before(day: datetime.date) -> Deadline:
    """The working day on or before `day` (遇节假日提前: a report deadline moves earlier)."""
    cal = _Calendar(range(day.year - 1, day.year + 1))
    while not cal.is_workday(day):
        day -= datetime.timedelta(days=1)
    return Deadline(day, cal.provisional)


def year_is_entered(year: int) -> bool:
    return CalendarYear.objects.filter(year=year).exists()


def calendar_year_enter(*, year: int, holidays: list[tuple[datetime.date, str]],
                        workdays: list[tuple[datetime.date, str]], source: str, actor) -> CalendarYear:
    """Enter (or replace) one year's official schedule."""
    for day, _name in holidays + workdays:
        if day.year != year:
            raise DomainError(f"日期 {day} 不属于 {year} 年。", code="wrong_year")
    overlap = {d for d, _ in holidays} & {d for d, _ in workdays}
    if overlap:
        raise DomainError(f"同一天不能既放假又调休上班：{sorted(overlap)[0]}。", code="overlap")
    with transaction.atomic():
        CalendarDay.objects.filter(date__year=year).delete()
        CalendarDay.objects.bulk_create(
            [CalendarDay(date=d, kind=DayKind.HOLIDAY, name=name) for d, name in holidays]
            + [CalendarDay(date=d, kind=DayKind.WORKDAY, name=name) for d, name in workdays]
        )
        cal_year, _created = CalendarYear.objects.update_or_create(
            year=year, defaults={"source": source, "entered_by": actor if getattr(actor, "pk", None) else None}
        )
        audit_record(actor=actor, action="workdays.year_entered", obj=cal_year,
                     data={"holidays": len(holidays), "workdays": len(workdays), "source": source})
    return cal_year
