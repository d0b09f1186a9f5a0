"""The usage page's daily figures per window (evaluations.WindowDay) agree with the rows behind them after every
kind of write, and a rebuild from those rows gives the same figures."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from freezegun import freeze_time

from counter import services as counter_services
from evaluations import services, window_days
from evaluations.models import Device, Invite, Level, WindowDay
from evaluations.stats import usage_report
from evaluations.window_days import COUNTS, window_days_computed, window_days_rebuild

TZ = datetime.timezone(datetime.timedelta(hours=8))
DAY = datetime.date(2026, 11, 2)  # a Monday
NEXT = datetime.date(2026, 11, 3)


def at(day, hh, mm=0, ss=0):
    return datetime.datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=TZ)


def stored(start=DAY, end=NEXT):
    return {(r.window_id, r.day): r for r in WindowDay.objects.filter(day__gte=start, day__lte=end)}


def computed(start=DAY, end=NEXT, now=None):
    return {(r.window_id, r.day): r for r in window_days_computed(start, end, now)}


def assert_counts_agree(start=DAY, end=NEXT):
    """Every count of the table equals the one computed from the invitations, ratings and flags."""
    table, raw = stored(start, end), computed(start, end)
    for key in set(table) | set(raw):
        for name in COUNTS:
            kept = getattr(table[key], name) if key in table else 0
            made = getattr(raw[key], name) if key in raw else 0
            assert kept == made, f"{name} of window {key[0]} on {key[1]}: kept {kept}, from the rows {made}"


def decide(open_case, guide, officer, window):
    item = guide.death
    case = open_case(item, *[m.name for m in item.materials.all()], actor=officer, window=window)
    counter_services.case_accept(case=case, actor=officer)
    return Invite.objects.get(case=case)


def rate(invite, level=Level.VERY_SATISFIED, channel="qr", device=None):
    reasons = ("attitude",) if level <= 2 else ()
    return services.rating_submit(invite=invite, data=services.RatingInput(level, level, level, level, reasons),
                                  channel=channel, device=device)


@pytest.fixture
def day_of_writes(city, people, open_case, guide, pair):
    """Window 2 has an evaluator from 08:00; window 1 has none."""
    with freeze_time(at(DAY, 8)):
        device, _token = pair(city.w2)
    return device


def test_every_kind_of_write_keeps_the_figures_true(city, people, open_case, guide, day_of_writes):
    device = day_of_writes
    with freeze_time(at(DAY, 9)):
        offline_invite = decide(open_case, guide, people.officer, city.w1)  # no evaluator: offline
        assert_counts_agree()
        invites = [decide(open_case, guide, people.officer2, city.w2) for _ in range(4)]
        assert_counts_agree()
        assert services.invite_next_for_device(device=device, after_id=invites[0].pk - 1) == invites[-1]  # shown
        assert_counts_agree()
    with freeze_time(at(DAY, 9, 0, 30)):  # a device paired before the opening hours: its ratings are flagged
        bad = rate(invites[-1], Level.DISSATISFIED, "device", device)
        assert bad.flags.exists()
        assert_counts_agree()
    with freeze_time(at(DAY, 11)):
        rate(invites[1], Level.SATISFIED)  # QR
        rate(offline_invite, Level.BASICALLY_SATISFIED)
        assert_counts_agree()
        contest = services.contest_file(rating=bad, actor=people.officer2, ground="malicious",
                                        statement="申请人因不符合条件被告知后故意给差评，与服务无关。")
        services.contest_decide(contest=contest, actor=people.county, upheld=True,
                                reason="录像显示民警解释耐心，差评系恶意，予以剔除。")
        assert_counts_agree()
    with freeze_time(at(NEXT, 9, 30)):  # a QR rating of yesterday's case counts on yesterday
        rate(invites[2], Level.VERY_DISSATISFIED)
        assert_counts_agree()
    with freeze_time(at(datetime.date(2026, 11, 10), 10)):
        assert services.ratings_default_apply() == 1  # invites[0]
        assert_counts_agree()

    row = stored()[(city.w2.pk, DAY)]
    assert (row.invites, row.shown, row.active, row.device_active, row.qr_active, row.defaults, row.excluded) == (
        4, 1, 3, 1, 2, 1, 1)
    assert (row.active_level_2, row.active_level_4, row.active_level_1) == (1, 1, 1)
    assert row.flagged == 1 and row.flags_paired_off_hours == 1
    assert sum(getattr(row, f"flags_{kind}") for kind in bad.flags.values_list("kind", flat=True)) == bad.flags.count()
    assert stored()[(city.w1.pk, DAY)].offline_invites == 1


def test_a_silence_recorded_refreshes_the_offline_minutes_of_each_day_it_touched(city, people, day_of_writes):
    device = day_of_writes
    Device.objects.filter(pk=device.pk).update(last_seen_at=at(DAY, 10))  # heard from until 10:00
    with freeze_time(at(NEXT, 9)):  # silent from 10:00 yesterday until 09:00 today: one DeviceOffline row
        device.refresh_from_db()
        services.device_heartbeat(device=device)
        now = at(NEXT, 9)
        row = stored()[(city.w2.pk, DAY)]
        # Opening hours 08:30-12:00 and 14:30-17:30: online 08:30 (paired 08:00) to 10:00, then silent.
        assert (row.offline_minutes, row.offline_final) == (120 + 180, True)
        assert row.offline_minutes == computed(now=now)[(city.w2.pk, DAY)].offline_minutes
        today = stored()[(city.w2.pk, NEXT)]
        assert (today.offline_minutes, today.offline_final) == (30, False)  # 08:30-09:00 so far; not over yet


def test_the_replayed_heartbeats_of_a_day_refresh_its_figures_once(city, people, day_of_writes):
    device = day_of_writes
    moments = [at(DAY, 9) + datetime.timedelta(minutes=m) for m in range(0, 120)]
    moments += [at(DAY, 14, 30) + datetime.timedelta(minutes=m) for m in range(0, 60)]
    with freeze_time(at(NEXT, 7)):
        # Silent 08:00-09:00 (paired, then nothing) and 10:59-14:30; nothing heard after 15:29.
        assert services.device_heartbeats_record(device=device, moments=moments) == 2
        row = stored()[(city.w2.pk, DAY)]
        assert row.offline_final
        assert row.offline_minutes == computed(now=at(NEXT, 7))[(city.w2.pk, DAY)].offline_minutes == 30 + 61 + 121


def test_a_rebuild_gives_the_same_figures_and_can_run_twice(city, people, open_case, guide, day_of_writes):
    device = day_of_writes
    with freeze_time(at(DAY, 9)):
        invites = [decide(open_case, guide, people.officer2, city.w2) for _ in range(3)]
        decide(open_case, guide, people.officer, city.w1)
        services.invite_next_for_device(device=device)
    with freeze_time(at(DAY, 9, 5)):
        rate(invites[-1], channel="device", device=device)
        rate(invites[0])
    with freeze_time(at(NEXT, 8)):
        before = {key: {name: getattr(row, name) for name in COUNTS} for key, row in stored().items()}
        report_before = usage_report(people.head, date_from=DAY, date_to=NEXT)
        assert window_days_rebuild(DAY, NEXT) == len(computed())
        after = {key: {name: getattr(row, name) for name in COUNTS} for key, row in stored().items()}
        for key, counts in before.items():
            assert after[key] == counts
        assert all(row.offline_final == (day < NEXT) for (_w, day), row in stored().items())
        snapshot = [(k, r.offline_minutes, r.offline_final, *(getattr(r, n) for n in COUNTS))
                    for k, r in sorted(stored().items())]
        assert window_days_rebuild(DAY, NEXT) == len(snapshot)
        assert [(k, r.offline_minutes, r.offline_final, *(getattr(r, n) for n in COUNTS))
                for k, r in sorted(stored().items())] == snapshot
        report_after = usage_report(people.head, date_from=DAY, date_to=NEXT)
    # The page reads the stored figures after the rebuild and worked the offline minutes out before: the same.
    assert [(t.window.pk, t.figures, t.offline_minutes, t.opening_minutes) for t in report_before.windows] == [
        (t.window.pk, t.figures, t.offline_minutes, t.opening_minutes) for t in report_after.windows]
    assert [(d.day, d.figures, d.offline_minutes) for d in report_before.days] == [
        (d.day, d.figures, d.offline_minutes) for d in report_after.days]


def test_the_daily_job_makes_yesterday_final_and_builds_everything_the_first_time(city, people, open_case, guide,
                                                                                 day_of_writes):
    with freeze_time(at(DAY, 9)):
        decide(open_case, guide, people.officer2, city.w2)
    WindowDay.objects.all().delete()  # as after the deploy that brings the table
    with freeze_time(at(NEXT, 1)):
        call_command("daily", "--only", "window_days")
    row = stored()[(city.w2.pk, DAY)]
    assert row.invites == 1 and row.offline_final
    with freeze_time(at(NEXT, 1)):
        assert window_days.window_days_daily() == len(stored(DAY - datetime.timedelta(days=8), DAY))


def test_the_rebuild_command_takes_a_period(city, people, open_case, guide, day_of_writes, capsys):
    with freeze_time(at(DAY, 9)):
        decide(open_case, guide, people.officer2, city.w2)
    WindowDay.objects.all().delete()
    with freeze_time(at(NEXT, 12)):
        call_command("window_days_rebuild", "--from", "2026-11-02", "--to", "2026-11-02")
    assert stored()[(city.w2.pk, DAY)].invites == 1
    assert "2026-11-02" in capsys.readouterr().out


def test_a_window_without_figures_is_offline_all_its_opening_hours_on_the_page(city, people):
    with freeze_time(at(NEXT, 8)):
        report = usage_report(people.head, date_from=DAY, date_to=DAY)
    assert {t.window.pk: t.offline_minutes for t in report.windows} == {city.w1.pk: 390, city.w2.pk: 390}
    assert not WindowDay.objects.exists()


def test_a_device_revoked_meanwhile_is_refused_by_its_heartbeat(city, people, day_of_writes):
    device = day_of_writes
    Device.objects.filter(pk=device.pk).update(revoked_at=at(DAY, 8, 30))
    with freeze_time(at(DAY, 9)), pytest.raises(Exception) as refused:
        services.device_heartbeat(device=device)
    assert getattr(refused.value, "code", "") == "device_revoked"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent transactions (PostgreSQL)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_ratings_and_a_rebuild_meanwhile_lose_no_count(city, people, open_case, guide, monkeypatch):
    import threading
    import time

    from django.db import connections

    from core import clock

    with freeze_time(at(DAY, 9)):
        invites = [decide(open_case, guide, people.officer2, city.w2) for _ in range(6)]
    real_add = window_days._add

    def slow_add(*args, **kwargs):  # each rating holds its transaction open a moment after counting
        real_add(*args, **kwargs)
        time.sleep(0.2)

    monkeypatch.setattr(window_days, "_add", slow_add)
    barrier = threading.Barrier(len(invites) + 1)

    def rate_one(invite):
        barrier.wait()
        try:
            with clock.at(at(DAY, 11)):  # the clock of this thread (freezegun's is the main thread's)
                rate(invite)
        finally:
            connections.close_all()

    def rebuild():
        barrier.wait()
        try:
            time.sleep(0.1)
            window_days_rebuild(DAY, DAY, now=at(DAY, 11))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=rate_one, args=(i,)) for i in invites] + [threading.Thread(target=rebuild)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    row = stored()[(city.w2.pk, DAY)]
    assert (row.invites, row.active, row.qr_active) == (6, 6, 6)
    assert_counts_agree()


def test_the_calendar_read_once_a_year_agrees_with_the_official_one_day_by_day(db):
    from evaluations.offline_time import days_between, working_days
    from workdays.services import workday_check

    days = days_between(datetime.date(2025, 12, 1), datetime.date(2027, 1, 31))  # an entered year and others
    assert working_days(days) == {day for day in days if workday_check(day)[0]}
    assert datetime.date(2026, 10, 1) not in working_days(days)  # National Day


def test_an_invitation_after_midnight_counts_on_its_local_day_not_the_utc_one(city, people, open_case, guide):
    # 00:30 in Beijing is 16:30 UTC of the day before: the database's trigger counts it on the local day.
    with freeze_time(at(NEXT, 0, 30)):
        invite = decide(open_case, guide, people.officer, city.w1)
    assert invite.created_at.astimezone(datetime.UTC).date() == DAY
    assert (city.w1.pk, DAY) not in stored()
    assert stored()[(city.w1.pk, NEXT)].invites == 1
    assert_counts_agree()
