"""Was the evaluator used? (item 7): figures per officer, window and day, offline time, and the two alerts."""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse
from freezegun import freeze_time

from counter import services as counter_services
from evaluations import services
from evaluations.models import Device, DeviceOffline, Invite, Level
from evaluations.stats import RATE_GAP_POINTS, RATE_MIN_INVITES, Figures, WindowTotal, opening_intervals, usage_report
from tests.factories import StaffFactory

DAY = datetime.date(2026, 11, 2)  # a Monday
REPORT_AT = "2026-11-10 10:00:00+08:00"
TZ = datetime.timezone(datetime.timedelta(hours=8))


def at(day: datetime.date, hh: int, mm: int = 0, ss: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=TZ)


def decide(make_case, guides, officer, window) -> Invite:
    item = guides.death
    case = make_case(item, *[m.name for m in item.materials.all()], actor=officer, window=window)
    counter_services.case_accept(case=case, actor=officer)
    return Invite.objects.get(case=case)


def rate(invite, level=Level.VERY_SATISFIED, channel="qr", device=None):
    reasons = ("attitude",) if level <= 2 else ()
    return services.rating_submit(invite=invite, data=services.RatingInput(level, level, level, level, reasons),
                                  channel=channel, device=device)


def pair(head, window) -> Device:
    return services.device_pair(code=services.pairing_code_create(window=window, actor=head), name="柜台平板").device


@pytest.fixture
def usage_day(city, people, open_case, guide):  # noqa: F811
    """On Monday 2 November, at 鼓楼:

    window 1 has no evaluator: 王警官 decides 8 cases (2 rated by QR), 孙警官 decides 2 (none rated);
    window 2's evaluator is paired at 09:00 and silent 10:00-10:20: 李警官 decides 10 cases, every screen is
    shown, 7 are rated on the device (one 不满意, later excluded by a contest) and 1 by QR.
    On 10 November the 7-day default fills the 10 unrated cases (8 at window 1, 2 at window 2).
    """
    sun = StaffFactory(username="officer3", full_name="孙警官", unit=city.w1)
    with freeze_time(at(DAY, 9)):
        device = pair(people.head, city.w2)
        w1 = [decide(open_case, guide, people.officer, city.w1) for _ in range(8)]
        w1 += [decide(open_case, guide, sun, city.w1) for _ in range(2)]
        w2 = []
        for _ in range(10):
            w2.append(decide(open_case, guide, people.officer2, city.w2))
            assert services.invite_next_for_device(device=device) == w2[-1]
    with freeze_time(at(DAY, 11)):
        rate(w1[0])
        rate(w1[1], Level.SATISFIED)
        bad = rate(w2[0], Level.DISSATISFIED, "device", device)
        for invite in w2[1:7]:
            rate(invite, channel="device", device=device)
        rate(w2[7], Level.BASICALLY_SATISFIED)
        contest = services.contest_file(rating=bad, actor=people.officer2, ground="malicious",
                                        statement="申请人因不符合条件被告知后故意给差评，与服务无关。")
        services.contest_decide(contest=contest, actor=people.county, upheld=True,
                                reason="录像显示民警解释耐心，差评系恶意，予以剔除。")
    DeviceOffline.objects.create(device=device, window=city.w2, started_at=at(DAY, 10), ended_at=at(DAY, 10, 20))
    with freeze_time(REPORT_AT):
        assert services.ratings_default_apply() == 10
    # The evaluator has been sending heartbeats ever since.
    Device.objects.filter(pk=device.pk).update(last_seen_at=at(datetime.date(2026, 11, 10), 9, 59, 50))
    return SimpleNamespace(w1=w1, w2=w2, sun=sun, device=device, bad=bad)


def report_for(user, day=DAY, **kwargs):
    with freeze_time(REPORT_AT):
        return usage_report(user, date_from=day, date_to=day, **kwargs)


def totals(report, window):
    return next(t for t in report.windows if t.window.pk == window.pk)


# --- the figures ---------------------------------------------------------------------------------


def test_window_figures_for_the_day(city, people, usage_day):
    report = report_for(people.head)

    w1, w2 = totals(report, city.w1), totals(report, city.w2)
    assert (w1.figures.invites, w1.figures.shown, w1.figures.active, w1.figures.defaults) == (10, 0, 2, 8)
    assert (w2.figures.invites, w2.figures.shown, w2.figures.active, w2.figures.defaults) == (10, 10, 8, 2)
    assert (w1.figures.rate, w2.figures.rate) == (20.0, 80.0)
    # The excluded malicious review still shows that the evaluator was used.
    assert (w1.figures.excluded, w2.figures.excluded) == (0, 1)
    assert w1.county_rate == w2.county_rate == 50.0
    assert (w1.figures.offline_invites, w2.figures.offline_invites) == (10, 0)
    # Opening hours 08:30-12:00 and 14:30-17:30: 390 minutes. Window 1 never had an evaluator; window 2's
    # was paired at 09:00 (30 minutes) and silent 10:00-10:20 (20 minutes).
    assert (w1.opening_minutes, w1.offline_minutes) == (390, 390)
    assert (w2.opening_minutes, w2.offline_minutes) == (390, 50)
    assert report.total.invites == 20 and report.total.active == 10 and report.offline_minutes == 440


def test_officer_rows_of_the_day(city, people, usage_day):
    """One window's page splits each day by officer."""
    report = report_for(people.head, window_id=city.w1.pk)

    w1_day = next(d for d in report.days if d.window.pk == city.w1.pk and d.day == DAY)
    rows = {o.officer.full_name: (o.figures.invites, o.figures.active, o.figures.rate) for o in w1_day.officers}
    assert rows == {"王警官": (8, 2, 25.0), "孙警官": (2, 0, 0.0)}


def test_both_alerts(city, people, usage_day):
    report = report_for(people.head)

    assert [t.window for t in report.low_rate_windows] == [city.w1]
    assert report.low_rate_windows[0].gap == 30.0
    assert sorted(i.case.number for i in report.offline_invites) == sorted(i.case.number for i in usage_day.w1)


def test_a_low_rate_needs_enough_invitations_and_a_big_enough_gap():
    def window_total(invites, active, county_rate):
        return WindowTotal(window=None, figures=Figures(invites=invites, active=active), county_rate=county_rate)

    assert window_total(RATE_MIN_INVITES, 2, 20.0 + RATE_GAP_POINTS).low_rate
    assert not window_total(RATE_MIN_INVITES - 1, 0, 90.0).low_rate
    assert not window_total(RATE_MIN_INVITES, 2, 20.0 + RATE_GAP_POINTS - 0.1).low_rate
    assert not window_total(0, 0, 50.0).low_rate


def test_other_days_have_their_own_figures(city, people, usage_day):
    with freeze_time(REPORT_AT):
        report = usage_report(people.head, date_from=DAY - datetime.timedelta(days=2), date_to=DAY)
    assert report.total.invites == 20
    # Saturday and Sunday have no opening hours and no cases, so they are not listed.
    assert {d.day for d in report.days} == {DAY}


def test_the_county_rate_is_the_whole_county_even_for_one_window(city, people, usage_day):
    report = report_for(people.county, window_id=city.w1.pk)
    assert [t.window for t in report.windows] == [city.w1]
    assert report.windows[0].county_rate == 50.0 and report.windows[0].low_rate


# --- offline time --------------------------------------------------------------------------------


def offline_minutes(people, city, now):
    with freeze_time(now):
        report = usage_report(people.head, date_from=now.date(), date_to=now.date(), window_id=city.w1.pk)
    return report.windows[0].offline_minutes


def test_a_revoked_device_is_offline_from_its_revocation(city, people):
    day = datetime.date(2026, 11, 3)
    with freeze_time(at(day, 8)):
        device = pair(people.head, city.w1)
    with freeze_time(at(day, 11)):
        services.device_revoke(device=device, actor=people.head)
    Device.objects.filter(pk=device.pk).update(last_seen_at=at(day, 10, 59, 50))
    # 11:00-12:00 and 14:30-16:00.
    assert offline_minutes(people, city, at(day, 16)) == 150


def test_a_device_silent_since_its_last_heartbeat_is_offline_until_now(city, people):
    day = datetime.date(2026, 11, 3)
    with freeze_time(at(day, 8)):
        device = pair(people.head, city.w1)
    Device.objects.filter(pk=device.pk).update(last_seen_at=at(day, 15))
    assert offline_minutes(people, city, at(day, 16)) == 60
    Device.objects.filter(pk=device.pk).update(last_seen_at=at(day, 15, 59, 30))
    assert offline_minutes(people, city, at(day, 16)) == 0


def test_a_device_never_seen_and_a_window_without_device_are_offline_all_day(city, people):
    day = datetime.date(2026, 11, 3)
    assert offline_minutes(people, city, at(day, 18)) == 390
    with freeze_time(at(day, 8)):
        device = pair(people.head, city.w1)
    Device.objects.filter(pk=device.pk).update(last_seen_at=None)
    assert offline_minutes(people, city, at(day, 18)) == 390


def test_opening_hours_follow_the_official_calendar(settings, db):
    assert opening_intervals(datetime.date(2026, 10, 3)) == []  # National Day
    assert opening_intervals(datetime.date(2026, 11, 7)) == []  # an ordinary Saturday
    assert len(opening_intervals(datetime.date(2026, 10, 10))) == 2  # the 调休 Saturday is a working day
    settings.WINDOW_OPENING_HOURS = "09:00-17:00"
    [(start, end)] = opening_intervals(datetime.date(2026, 10, 10))
    assert (end - start) == datetime.timedelta(hours=8)


# --- the page ------------------------------------------------------------------------------------


def page(client, **params):
    with freeze_time(REPORT_AT):
        return client.get(reverse("evaluations:usage"), params)


def test_the_station_head_sees_figures_and_alerts_and_every_figure_opens_its_records(client_for, city, people,
                                                                                      usage_day):
    client = client_for(people.head)
    response = page(client, date_from="2026-11-02", date_to="2026-11-02")
    body = response.content.decode()

    assert response.status_code == 200
    assert "统计期间：2026-11-02 至 2026-11-02" in body
    assert 'id="alert-low-rate"' in body and "低 30.0 个百分点" in body
    for invite in usage_day.w1:
        assert invite.case.number in body

    q = f"window={city.w1.pk}&amp;date_from=2026-11-02&amp;date_to=2026-11-02"
    invites_link = reverse("evaluations:usage_invites") + "?" + q
    active_link = reverse("evaluations:rating_list") + f"?window={city.w1.pk}&amp;channel=active&amp;by=invited" \
        "&amp;date_from=2026-11-02&amp;date_to=2026-11-02"
    offline_link = reverse("evaluations:usage_offline") + "?" + q
    assert f'href="{invites_link}">10<' in body
    assert f'href="{active_link}">2<' in body
    assert f'href="{offline_link}">390<' in body

    with freeze_time(REPORT_AT):
        invites = client.get(invites_link.replace("&amp;", "&")).content.decode()
        active = client.get(active_link.replace("&amp;", "&")).content.decode()
        offline = client.get(offline_link.replace("&amp;", "&")).content.decode()
    assert invites.count("data-case=") == 10
    assert active.count("data-rating=") == 2
    assert "开放时间内离线合计 390 分钟" in offline and "期间内该窗口没有配对评价器" in offline


def test_the_officer_row_links_to_that_officers_records(client_for, city, people, usage_day):
    client = client_for(people.head)
    with freeze_time(REPORT_AT):
        shown = client.get(reverse("evaluations:usage_invites"), {
            "window": city.w2.pk, "officer": people.officer2.pk, "only": "shown",
            "date_from": "2026-11-02", "date_to": "2026-11-02"})
        sun = client.get(reverse("evaluations:usage_invites"), {
            "window": city.w1.pk, "officer": usage_day.sun.pk, "date_from": "2026-11-02", "date_to": "2026-11-02"})
        excluded = client.get(reverse("evaluations:rating_list"), {
            "window": city.w2.pk, "officer": people.officer2.pk, "channel": "active", "by": "invited",
            "date_from": "2026-11-02", "date_to": "2026-11-02"})
    assert shown.content.decode().count("data-case=") == 10
    assert sun.content.decode().count("data-case=") == 2
    assert excluded.content.decode().count("data-rating=") == 8 and "<del>" in excluded.content.decode()


def test_the_default_period_is_the_last_seven_days(client_for, people, usage_day):
    with freeze_time("2026-11-08 10:00:00+08:00"):
        body = client_for(people.head).get(reverse("evaluations:usage")).content.decode()
    assert "统计期间：2026-11-02 至 2026-11-08" in body


def test_who_sees_the_usage_page(client, city, people, usage_day):
    for who in (people.officer, people.civilian):
        client.force_login(who)
        assert page(client).status_code == 403
    client.force_login(people.cityadmin)
    body = page(client, date_from="2026-11-02", date_to="2026-11-02").content.decode()
    assert f'data-window="{city.w3.pk}"' in body and usage_day.w1[0].case.number in body
    client.force_login(people.outsider_county)
    body = page(client, date_from="2026-11-02", date_to="2026-11-02").content.decode()
    assert f'data-window="{city.w1.pk}"' not in body and usage_day.w1[0].case.number not in body
    assert f'data-window="{city.w3.pk}"' in body
    assert client.get(reverse("evaluations:usage_offline"), {"window": city.w1.pk}).status_code == 400


@pytest.mark.parametrize("params, message", [
    ({"date_from": "2026-11-05", "date_to": "2026-11-01"}, "起始日期不能晚于截止日期"),
    ({"date_from": "2026-01-01", "date_to": "2026-11-01"}, "一次最多查询92天"),
    ({"date_from": "2026-02-30"}, "请输入有效日期"),
    ({"window": "abc"}, "所选窗口不在您的查看范围内"),
])
def test_a_bad_period_is_explained_and_kept(client_for, city, people, params, message):
    response = page(client_for(people.head), **params)
    body = response.content.decode()
    assert response.status_code == 400 and message in body
    for value in params.values():
        assert f'value="{value}"' in body or value == "abc"


def test_a_window_of_another_station_is_refused(client_for, city, people):
    response = page(client_for(people.head), window=city.w3.pk)
    assert response.status_code == 400 and "所选窗口不在您的查看范围内" in response.content.decode()


# --- issue 7, item 6: the page agrees with itself -------------------------------------------------


def test_an_evaluator_offline_in_opening_hours_is_an_alert(city, people, usage_day):
    from evaluations.stats import OFFLINE_ALERT_MINUTES

    report = report_for(people.head)

    # Window 1 had no evaluator all day (390 minutes), window 2's was away 50 minutes.
    assert OFFLINE_ALERT_MINUTES <= 50
    assert [(t.window, t.offline_minutes) for t in report.offline_windows] == [(city.w1, 390), (city.w2, 50)]


def test_the_offline_alert_links_to_the_offline_records(client_for, city, people, usage_day):
    body = page(client_for(people.head), date_from="2026-11-02", date_to="2026-11-02").content.decode()
    alert = body[body.index('id="alert-offline-time"'):body.index("</table>", body.index('id="alert-offline-time"'))]
    offline_link = reverse("evaluations:usage_offline") + f"?window={city.w1.pk}&amp;date_from=2026-11-02" \
        "&amp;date_to=2026-11-02"
    assert f'href="{offline_link}">390<' in alert
    assert "东街派出所1号窗口" in alert


def test_a_period_without_offline_time_has_no_offline_alert(client_for, city, people):
    day = datetime.date(2026, 11, 3)
    with freeze_time(at(day, 8)):
        device = pair(people.head, city.w1)
    Device.objects.filter(pk=device.pk).update(last_seen_at=at(day, 17, 59))
    with freeze_time(at(day, 18)):
        body = client_for(people.head).get(reverse("evaluations:usage"), {
            "date_from": "2026-11-03", "date_to": "2026-11-03", "window": city.w1.pk}).content.decode()
    assert 'id="alert-offline-time-none"' in body


def test_active_ratings_are_split_by_channel_and_the_help_says_why_qr_is_not_shown(client_for, city, people,
                                                                                  usage_day):
    report = report_for(people.head)
    w1, w2 = totals(report, city.w1), totals(report, city.w2)
    assert (w1.figures.device_active, w1.figures.qr_active) == (0, 2)
    assert (w2.figures.device_active, w2.figures.qr_active) == (7, 1)

    body = page(client_for(people.head), date_from="2026-11-02", date_to="2026-11-02").content.decode()
    qr_link = reverse("evaluations:rating_list") + f"?window={city.w1.pk}&amp;channel=qr&amp;by=invited" \
        "&amp;date_from=2026-11-02&amp;date_to=2026-11-02"
    assert f'href="{qr_link}">2<' in body
    legend = body[body.index('id="usage-legend"'):]
    assert "扫码评价不经过评价器" in legend


def test_the_offline_records_without_a_window_offer_each_window_instead_of_an_error(client_for, city, people):
    client = client_for(people.head)
    response = client.get(reverse("evaluations:usage_offline"), {"date_from": "2026-11-02", "date_to": "2026-11-02"})
    body = response.content.decode()
    assert response.status_code == 200 and "请选择一个窗口。" not in body
    assert "离线记录按窗口查看，请选择一个窗口" in body
    assert f'href="?window={city.w1.pk}&amp;date_from=2026-11-02&amp;date_to=2026-11-02"' in body
    assert f"window={city.w3.pk}&" not in body  # another station's window is not offered to the head
    assert client.get(reverse("evaluations:usage_offline")).status_code == 200  # the first visit
