"""Working-day arithmetic on the official PRC calendar (R6, R12-R14), and the writes that keep it."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import CharField, DateField, Value
from django.utils.translation import gettext as _

from core import clock
from core.audit import audit_record
from core.errors import ConflictError, DomainError
from workdays import seed
from workdays.models import CalendarDay, CalendarYear, DayKind
from workdays.rules import NAME_MAX_LENGTH, day_kind_problem, year_problem

# Arithmetic never walks further than this; a bigger step is a bug in the caller.
MAX_WORKING_DAYS = 400
# No official schedule has a year without working days; walking back further means broken data.
MAX_DAYS_BACK = 366
SOURCE_MAX_LENGTH = 200


@dataclass(frozen=True)
class Deadline:
    """A date and whether it rests on a year whose schedule is not entered yet (weekends only)."""

    date: datetime.date
    provisional: bool


_ENTERED = "__entered__"


class _Calendar:
    """The calendar rows of the years one computation touches, each year read once."""

    def __init__(self) -> None:
        self._years: dict[int, dict[datetime.date, str] | None] = {}
        self.provisional = False

    def _days_of(self, year: int) -> dict[datetime.date, str] | None:
        if year not in self._years:
            # One query: the year's stored days, and a marker row if the year is entered at all.
            marker = CalendarYear.objects.filter(year=year).order_by().values_list(
                Value(None, output_field=DateField()), Value(_ENTERED, output_field=CharField()))
            rows = list(CalendarDay.objects.filter(date__year=year).order_by().values_list("date", "kind").union(
                marker, all=True))
            entered = any(kind == _ENTERED for _, kind in rows)
            self._years[year] = {day: kind for day, kind in rows if kind != _ENTERED} if entered else None
        return self._years[year]

    def is_workday(self, day: datetime.date) -> bool:
        days = self._days_of(day.year)
        if days is None:
            # Not entered yet: count Monday-Friday only and say the result may move.
            self.provisional = True
            return day.weekday() < 5
        kind = days.get(day)
        if kind == DayKind.HOLIDAY:
            return False
        if kind == DayKind.WORKDAY:
            return True
        return day.weekday() < 5


def _as_date(day: datetime.date) -> datetime.date:
    # A datetime would never match the stored dates; accept it rather than silently miscount.
    return day.date() if isinstance(day, datetime.datetime) else day


def workday_check(day: datetime.date) -> tuple[bool, bool]:
    """Return (is a working day, provisional)."""
    cal = _Calendar()
    return cal.is_workday(_as_date(day)), cal.provisional


def add_workdays(start: datetime.date, n: int) -> Deadline:
    """The date N working days after `start`; the start day itself does not count."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0 or n > MAX_WORKING_DAYS:
        raise DomainError(
            _("工作日天数应在0到%(max)s之间。") % {"max": MAX_WORKING_DAYS}, code="bad_workdays", field="n"
        )
    cal = _Calendar()
    day = _as_date(start)
    counted = 0
    while counted < n:
        day += datetime.timedelta(days=1)
        if cal.is_workday(day):
            counted += 1
    return Deadline(day, cal.provisional)


def workday_on_or_before(day: datetime.date) -> Deadline:
    """The working day on or before `day` (遇节假日提前: a report deadline moves earlier)."""
    cal = _Calendar()
    due = _as_date(day)
    for back in range(MAX_DAYS_BACK):
        candidate = due - datetime.timedelta(days=back)
        if cal.is_workday(candidate):
            return Deadline(candidate, cal.provisional)
    raise DomainError(_("%(date)s 之前一年内没有工作日，请检查工作日历。") % {"date": due}, code="no_workday")


@dataclass(frozen=True)
class Recomputed:
    """How many provisional deadlines each app recomputed, e.g. [("办件承诺办结日期", 3), ("差评整改期限", 1)]."""

    counts: list[tuple[str, int]]

    @property
    def total(self) -> int:
        return sum(n for _label, n in self.counts)

    def describe(self) -> str:
        return "、".join(f"{label} {n} 个" for label, n in self.counts if n)


def provisional_deadlines_refresh(*, actor=None) -> Recomputed:
    """Ask every app to recompute the deadlines it computed before their year was entered (R6)."""
    from workdays import hooks

    return Recomputed([(str(label), n) for label, n in hooks.deadlines_refresh.publish(actor=actor)])


def year_is_entered(year: int) -> bool:
    return CalendarYear.objects.filter(year=year).exists()


def _schedule_problem(*, year: int, holidays: list[tuple[datetime.date, str]],
                      workdays: list[tuple[datetime.date, str]], source: str) -> DomainError | None:
    problem = year_problem(year)
    if problem:
        return DomainError(problem, code="bad_year", field="year")
    if not holidays:
        return DomainError(_("请至少填写一个放假日期。"), code="empty", field="holidays")
    if len(source) > SOURCE_MAX_LENGTH:
        return DomainError(_("依据不能超过 %(max)s 个字。") % {"max": SOURCE_MAX_LENGTH}, code="too_long",
                           field="source")
    seen: dict[datetime.date, str] = {}
    for kind, field, days in ((DayKind.HOLIDAY, "holidays", holidays), (DayKind.WORKDAY, "workdays", workdays)):
        for day, name in days:
            if day.year != year:
                return DomainError(_("日期 %(date)s 不属于 %(year)s 年。") % {"date": day, "year": year},
                                   code="wrong_year", field=field)
            if day in seen:
                code = "duplicate" if seen[day] == kind else "overlap"
                message = (_("日期 %(date)s 重复填写了。") if code == "duplicate"
                           else _("同一天不能既放假又调休上班：%(date)s。"))
                return DomainError(message % {"date": day}, code=code, field=field)
            seen[day] = kind
            problem = day_kind_problem(day=day, kind=kind)
            if problem:
                return DomainError(problem, code="wrong_weekday", field=field)
            if len(name) > NAME_MAX_LENGTH:
                return DomainError(_("%(date)s 的名称不能超过 %(max)s 个字。") % {"date": day, "max": NAME_MAX_LENGTH},
                                   code="too_long", field=field)
    return None


def _listing(days: Iterable[tuple[datetime.date, str]]) -> list[str]:
    return [f"{d.isoformat()} {name}".strip() for d, name in sorted(days)]


def calendar_year_enter(*, year: int, holidays: list[tuple[datetime.date, str]],
                        workdays: list[tuple[datetime.date, str]], source: str, actor) -> CalendarYear:
    """Enter (or replace) one year's official schedule: its Mon-Fri holidays and weekend 调休 working days."""
    holidays = [(_as_date(d), (name or "").strip()) for d, name in holidays]
    workdays = [(_as_date(d), (name or "").strip()) for d, name in workdays]
    source = (source or "").strip()
    error = _schedule_problem(year=year, holidays=holidays, workdays=workdays, source=source)
    if error:
        raise error
    try:
        with transaction.atomic():
            previous = CalendarYear.objects.select_for_update().filter(year=year).first()
            before = {"source": previous.source,
                      "days": _listing(CalendarDay.objects.filter(date__year=year).values_list("date", "name"))
                      } if previous else None
            CalendarDay.objects.filter(date__year=year).delete()
            CalendarDay.objects.bulk_create(
                [CalendarDay(date=d, kind=DayKind.HOLIDAY, name=name) for d, name in holidays]
                + [CalendarDay(date=d, kind=DayKind.WORKDAY, name=name) for d, name in workdays]
            )
            cal_year, _created = CalendarYear.objects.update_or_create(
                year=year,
                defaults={"source": source, "entered_by": actor if getattr(actor, "pk", None) else None,
                          "entered_at": clock.now()},
            )
            audit_record(actor=actor, action="workdays.year_entered", obj=cal_year,
                         data={"year": year, "source": source, "holidays": _listing(holidays),
                               "workdays": _listing(workdays), "replaced": before})
    except IntegrityError as exc:
        raise ConflictError(_("另一位管理员刚刚修改了 %(year)s 年的日历，请刷新页面后重试。") % {"year": year}) from exc
    return cal_year


def _locked_year(year: int) -> CalendarYear:
    cal_year = CalendarYear.objects.select_for_update().filter(year=year).first()
    if cal_year is None:
        raise DomainError(_("%(year)s 年的节假日安排尚未录入，请先录入该年度。") % {"year": year},
                          code="year_not_entered")
    return cal_year


def calendar_day_add(*, year: int, day: datetime.date, kind: str, name: str, actor) -> CalendarDay:
    """Add one holiday or 调休 working day to an entered year (a correction after the notice)."""
    day = _as_date(day)
    name = (name or "").strip()
    if day.year != year:
        raise DomainError(_("日期 %(date)s 不属于 %(year)s 年。") % {"date": day, "year": year},
                          code="wrong_year", field="date")
    problem = day_kind_problem(day=day, kind=kind)
    if problem:
        raise DomainError(problem, code="wrong_weekday", field="date")
    if len(name) > NAME_MAX_LENGTH:
        raise DomainError(_("名称不能超过 %(max)s 个字。") % {"max": NAME_MAX_LENGTH}, code="too_long", field="name")
    try:
        with transaction.atomic():
            _locked_year(year)
            existing = CalendarDay.objects.filter(date=day).first()
            if existing is not None:
                raise DomainError(
                    _("%(date)s 已有记录（%(kind)s %(name)s），如需修改请先删除原记录。")
                    % {"date": day, "kind": existing.get_kind_display(), "name": existing.name},
                    code="duplicate", field="date",
                )
            cal_day = CalendarDay.objects.create(date=day, kind=kind, name=name)
            audit_record(actor=actor, action="workdays.day_added", obj=cal_day,
                         data={"date": day.isoformat(), "kind": kind, "name": name})
    except IntegrityError as exc:
        raise ConflictError(_("%(date)s 刚被其他人添加，请刷新页面后查看。") % {"date": day}) from exc
    return cal_day


def calendar_day_remove(*, year: int, day: datetime.date, actor) -> None:
    """Remove one stored day of an entered year; the date becomes an ordinary day of its week."""
    with transaction.atomic():
        _locked_year(year)
        cal_day = CalendarDay.objects.filter(date=day, date__year=year).first()
        if cal_day is None:
            raise DomainError(_("%(date)s 没有记录，可能已被删除。") % {"date": day}, code="not_found")
        audit_record(actor=actor, action="workdays.day_removed", obj=cal_day,
                     data={"date": day.isoformat(), "kind": cal_day.kind, "name": cal_day.name})
        cal_day.delete()


def calendar_seed(*, years: Iterable[int] | None = None, replace: bool = False, actor=None) -> seed.SeedReport:
    """Import the chinese_calendar package's schedule; years already entered stay unless `replace`."""
    available = seed.package_years()
    years = list(available if years is None else years)
    missing = [y for y in years if y not in available]
    if missing:
        raise DomainError(
            _("chinese-calendar 只有 %(first)s 到 %(last)s 年的数据，无法导入：%(years)s。")
            % {"first": available.start, "last": available.stop - 1, "years": ", ".join(map(str, missing))},
            code="not_in_package",
        )
    with transaction.atomic():
        report = seed.calendar_years_seed(year_model=CalendarYear, day_model=CalendarDay, years=years,
                                          replace=replace)
        if report.seeded:
            audit_record(actor=actor, action="workdays.calendar_seeded", object_type="workdays.calendaryear",
                         data={"seeded": report.seeded, "source": seed.package_source(), "replace": replace})
    return report
