"""The clock seam: the services ask core.clock the time, so the demo can run them in the past without patching."""

import datetime
import threading

from django.utils import timezone

from core import clock
from core.audit import audit_record

MOMENT = timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 30))


def test_inside_at_the_time_is_fixed_and_records_are_dated_then(db):
    with clock.at(MOMENT):
        assert clock.now() == MOMENT
        assert clock.today() == datetime.date(2026, 3, 2)
        assert clock.is_fixed()
        event = audit_record(actor=None, action="test.event", object_type="t", object_id="1")
    assert event.at == MOMENT
    assert not clock.is_fixed() and abs(clock.now() - timezone.now()) < datetime.timedelta(seconds=5)


def test_at_nests_and_belongs_to_its_own_thread():
    seen = []
    with clock.at(MOMENT):
        with clock.at(MOMENT + datetime.timedelta(days=1)):
            assert clock.today() == datetime.date(2026, 3, 3)
        assert clock.now() == MOMENT
        other = threading.Thread(target=lambda: seen.append(clock.is_fixed()))
        other.start()
        other.join()
    assert seen == [False]


def test_a_naive_moment_is_refused():
    import pytest

    with pytest.raises(ValueError):
        with clock.at(datetime.datetime(2026, 3, 2, 9, 30)):
            pass
