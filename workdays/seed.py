"""Fill the calendar from the `chinese_calendar` package (2004-2026 in version 1.11.0).

Shared by migration 0002 (historical models) and the `calendar_seed` command (real models), so it
takes the model classes as arguments and uses plain strings for the day kinds.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

import chinese_calendar
from chinese_calendar import Holiday
from chinese_calendar.constants import holidays as _package_holidays

HOLIDAY = "holiday"
WORKDAY = "workday"

# The package names holidays in English; the calendar shows them in Chinese.
HOLIDAY_NAMES_ZH = {
    Holiday.new_years_day.value: "元旦",
    Holiday.spring_festival.value: "春节",
    Holiday.tomb_sweeping_day.value: "清明节",
    Holiday.labour_day.value: "劳动节",
    Holiday.dragon_boat_festival.value: "端午节",
    Holiday.mid_autumn_festival.value: "中秋节",
    Holiday.national_day.value: "国庆节",
    Holiday.anti_fascist_70th_day.value: "抗战胜利70周年纪念日",
}

Day = tuple[datetime.date, str]


def package_source() -> str:
    return f"国务院办公厅节假日安排通知（chinese-calendar {chinese_calendar.__version__} 导入）"


def package_years() -> range:
    """The years the installed package has an official schedule for."""
    years = [d.year for d in _package_holidays]
    return range(min(years), max(years) + 1)


def _name_of(day: datetime.date) -> str:
    english = chinese_calendar.get_holiday_detail(day)[1] or ""
    return HOLIDAY_NAMES_ZH.get(english, english)


def package_schedule(year: int) -> tuple[list[Day], list[Day]]:
    """Return (Mon-Fri holidays, weekend 调休 working days) of `year`, each with its festival's name."""
    holidays: list[Day] = []
    workdays: list[Day] = []
    day = datetime.date(year, 1, 1)
    while day.year == year:
        weekend = day.weekday() >= 5
        working = chinese_calendar.is_workday(day)
        if working and weekend:
            workdays.append((day, _name_of(day)))
        elif not working and not weekend:
            holidays.append((day, _name_of(day)))
        day += datetime.timedelta(days=1)
    return holidays, workdays


@dataclass
class SeedReport:
    seeded: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    days: int = 0


def calendar_years_seed(*, year_model, day_model, years: Iterable[int], replace: bool = False) -> SeedReport:
    """Store the package's schedule for `years`; a year already entered is kept unless `replace`.

    The caller provides the transaction. Raises NotImplementedError for a year the package lacks.
    """
    report = SeedReport()
    source = package_source()
    for year in years:
        if not replace and year_model.objects.filter(year=year).exists():
            report.skipped.append(year)
            continue
        holidays, workdays = package_schedule(year)
        day_model.objects.filter(date__year=year).delete()
        day_model.objects.bulk_create(
            [day_model(date=d, kind=HOLIDAY, name=name) for d, name in holidays]
            + [day_model(date=d, kind=WORKDAY, name=name) for d, name in workdays]
        )
        year_model.objects.update_or_create(year=year, defaults={"source": source, "entered_by": None})
        report.seeded.append(year)
        report.days += len(holidays) + len(workdays)
    return report
