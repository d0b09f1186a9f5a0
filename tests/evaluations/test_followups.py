"""The bad-review loop: a 不满意 opens a follow-up for the station head, on a working-day deadline."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from freezegun import freeze_time

from core.models import AuditEvent
from counter import services as counter_services
from evaluations import services
from evaluations.models import FollowUp, FollowUpStatus, Invite, Level, Verdict
from org.models import Role
from tests.factories import StaffFactory
from workdays.services import add_workdays

RATED_AT = "2026-09-28 10:00:00+08:00"  # a Monday, three days before the National Day holiday


def decided(make_case, guides, people, *, actor=None, window=None):
    """A death deregistration accepted (and so completed) on the spot: the applicant is asked to rate it."""
    actor = actor or people.officer
    item = guides.death
    case = make_case(item, *[m.name for m in item.materials.all()], actor=actor, window=window)
    counter_services.case_accept(case=case, actor=actor)
    return Invite.objects.get(case=case)


def rate(invite, level=Level.DISSATISFIED, reasons=("attitude",), comment="窗口民警态度生硬"):
    data = services.RatingInput(level, level, level, level, tuple(reasons) if level <= 2 else (), "", comment)
    return services.rating_submit(invite=invite, data=data, channel="qr")


@pytest.fixture
def bad_review(open_case, guide, people):  # noqa: F811
    with freeze_time(RATED_AT):
        return rate(decided(open_case, guide, people)).follow_up


@pytest.fixture
def other_head(city):
    return StaffFactory(username="head2", full_name="鳌峰所长", unit=city.aofeng, role=Role.STATION_HEAD)


def step_url(fu, step):
    return reverse("evaluations:follow_up_step", args=[fu.pk, step])


def detail_url(fu):
    return reverse("evaluations:follow_up_detail", args=[fu.pk])


# --- opening and the deadline -------------------------------------------------------------------


def test_a_bad_rating_on_28_september_is_due_ten_working_days_later_after_the_national_day_holiday(bad_review):
    # Sep 29, 30; Oct 1-7 National Day holiday; Oct 8, 9, Sat Oct 10 (调休 working day), 12, 13, 14, 15, 16.
    assert bad_review.deadline == datetime.date(2026, 10, 16)
    assert bad_review.deadline == add_workdays(datetime.date(2026, 9, 28), 10).date
    assert not bad_review.deadline_provisional
    assert bad_review.status == FollowUpStatus.OPEN
    assert bad_review.station_id == bad_review.rating.station_id


def test_the_deadline_follows_the_city_setting(settings, open_case, guide, people):  # noqa: F811
    settings.FOLLOW_UP_WORKING_DAYS = 5
    with freeze_time(RATED_AT):
        follow_up = rate(decided(open_case, guide, people)).follow_up
    assert follow_up.deadline == datetime.date(2026, 10, 10)  # a Saturday, but a 调休 working day


def test_only_bad_levels_open_a_follow_up(open_case, guide, people):  # noqa: F811
    with freeze_time(RATED_AT):
        rate(decided(open_case, guide, people), level=Level.BASICALLY_SATISFIED)
        rate(decided(open_case, guide, people), level=Level.VERY_DISSATISFIED)
    assert FollowUp.objects.count() == 1
    assert FollowUp.objects.get().rating.level == Level.VERY_DISSATISFIED


# --- the list ------------------------------------------------------------------------------------


@freeze_time("2026-10-09 09:00:00+08:00")
def test_station_head_lists_the_follow_up_with_reasons_comment_and_deadline(client_for, people, bad_review):
    body = client_for(people.head).get(reverse("evaluations:follow_up_list")).content.decode()

    assert bad_review.rating.case.number in body
    assert "服务态度差" in body and "窗口民警态度生硬" in body
    assert "2026-10-16" in body and "王警官" in body and "待回访" in body
    assert 'class="overdue"' not in body


@freeze_time("2026-10-19 09:00:00+08:00")
def test_a_late_follow_up_is_red_on_the_list(client_for, people, bad_review):
    body = client_for(people.head).get(reverse("evaluations:follow_up_list")).content.decode()
    assert 'class="overdue"' in body and "已逾期" in body


def test_window_staff_may_not_open_the_follow_up_pages(client_for, people, bad_review):
    client = client_for(people.officer)
    assert client.get(reverse("evaluations:follow_up_list")).status_code == 403
    assert client.get(detail_url(bad_review)).status_code == 403


def test_another_station_and_another_county_see_nothing(client, people, other_head, bad_review):
    for who in (other_head, people.outsider_county):
        client.force_login(who)
        assert bad_review.rating.case.number not in client.get(reverse("evaluations:follow_up_list")).content.decode()
        assert client.get(detail_url(bad_review)).status_code == 404
        assert client.post(step_url(bad_review, "call"), {"call_notes": "已电话联系申请人"}).status_code == 404


def test_county_and_city_read_the_follow_up_but_cannot_handle_it(client, people, bad_review):
    for who in (people.county, people.cityadmin, people.inspector):
        client.force_login(who)
        page = client.get(detail_url(bad_review))
        assert page.status_code == 200
        assert "记录回访" not in page.content.decode()
        response = client.post(step_url(bad_review, "call"),
                               {"called_at": "2026-09-28 11:00", "call_notes": "县局代为回访申请人"})
        assert response.status_code == 403
    bad_review.refresh_from_db()
    assert bad_review.status == FollowUpStatus.OPEN


# --- the three steps -----------------------------------------------------------------------------


@freeze_time("2026-09-29 15:00:00+08:00")
def test_station_head_calls_back_verifies_and_closes_in_that_order(client_for, people, bad_review):
    client = client_for(people.head)
    assert "记录回访" in client.get(detail_url(bad_review)).content.decode()

    call = client.post(step_url(bad_review, "call"),
                       {"called_at": "2026-09-29 14:30", "call_notes": "电话联系申请人张小明，反映民警说话生硬"})
    assert call.status_code == 302
    bad_review.refresh_from_db()
    assert bad_review.status == FollowUpStatus.CALLED and bad_review.handled_by == people.head
    assert bad_review.called_at == datetime.datetime(2026, 9, 29, 6, 30, tzinfo=datetime.UTC)

    verify = client.post(step_url(bad_review, "verify"),
                         {"verdict": Verdict.PARTLY, "verification": "调取窗口录像，民警语气生硬但未刁难"})
    assert verify.status_code == 302
    bad_review.refresh_from_db()
    assert bad_review.status == FollowUpStatus.VERIFIED and bad_review.verdict == Verdict.PARTLY

    close = client.post(step_url(bad_review, "close"), {"rectification": "对民警批评教育，全所学习文明用语"})
    assert close.status_code == 302
    bad_review.refresh_from_db()
    assert bad_review.status == FollowUpStatus.CLOSED and bad_review.closed_at is not None

    page = client.get(detail_url(bad_review)).content.decode()
    assert "部分属实" in page and "全所学习文明用语" in page and "已办结" in page
    actions = list(AuditEvent.objects.filter(object_type="evaluations.followup").values_list("action", flat=True))
    assert sorted(actions) == ["follow_up.called", "follow_up.closed", "follow_up.opened", "follow_up.verified"]


@freeze_time("2026-09-29 15:00:00+08:00")
def test_steps_out_of_order_are_refused_and_change_nothing(client_for, people, bad_review):
    client = client_for(people.head)

    verify = client.post(step_url(bad_review, "verify"), {"verdict": "true", "verification": "经核实情况属实。"})
    close = client.post(step_url(bad_review, "close"), {"rectification": "已整改完毕，批评教育。"})

    assert verify.status_code == 409 and close.status_code == 409
    assert "当前状态为“待回访”，不能进行这一步" in verify.content.decode()
    bad_review.refresh_from_db()
    assert bad_review.status == FollowUpStatus.OPEN and bad_review.verification == ""

    client.post(step_url(bad_review, "call"), {"called_at": "2026-09-29 14:30", "call_notes": "已电话回访申请人"})
    again = client.post(step_url(bad_review, "call"), {"called_at": "2026-09-29 14:40", "call_notes": "再次回访申请人"})
    assert again.status_code == 409
    bad_review.refresh_from_db()
    assert bad_review.call_notes == "已电话回访申请人"


def test_an_unknown_step_is_not_found(client_for, people, bad_review):
    assert client_for(people.head).post(step_url(bad_review, "delete"), {}).status_code == 404


# --- bad input -----------------------------------------------------------------------------------


@freeze_time("2026-09-29 15:00:00+08:00")
@pytest.mark.parametrize("data, message", [
    ({"called_at": "", "call_notes": "已电话回访申请人"}, "请填写回访时间"),
    ({"called_at": "2026-13-45 99:00", "call_notes": "已电话回访申请人"}, "请输入有效的回访时间"),
    ({"called_at": "2026-09-30 09:00", "call_notes": "已电话回访申请人"}, "回访时间不能晚于现在"),
    ({"called_at": "2026-09-27 09:00", "call_notes": "已电话回访申请人"}, "回访时间不能早于差评时间"),
    ({"called_at": "2026-09-29 14:00", "call_notes": "打了"}, "请记录回访情况"),
    ({"called_at": "2026-09-29 14:00", "call_notes": "长" * 2001}, "不能超过2000个字"),
])
def test_a_bad_call_record_is_explained_and_what_was_typed_is_kept(client_for, people, bad_review, data, message):
    response = client_for(people.head).post(step_url(bad_review, "call"), data)

    body = response.content.decode()
    assert response.status_code == 400
    assert message in body
    assert data["call_notes"][:100] in body
    bad_review.refresh_from_db()
    assert bad_review.status == FollowUpStatus.OPEN


@freeze_time("2026-09-29 15:00:00+08:00")
def test_bad_verification_and_rectification_are_explained(client_for, people, bad_review):
    client = client_for(people.head)
    client.post(step_url(bad_review, "call"), {"called_at": "2026-09-29 14:30", "call_notes": "已电话回访申请人"})

    no_verdict = client.post(step_url(bad_review, "verify"), {"verification": "调取录像核实了情况"})
    odd_verdict = client.post(step_url(bad_review, "verify"), {"verdict": "maybe", "verification": "调取录像核实"})
    short = client.post(step_url(bad_review, "verify"), {"verdict": "false", "verification": "没有"})
    assert [r.status_code for r in (no_verdict, odd_verdict, short)] == [400, 400, 400]
    assert "请选择核实结论" in no_verdict.content.decode() and "调取录像核实了情况" in no_verdict.content.decode()
    assert "请选择核实结论：属实、部分属实或不属实" in odd_verdict.content.decode()
    assert "请写明核实情况（至少5个字）" in short.content.decode()

    client.post(step_url(bad_review, "verify"), {"verdict": "false", "verification": "调取录像，民警用语规范"})
    empty = client.post(step_url(bad_review, "close"), {"rectification": "  "})
    assert empty.status_code == 400 and "请写明整改情况" in empty.content.decode()
    bad_review.refresh_from_db()
    assert bad_review.status == FollowUpStatus.VERIFIED


# --- escalation ----------------------------------------------------------------------------------


def test_a_follow_up_is_escalated_the_day_after_its_deadline_and_only_once(bad_review):
    with freeze_time("2026-10-16 20:00:00+08:00"):
        assert services.follow_ups_escalate() == 0  # the deadline day itself is still in time
    with freeze_time("2026-10-19 08:00:00+08:00"):
        assert services.follow_ups_escalate() == 1
        assert services.follow_ups_escalate() == 0
    bad_review.refresh_from_db()
    assert bad_review.escalated_at is not None
    assert AuditEvent.objects.filter(action="follow_up.escalated", object_id=str(bad_review.pk)).count() == 1


def test_a_closed_follow_up_is_never_escalated(people, bad_review):
    with freeze_time("2026-10-19 08:00:00+08:00"):
        for step, kwargs in ((services.follow_up_record_call,
                              {"called_at": datetime.datetime.now(datetime.UTC), "notes": "已电话回访申请人"}),
                             (services.follow_up_verify, {"verdict": "false", "verification": "调取录像核实，不属实"}),
                             (services.follow_up_close, {"rectification": "已向申请人解释清楚"})):
            step(follow_up=bad_review, actor=people.head, **kwargs)
        assert services.follow_ups_escalate() == 0


def test_the_county_sees_the_escalated_follow_up_highlighted(client_for, people, bad_review):
    with freeze_time("2026-10-19 08:00:00+08:00"):
        call_command("daily", "--only", "follow_ups_escalate", stdout=io.StringIO())
        body = client_for(people.county).get(reverse("evaluations:follow_up_list") + "?show=escalated")
    text = body.content.decode()
    assert bad_review.rating.case.number in text
    assert "已上报县局" in text and 'class="overdue"' in text
    assert "本页只读" in text


def test_late_follow_ups_not_yet_escalated_are_explained_beside_the_counts(client_for, people, bad_review):
    """已逾期（1） beside 已上报县局（0） says why: the nightly job escalates them at its next run."""
    client = client_for(people.county)
    with freeze_time("2026-10-19 08:00:00+08:00"):
        before = client.get(reverse("evaluations:follow_up_list")).content.decode()
        services.follow_ups_escalate()
        after = client.get(reverse("evaluations:follow_up_list")).content.decode()
    assert "已逾期（1）" in before and "已上报县局（0）" in before
    assert 'id="late-not-escalated"' in before
    assert "1 件已逾期、尚未上报县局" in before and "这些将在下一次自动上报时上报" in before
    assert "manage.py" not in before  # no words meant for the engineer on a station head's page
    assert "已逾期（1）" in after and "已上报县局（1）" in after
    assert 'id="late-not-escalated"' not in after


def test_the_escalate_command_says_how_many_and_is_idempotent(bad_review, capsys):
    with freeze_time("2026-10-19 08:00:00+08:00"):
        call_command("daily", "--only", "follow_ups_escalate")
        call_command("daily", "--only", "follow_ups_escalate")
    out = capsys.readouterr().out
    assert "1 follow-up(s) escalated" in out and "0 follow-up(s) escalated" in out


def test_the_daily_command_applies_defaults_and_escalates(open_case, guide, people, bad_review, capsys):  # noqa: F811
    with freeze_time(RATED_AT):
        unrated = decided(open_case, guide, people)
    with freeze_time("2026-10-19 08:00:00+08:00"):
        call_command("daily")
    out = capsys.readouterr().out
    assert "1 default rating(s)" in out and "1 follow-up(s) escalated" in out
    assert unrated.rating.is_default


# --- garbage -------------------------------------------------------------------------------------

GARBAGE = {"called_at": "x" * 300, "call_notes": "\x00", "verdict": ["a", "b"], "verification": "", "ground": "zz",
           "statement": "x", "decision": "maybe", "reason": "", "rectification": "\x00"}
BAD_QUERY = ("?page=abc&show=zz&status=zz&window=-1&level=9&channel=zz&bad=maybe&date_from=2026-02-30"
             "&date_to=abc&by=zz&officer=-5&only=zz")
# Each alone, so that no other bad parameter stops the form before the dates reach the query.
BAD_DATES = ("?date_to=9999-12-31", "?date_to=0001-01-01", "?date_from=0001-01-01", "?date_from=9999-12-31",
             "?officer=99999999999999999999", "?page=99999999999999999999")


@pytest.mark.parametrize("who", ["officer", "civilian", "head", "county", "cityadmin", "inspector", "outsider", None])
def test_no_evaluations_page_answers_garbage_with_a_server_error(people, bad_review, who):
    from django.test import Client

    from evaluations.models import Contest

    contest = services.contest_file(rating=bad_review.rating, actor=people.officer, ground="mistaken",
                                    statement="申请人误触了不满意，录像可证。")
    assert Contest.objects.count() == 1
    client = Client(raise_request_exception=False)
    if who:
        client.force_login(getattr(people, who))
    huge = "99999999999999999999"
    pages = ("follow-ups", "ratings", "contests", "usage", "usage/invites", "usage/offline")
    gets = [f"/evaluations/{p}/{query}" for p in pages for query in (BAD_QUERY, *BAD_DATES)]
    gets += [f"/evaluations/follow-ups/{bad_review.pk}/", f"/evaluations/follow-ups/{huge}/",
             f"/evaluations/ratings/{bad_review.rating_id}/", f"/evaluations/ratings/{huge}/",
             f"/evaluations/contests/{contest.pk}/", f"/evaluations/contests/{huge}/",
             f"/evaluations/follow-ups/{bad_review.pk}/call/"]
    posts = [f"/evaluations/follow-ups/{bad_review.pk}/{step}/" for step in ("call", "verify", "close", "x")]
    posts += [f"/evaluations/follow-ups/{huge}/call/", f"/evaluations/ratings/{bad_review.rating_id}/contest/",
              f"/evaluations/contests/{contest.pk}/decide/", f"/evaluations/contests/{huge}/decide/"]

    failures = [("GET", url, r.status_code) for url in gets if (r := client.get(url)).status_code >= 500]
    for url in posts:
        for data in ({}, GARBAGE):
            if (response := client.post(url, data)).status_code >= 500:
                failures.append(("POST", url, response.status_code))
    assert failures == []
