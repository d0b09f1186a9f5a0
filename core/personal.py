"""Citizen ID numbers (GB 11643-1999) and phones: checking and masking."""

import datetime
import re

from django.utils.translation import gettext as _

from core import clock

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_PHONE_RE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
# Nobody at a window was born before this year; an earlier date is a typing error.
FIRST_BIRTH_YEAR = 1900


def id_check_digit(first17: str) -> str:
    """Return the GB 11643 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def normalize_id_number(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def id_number_problem(value: str) -> str | None:
    """Return what is wrong with a citizen ID number in Chinese, or None when it is valid."""
    value = normalize_id_number(value)
    if len(value) != 18:
        return _("公民身份号码应为18位，现为%(n)s位，请核对。") % {"n": len(value)}
    if not _ID_RE.match(value):
        return _("公民身份号码前17位应为数字，最后一位为数字或X，请核对。")
    try:
        born = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return _("公民身份号码中的出生日期（第7-14位）不是有效日期，请核对。")
    if born > clock.today():
        return _("公民身份号码中的出生日期（%(date)s）晚于今天，请核对。") % {"date": born.isoformat()}
    if born.year < FIRST_BIRTH_YEAR:
        return _("公民身份号码中的出生日期（%(date)s）早于%(year)s年，请核对。") % {
            "date": born.isoformat(), "year": FIRST_BIRTH_YEAR}
    if id_check_digit(value[:17]) != value[17]:
        return _("公民身份号码校验位不正确（GB 11643），请逐位核对。")
    return None


def normalize_phone(value: str) -> str:
    return (value or "").strip().replace(" ", "")


def phone_problem(value: str) -> str | None:
    value = normalize_phone(value)
    if not _PHONE_RE.match(value):
        return _("联系电话应为11位手机号码或带区号的固定电话，请核对。")
    return None


def mask_id_number(value: str) -> str:
    """Show the region (first 4) and last 4 characters only."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    if not value:
        return ""
    if len(value) <= 7:
        return value[:2] + "*" * (len(value) - 2)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def birth_date_from_id(value: str) -> datetime.date | None:
    try:
        return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except (ValueError, IndexError):
        return None
