"""Entering next year's calendar recomputes every provisional deadline of every app, and says how many."""

import datetime

from django.core.management import call_command
from django.urls import reverse
from freezegun import freeze_time

from counter import services as counter
from evaluations import services as evaluations
from evaluations.models import FollowUp, Invite
from workdays import hooks

SPRING_2027 = "2027-01-01 元旦\n2027-02-05至2027-02-12 春节"


def test_both_apps_subscribe_to_the_refresh():
    names = {f.__name__ for f in hooks.deadlines_refresh.subscribers}
    assert {"case_deadlines_refreshed", "follow_up_deadlines_refreshed"} <= names and hooks.deadlines_refresh.required


def test_entering_2027_moves_the_provisional_deadlines_off_its_holidays(client_for, people, open_case):
    with freeze_time("2026-12-29 09:00:00+08:00"):
        case = open_case(None, "出生医学证明", "父母户口簿", "父母结婚证")
        counter.case_accept(case=case, actor=people.officer)
        bad = open_case(None, "出生医学证明")
        counter.case_notify(case=bad, actor=people.officer)
        evaluations.rating_submit(invite=Invite.objects.get(case=bad),
                                  data=evaluations.RatingInput(1, 1, 1, 1, reasons=("attitude",)), channel="qr")
    case.refresh_from_db()
    follow_up = FollowUp.objects.get()
    # Dec 30, 31, then 2027 counted as weekdays: Jan 1, 4, 5 for the case; ten working days for the follow-up.
    assert (case.deadline, case.deadline_provisional) == (datetime.date(2027, 1, 5), True)
    assert (follow_up.deadline, follow_up.deadline_provisional) == (datetime.date(2027, 1, 12), True)

    with freeze_time("2026-12-30 10:00:00+08:00"):
        response = client_for(people.cityadmin).post(reverse("workdays:year_list"), {
            "year": "2027", "holidays": SPRING_2027, "workdays": "", "source": "国办发明电〔2026〕测试"}, follow=True)

    page = response.content.decode()
    assert "已按新录入的节假日安排重新计算暂定期限：办件承诺办结日期 1 个、差评整改期限 1 个" in page
    case.refresh_from_db()
    follow_up.refresh_from_db()
    assert (case.deadline, case.deadline_provisional) == (datetime.date(2027, 1, 6), False)  # 1 Jan is a holiday
    assert (follow_up.deadline, follow_up.deadline_provisional) == (datetime.date(2027, 1, 13), False)


def test_the_daily_job_does_the_same_and_a_second_run_finds_nothing(people, open_case, capsys):
    from workdays.services import calendar_year_enter

    with freeze_time("2026-12-29 09:00:00+08:00"):
        case = open_case(None, "出生医学证明", "父母户口簿", "父母结婚证")
        counter.case_accept(case=case, actor=people.officer)
    calendar_year_enter(year=2027, holidays=[(datetime.date(2027, 1, 1), "元旦")], workdays=[], source="测试",
                        actor=people.cityadmin)
    call_command("daily", "--only", "deadlines_refresh")
    call_command("daily", "--only", "deadlines_refresh")

    out = capsys.readouterr().out
    assert "已重新计算 1 个暂定期限" in out and "已重新计算 0 个暂定期限" in out
    case.refresh_from_db()
    assert not case.deadline_provisional
