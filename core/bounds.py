"""The widest values any page, form or API call accepts: one range of dates, and what an integer column holds.

No record of ours is dated before 2000 or after 2100; a date outside is a typo, and left alone it overflows
the date arithmetic (9999-12-31 + 1 day) or the database. Positions and counts stop where the column does.
"""

import datetime

from django import forms
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy

FIRST_YEAR, LAST_YEAR = 2000, 2100
FIRST_DATE = datetime.date(FIRST_YEAR, 1, 1)
LAST_DATE = datetime.date(LAST_YEAR, 12, 31)
# Django's PositiveIntegerField is an `integer` column on PostgreSQL; ids are BigAutoField (`bigint`).
MAX_POSITIVE_INT = 2147483647
MAX_ID = 2**63 - 1
# UTC offsets in use anywhere (UTC-12:00 to UTC+14:00); PostgreSQL refuses some others outright.
MIN_UTC_OFFSET = datetime.timedelta(hours=-12)
MAX_UTC_OFFSET = datetime.timedelta(hours=14)

OUT_OF_RANGE = gettext_lazy("%(label)s应在%(first)s到%(last)s之间，请重新填写。")


def _percent(message, params: dict) -> str:
    return str(message) % params


# A lazy message with its numbers filled in when shown, in the language of that request (the range messages).
percent_lazy = lazy(_percent, str)


def date_in_range(day: datetime.date) -> bool:
    return FIRST_DATE <= day <= LAST_DATE


def offset_in_range(moment: datetime.datetime) -> bool:
    """Whether an aware `moment` carries a real UTC offset (a naive one has none to check)."""
    offset = moment.utcoffset()
    return offset is None or MIN_UTC_OFFSET <= offset <= MAX_UTC_OFFSET


def _range_error(field: forms.Field) -> forms.ValidationError:
    return forms.ValidationError(
        field.error_messages["out_of_range"], code="out_of_range",
        params={"label": field.label or gettext_lazy("日期"), "first": FIRST_DATE.isoformat(),
                "last": LAST_DATE.isoformat()},
    )


class BoundedDateField(forms.DateField):
    """A date from FIRST_DATE to LAST_DATE; the message names the field and the range."""

    default_error_messages = {"out_of_range": OUT_OF_RANGE}

    def validate(self, value):
        super().validate(value)
        if value and not date_in_range(value):
            raise _range_error(self)


class BoundedDateTimeField(forms.DateTimeField):
    """A moment whose date lies from FIRST_DATE to LAST_DATE, in local time whatever offset it was typed with."""

    default_error_messages = {"out_of_range": OUT_OF_RANGE}

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is not None and not date_in_range(moment.date()):
            raise _range_error(self)
        # An offset typed into the text ("-17:00") would reach the database, which refuses some.
        return timezone.localtime(moment) if moment is not None and timezone.is_aware(moment) else moment
