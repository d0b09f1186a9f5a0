import datetime

import pytest

from workdays.services import calendar_seed

D = datetime.date


@pytest.fixture
def calendar(db):
    """The official 2025 and 2026 schedules (migration 0002 loads them; re-seeding keeps them); 2027 not entered."""
    calendar_seed(years=[2025, 2026])
