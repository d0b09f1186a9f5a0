"""Which dates may be stored as what: the calendar keeps only the days that differ from Mon-Fri."""

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.bounds import FIRST_YEAR, LAST_YEAR  # the years the calendar accepts at all
from workdays.models import DayKind

NAME_MAX_LENGTH = 50

WEEKDAY_LABELS = (
    gettext_lazy("星期一"),
    gettext_lazy("星期二"),
    gettext_lazy("星期三"),
    gettext_lazy("星期四"),
    gettext_lazy("星期五"),
    gettext_lazy("星期六"),
    gettext_lazy("星期日"),
)


def weekday_label(day: datetime.date) -> str:
    return str(WEEKDAY_LABELS[day.weekday()])


def is_weekend(day: datetime.date) -> bool:
    return day.weekday() >= 5


def day_kind_problem(*, day: datetime.date, kind: str) -> str | None:
    """Explain why `day` cannot be stored as `kind`, or return None when it can."""
    if kind == DayKind.HOLIDAY and is_weekend(day):
        return _("%(date)s 是%(weekday)s，本来就休息，不用列入放假日期；如果这天调休上班，请填在“调休上班日期”里。") % {
            "date": day.isoformat(), "weekday": weekday_label(day)}
    if kind == DayKind.WORKDAY and not is_weekend(day):
        return _("%(date)s 是%(weekday)s，本来就上班，不用列入调休上班日期；如果这天放假，请填在“放假日期”里。") % {
            "date": day.isoformat(), "weekday": weekday_label(day)}
    if kind not in DayKind.values:
        return _("类别“%(kind)s”无效。") % {"kind": kind}
    return None


def year_problem(year: int) -> str | None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return _("年份应在 %(first)s 到 %(last)s 之间。") % {"first": FIRST_YEAR, "last": LAST_YEAR}
    return None
