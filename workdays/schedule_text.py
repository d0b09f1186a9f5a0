"""Read the lines an administrator pastes from the State Council notice: `2027-01-01 元旦`.

A line holds one date, or a range `2027-02-06至2027-02-12 春节`, then an optional name. A range
keeps only the days that need storing (Mon-Fri in the holiday box, weekends in the 调休 box); a
single date that needs no storing is refused, because it is most likely in the wrong box.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from workdays.models import DayKind
from workdays.rules import NAME_MAX_LENGTH, day_kind_problem

MAX_LINES = 200
MAX_RANGE_DAYS = 31
MAX_ERRORS_SHOWN = 10


def _date_pattern(prefix: str) -> str:
    return (rf"(?P<{prefix}y>\d{{4}})\s*[-/.年]\s*(?P<{prefix}m>\d{{1,2}})\s*[-/.月]\s*"
            rf"(?P<{prefix}d>\d{{1,2}})\s*日?")


_LINE = re.compile(
    rf"^{_date_pattern('s')}(?:\s*(?:至|到|~|-|—|–)\s*{_date_pattern('e')})?"
    r"(?:[\s,、:;]*(?P<name>[^\d\s,、:;].*))?\s*$"
)
# Fullwidth digits and punctuation, as pasted from a Chinese document, read as their ASCII forms.
_HALFWIDTH = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)},
                            "～": "~", "－": "-", "／": "/", "．": ".", "，": ",", "：": ":", "；": ";", "\u3000": " "})


@dataclass(frozen=True)
class ScheduleLine:
    number: int
    text: str
    day: datetime.date
    name: str


@dataclass(frozen=True)
class _Entry:
    number: int
    text: str
    start: datetime.date
    end: datetime.date
    name: str

    @property
    def single(self) -> bool:
        return self.start == self.end

    def kept_days(self, kind: str) -> list[datetime.date]:
        span = (self.start + datetime.timedelta(days=i) for i in range((self.end - self.start).days + 1))
        return [d for d in span if self.single or day_kind_problem(day=d, kind=kind) is None]


@dataclass
class ScheduleErrors(Exception):
    """Messages per box ('holidays', 'workdays'), each naming its line."""

    errors: dict[str, list[str]] = field(default_factory=dict)


class _LineError(Exception):
    pass


def _date(match: re.Match, prefix: str) -> datetime.date:
    y, m, d = (int(match.group(prefix + part)) for part in "ymd")
    try:
        return datetime.date(y, m, d)
    except ValueError:
        raise _LineError(_("没有 %(y)s年%(m)s月%(d)s日 这一天。") % {"y": y, "m": m, "d": d}) from None


def _entry(number: int, shown: str, year: int | None) -> _Entry:
    match = _LINE.match(shown.translate(_HALFWIDTH))
    if match is None:
        raise _LineError(_("日期无法识别，请按“2027-01-01 元旦”或“2027-10-01至2027-10-07 国庆节”的格式填写。"))
    name = (match.group("name") or "").strip()
    if len(name) > NAME_MAX_LENGTH:
        raise _LineError(_("名称不能超过 %(max)s 个字。") % {"max": NAME_MAX_LENGTH})
    start = _date(match, "s")
    end = _date(match, "e") if match.group("ey") else start
    if end < start:
        raise _LineError(_("结束日期早于开始日期。"))
    if (end - start).days >= MAX_RANGE_DAYS:
        raise _LineError(_("日期范围超过 %(max)s 天，请检查。") % {"max": MAX_RANGE_DAYS})
    for day in (start, end):
        if year is not None and day.year != year:
            raise _LineError(_("%(date)s 不属于 %(year)s 年。") % {"date": day.isoformat(), "year": year})
    return _Entry(number=number, text=shown, start=start, end=end, name=name)


def _line_error(number: int, text: str, problem: object) -> str:
    return _("第 %(number)s 行“%(text)s”：%(problem)s") % {"number": number, "text": text, "problem": problem}


def _read_box(raw: str, year: int | None) -> tuple[list[_Entry], list[str]]:
    numbered = [(n, shown.strip()) for n, shown in enumerate((raw or "").splitlines(), start=1) if shown.strip()]
    if len(numbered) > MAX_LINES:
        return [], [_("最多填写 %(max)s 行。") % {"max": MAX_LINES}]
    entries, errors = [], []
    for number, shown in numbered:
        try:
            entries.append(_entry(number, shown, year))
        except _LineError as exc:
            errors.append(_line_error(number, shown, exc))
    return entries, errors


def _check_box(entries: list[_Entry], kind: str, elsewhere: dict[datetime.date, int],
               errors: list[str]) -> list[ScheduleLine]:
    """Expand the entries of one box; `elsewhere` maps dates of the other box to their lines."""
    lines: list[ScheduleLine] = []
    first_seen: dict[datetime.date, int] = {}
    for entry in entries:
        days = entry.kept_days(kind)
        try:
            for day in days:
                if day in first_seen:
                    raise _LineError(_("%(date)s 与第 %(other)s 行重复。") % {
                        "date": day.isoformat(), "other": first_seen[day]})
                if day in elsewhere and kind == DayKind.WORKDAY:
                    raise _LineError(_("%(date)s 已在“放假日期”第 %(other)s 行，同一天不能既放假又调休上班。") % {
                        "date": day.isoformat(), "other": elsewhere[day]})
            if entry.single and entry.start not in elsewhere:
                problem = day_kind_problem(day=entry.start, kind=kind)
                if problem:
                    raise _LineError(problem)
            if not days:
                raise _LineError(_("这段日期里没有需要填写的日子。"))
        except _LineError as exc:
            errors.append(_line_error(entry.number, entry.text, exc))
            continue
        for day in days:
            first_seen[day] = entry.number
            lines.append(ScheduleLine(number=entry.number, text=entry.text, day=day, name=entry.name))
    return lines


def _shortened(errors: list[str]) -> list[str]:
    extra = len(errors) - MAX_ERRORS_SHOWN
    return errors[:MAX_ERRORS_SHOWN] + ([_("另有 %(count)s 行有误。") % {"count": extra}] if extra > 0 else [])


def schedule_parse(*, holidays: str, workdays: str, year: int | None
                   ) -> tuple[list[ScheduleLine], list[ScheduleLine]]:
    """Parse both boxes together; raise ScheduleErrors naming every bad line (up to ten per box)."""
    holiday_entries, holiday_errors = _read_box(holidays, year)
    workday_entries, workday_errors = _read_box(workdays, year)
    holiday_dates = {d: e.number for e in holiday_entries for d in e.kept_days(DayKind.HOLIDAY)}
    workday_dates = {d: e.number for e in workday_entries for d in e.kept_days(DayKind.WORKDAY)}
    holiday_lines = _check_box(holiday_entries, DayKind.HOLIDAY, workday_dates, holiday_errors)
    workday_lines = _check_box(workday_entries, DayKind.WORKDAY, holiday_dates, workday_errors)
    errors = {box: _shortened(found) for box, found in (("holidays", holiday_errors), ("workdays", workday_errors))
              if found}
    if errors:
        raise ScheduleErrors(errors)
    return holiday_lines, workday_lines
