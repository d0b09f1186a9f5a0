"""Catalog fixtures: 鼓楼 has a published demo guide (version 1, in force since 2026-01-01)."""

import datetime

import pytest
from freezegun import freeze_time

from demo.catalog import guide_seed

# Every catalog test runs on this day (Asia/Shanghai), so "today" and "effective dates" are fixed.
TODAY = datetime.date(2026, 12, 1)
V1_DATE = datetime.date(2026, 1, 1)


@pytest.fixture(autouse=True)
def frozen_today():
    with freeze_time("2026-12-01 02:00:00"):  # 10:00 in Beijing
        yield TODAY


@pytest.fixture
def v1(city, people):
    """Version 1 of 鼓楼's guide, published with the demo items."""
    return guide_seed(county=city.gulou, actor=people.county, effective_date=V1_DATE)


@pytest.fixture
def guide(v1):
    return v1.guide
