"""The demo's evaluators look like real ones (issue 7, item 6): paired before the demo period, online in opening
hours, and the screens they showed are the ones applicants rated on them."""

import datetime

import pytest

from core import clock
from demo.city import demo_city_build
from demo.evaluations import OUTAGE_MINUTES, WINDOW_WITH_OUTAGE, WINDOW_WITHOUT_DEVICE
from evaluations.models import Channel, Device, DeviceOffline, Invite, Rating, RatingFlag
from evaluations.selectors import local_midnight
from evaluations.stats import usage_report
from org.models import Staff

DAYS = 10


@pytest.fixture
def demo(db):
    demo_city_build(days=DAYS, per_day=4)
    return Staff.objects.get(username="cityadmin")


def test_the_evaluators_were_paired_before_the_demo_period(demo):
    first_case_day = local_midnight(clock.today() - datetime.timedelta(days=DAYS))
    assert Device.objects.count() == 9
    assert all(device.paired_at < first_case_day for device in Device.objects.all())
    # Paired once, and silent only outside the opening hours (nights, lunch) and in one short outage.
    assert DeviceOffline.objects.exists()


def test_the_usage_page_shows_them_online_in_opening_hours(demo):
    today = clock.today()
    report = usage_report(demo, date_from=today - datetime.timedelta(days=DAYS),
                          date_to=today - datetime.timedelta(days=1))
    offline = {t.window.code: t.offline_minutes for t in report.windows}
    opening = {t.window.code: t.opening_minutes for t in report.windows}
    assert offline.pop(WINDOW_WITHOUT_DEVICE) == opening[WINDOW_WITHOUT_DEVICE] > 0
    assert offline.pop(WINDOW_WITH_OUTAGE) <= OUTAGE_MINUTES
    assert set(offline.values()) == {0}


def test_what_was_rated_on_a_device_was_shown_on_it(demo):
    device_rated = Invite.objects.filter(rating__channel=Channel.DEVICE)
    assert device_rated.exists()
    assert not device_rated.filter(shown_at__isnull=True).exists()
    shown = Invite.objects.filter(shown_at__isnull=False).count()
    assert shown >= device_rated.count()
    assert Rating.objects.filter(channel=Channel.DEVICE).count() > 0
    assert not RatingFlag.objects.exists()  # nothing about them looks forged
