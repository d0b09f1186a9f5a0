"""Reads of the calendar. It is the same for every unit, so nothing here is scoped by unit."""

import datetime
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import ExtractYear

from workdays.models import CalendarDay, CalendarYear, DayKind


@dataclass(frozen=True)
class YearRow:
    year: CalendarYear
    holidays: int
    workdays: int


def calendar_years() -> list[YearRow]:
    """Every entered year, newest first, with how many holidays and 调休 working days it stores."""
    counts: dict[tuple[int, str], int] = {
        (row["y"], row["kind"]): row["n"]
        for row in CalendarDay.objects.annotate(y=ExtractYear("date")).values("y", "kind").annotate(n=Count("id"))
    }
    return [
        YearRow(year=y, holidays=counts.get((y.year, DayKind.HOLIDAY), 0),
                workdays=counts.get((y.year, DayKind.WORKDAY), 0))
        for y in CalendarYear.objects.select_related("entered_by").order_by("-year")
    ]


def calendar_year_get(year: int) -> CalendarYear | None:
    return CalendarYear.objects.select_related("entered_by").filter(year=year).first()


def calendar_days_of(year: int) -> list[CalendarDay]:
    return list(CalendarDay.objects.filter(date__year=year).order_by("date"))


def years_missing(today: datetime.date) -> list[int]:
    """The years an administrator must enter now: this year, and from November next year too."""
    wanted = [today.year] + ([today.year + 1] if today.month >= 11 else [])
    entered = set(CalendarYear.objects.filter(year__in=wanted).values_list("year", flat=True))
    return [y for y in wanted if y not in entered]
