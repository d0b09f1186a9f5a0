"""The one place our code asks the time, so the demo can run the real services at an earlier moment.

Services, models and views call `clock.now()` / `clock.today()` instead of `timezone.now()`. Normally
that is the real time; inside `clock.at(moment)` it is `moment`, for this thread (and its asyncio task)
only. The demo city is built this way, with no patching of the standard library at run time. Tests may
also use freezegun, which `timezone.now()` (and so `clock.now()`) follows.
"""

import contextlib
import contextvars
import datetime
from collections.abc import Iterator

from django.utils import timezone

_fixed: contextvars.ContextVar[datetime.datetime | None] = contextvars.ContextVar("clock_fixed", default=None)


def now() -> datetime.datetime:
    """The current moment (aware, UTC), or the moment `at()` fixed."""
    fixed = _fixed.get()
    return fixed if fixed is not None else timezone.now()


def localtime(value: datetime.datetime | None = None) -> datetime.datetime:
    """`value` (default: now) in the city's time zone."""
    return timezone.localtime(value if value is not None else now())


def today() -> datetime.date:
    """Today's date in the city's time zone."""
    return localtime().date()


def is_fixed() -> bool:
    return _fixed.get() is not None


@contextlib.contextmanager
def at(moment: datetime.datetime) -> Iterator[datetime.datetime]:
    """Run the block as if it were `moment` (aware); the clock does not tick inside."""
    if timezone.is_naive(moment):
        raise ValueError("clock.at() needs an aware datetime")
    token = _fixed.set(moment)
    try:
        yield moment
    finally:
        _fixed.reset(token)
