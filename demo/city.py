"""The demo city: units, staff of every role, guides, about 200 cases of the last 30 days, evaluators and ratings.

One seeder per app (demo/org.py, catalog.py, counter.py, evaluations.py), each built only through that app's
public services, at moments in the past (demo/clock.py): nothing is dated after the moment the demo is built.
"""

import datetime
import random

from django.db import transaction

from demo.catalog import guide_seed
from demo.clock import DemoClock
from demo.counter import cases_seed
from demo.evaluations import devices_seed, ratings_seed
from demo.org import DEMO_PASSWORD, NAMED_ACCOUNTS, staff_seed, units_seed

__all__ = ["DEMO_PASSWORD", "NAMED_ACCOUNTS", "demo_city_build"]


def demo_city_build(*, seed: int = 2026, days: int = 30, per_day: int = 8) -> dict[str, int]:
    """Build the whole demo city; return counts for the command to print."""
    rng = random.Random(seed)
    clock = DemoClock()
    with transaction.atomic():
        demo = units_seed()
        staff_seed(demo, rng)
        # Each county's administrator published its guide well before the first demo case (the overdue
        # ones are six weeks old).
        effective = clock.today - datetime.timedelta(days=max(days, 6 * 7) + 30)
        for county in demo.counties():
            guide_seed(county=county, actor=demo.county_admins[county.pk], effective_date=effective)
        devices = devices_seed(demo, clock, days=days)
        cases = cases_seed(demo, rng, clock, days=days, per_day=per_day)
        ratings = ratings_seed(demo, rng, clock)
    return {"units": len(demo.units), "staff": demo.staff, "cases": cases, "devices": devices, "ratings": ratings}
