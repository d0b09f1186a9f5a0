"""The demo's time: every seeder runs the real services at a moment in the past, never after the start."""

import contextlib
import datetime
import random
from collections.abc import Iterator

from django.utils import timezone

from core import clock


class DemoClock:
    """Moments for the demo's records, none after `start` (the moment the demo is built)."""

    def __init__(self, start: datetime.datetime | None = None):
        self.start = start or clock.now()
        self.today = timezone.localtime(self.start).date()

    @staticmethod
    def localtime_date(moment: datetime.datetime) -> datetime.date:
        return timezone.localtime(moment).date()

    def is_past(self, moment: datetime.datetime) -> bool:
        return moment <= self.start

    @contextlib.contextmanager
    def at(self, moment: datetime.datetime) -> Iterator[datetime.datetime]:
        """Run the block at `moment`; a moment after the start is a bug in the seeder."""
        if moment > self.start:
            raise ValueError(f"demo moment {moment} is after the demo's start {self.start}")
        with clock.at(moment) as fixed:
            yield fixed

    def office_hour(self, day: datetime.date, rng: random.Random) -> datetime.datetime:
        """A moment within the windows' opening hours of `day` (more in the morning and mid-afternoon)."""
        hour = rng.choice([8, 9, 9, 10, 10, 11, 14, 15, 15, 16, 17])
        minute = (rng.randrange(0, 60) if hour not in (8, 17)
                  else rng.randrange(30, 60) if hour == 8 else rng.randrange(0, 30))
        return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, minute))
