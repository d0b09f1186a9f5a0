import datetime

from django import template

from workdays.rules import weekday_label

register = template.Library()


@register.filter
def weekday(day: datetime.date | None) -> str:
    """The Chinese weekday of a date: 星期一 ... 星期日."""
    return weekday_label(day) if day else ""
