"""The rater is protected from retaliation (GB/T 39734): the rated officer reads what was said, never who said it.

Window staff see their own ratings without the case, the applicant or the minute; on a case page only that it
was rated; never a colleague's rating. The supervisors see rating and case together, and the station head calling
the applicant back reveals the phone on the follow-up page, audited.
"""

import pytest
from django.urls import reverse
from freezegun import freeze_time

from core.models import AuditEvent
from counter import services as counter_services
from evaluations import services
from evaluations.models import Contest, Invite, Level
from org import access
from org.models import DutyStatus, Role
from tests.factories import StaffFactory, valid_id

NOW = "2026-11-03 10:07:00+08:00"  # the minute is on the supervisors' pages only
COMMENT = "叫号后等了很久才办理"
NAME, PHONE, MASKED_PHONE = "张小明", "13800138000", "138****8000"
STATEMENT = "申请人当场表示满意，离开时误触了“不满意”，窗口录像可证。"


def rated(make_case, guides, people, level=Level.DISSATISFIED, *, actor=None, window=None, comment=COMMENT):
    """A death deregistration accepted on the spot by `actor`, then rated by QR."""
    actor = actor or people.officer
    item = guides.death
    case = make_case(item, *[m.name for m in item.materials.all()], actor=actor, window=window)
    counter_services.case_accept(case=case, actor=actor)
    reasons = ("attitude",) if level <= 2 else ()
    return services.rating_submit(invite=Invite.objects.get(case=case), channel="qr",
                                  data=services.RatingInput(level, level, level, level, reasons, "", comment))


@pytest.fixture
def bad(open_case, guide, people):  # noqa: F811
    with freeze_time(NOW):
        return rated(open_case, guide, people)


def ratings_pages(client, rating) -> str:
    with freeze_time(NOW):
        listed = client.get(reverse("evaluations:rating_list"))
        detail = client.get(reverse("evaluations:rating_detail", args=[rating.pk]))
    assert listed.status_code == 200 and detail.status_code == 200
    return listed.content.decode() + detail.content.decode()


def case_page(client, rating) -> str:
    response = client.get(reverse("counter:case_detail", args=[rating.case.number]))
    assert response.status_code == 200
    return response.content.decode()


def identifies_the_applicant_or_the_case(body: str, rating) -> list[str]:
    """What in `body` would tell the rated officer whom to blame."""
    case = rating.case
    clues = {"applicant": NAME, "phone": PHONE, "masked phone": MASKED_PHONE, "id number": valid_id(),
             "case number": case.number, "case link": reverse("counter:case_detail", args=[case.number]),
             "minute": "10:07"}
    clues.update({f"document {d.number}": d.number for d in case.documents.all()})
    return [what for what, text in clues.items() if text in body]


def follow_up_url(rating, name="evaluations:follow_up_detail"):
    return reverse(name, args=[rating.follow_up.pk])


# --- the rated officer ---------------------------------------------------------------------------------


def test_the_rated_officer_reads_his_rating_but_not_whose_case_it_was(client_for, people, bad):
    body = ratings_pages(client_for(people.officer), bad)

    assert "不满意" in body and COMMENT in body and "服务态度差" in body and "2026-11-03" in body
    assert f'data-rating="{bad.pk}"' in body
    assert identifies_the_applicant_or_the_case(body, bad) == []


def test_the_rated_officer_still_contests_his_bad_review_without_seeing_the_case(client_for, people, bad):
    client = client_for(people.officer)
    with freeze_time("2026-11-04 09:30:00+08:00"):  # his own filing time is his to see
        assert "提交申诉" in client.get(reverse("evaluations:rating_detail", args=[bad.pk])).content.decode()
        response = client.post(reverse("evaluations:contest_file", args=[bad.pk]),
                               {"ground": "malicious", "statement": STATEMENT})
        contest = Contest.objects.get()
        assert response.status_code == 302 and contest.rating == bad and contest.filed_by == people.officer
        body = (client.get(reverse("evaluations:contest_list")).content.decode()
                + client.get(reverse("evaluations:contest_detail", args=[contest.pk])).content.decode())

    assert STATEMENT in body and "不满意" in body
    assert identifies_the_applicant_or_the_case(body, bad) == []


def test_the_selector_hides_the_case_whatever_a_page_asks_for(people, bad):
    """Masking is decided by capability in evaluations.selectors, not by the templates."""
    from evaluations.selectors import rating_for, rating_shown

    seen = rating_shown(people.officer, rating_for(people.officer, bad.pk))

    assert seen.case is None and seen.get_level_display() == "不满意" and seen.comment == COMMENT
    for hidden in ("case_id", "invite", "rated_at", "received_at", "device", "client_address"):
        with pytest.raises(AttributeError):
            getattr(seen, hidden)
    assert rating_shown(people.head, rating_for(people.head, bad.pk)).case == bad.case
    assert not access.can(people.officer, access.RATING_READ_CASE)


# --- the case page and colleagues ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer", "officer2", "civilian", "auxiliary"])
def test_window_staff_see_on_the_case_page_only_that_it_was_rated(client_for, people, bad, who):
    body = case_page(client_for(getattr(people, who)), bad)

    assert 'id="case-ratings"' in body and "已评价" in body
    assert "不满意" not in body and COMMENT not in body and "服务态度差" not in body


def test_a_colleague_sees_none_of_another_officers_ratings(client_for, people, open_case, guide, bad):  # noqa: F811
    with freeze_time(NOW):
        own = rated(open_case, guide, people, Level.VERY_SATISFIED, actor=people.officer2,
                    window=people.officer2.unit, comment="办事很快")
    client = client_for(people.officer2)  # the same station, the next window

    with freeze_time(NOW):
        listed = client.get(reverse("evaluations:rating_list"), {"officer": people.officer.pk}).content.decode()
        detail = client.get(reverse("evaluations:rating_detail", args=[bad.pk]))
        contest = client.post(reverse("evaluations:contest_file", args=[bad.pk]),
                              {"ground": "mistaken", "statement": STATEMENT})
        unfiltered = client.get(reverse("evaluations:rating_list")).content.decode()

    assert f'data-rating="{bad.pk}"' not in listed + unfiltered and COMMENT not in listed + unfiltered
    assert f'data-rating="{own.pk}"' in unfiltered and "办事很快" in unfiltered
    assert detail.status_code == 404 and contest.status_code == 404
    colleagues_case = case_page(client, bad)
    assert "已评价" in colleagues_case and "不满意" not in colleagues_case


# --- the supervisors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["head", "county", "cityadmin", "inspector"])
def test_supervisors_see_the_rating_together_with_its_case(client_for, people, bad, who):
    client = client_for(getattr(people, who))

    body = ratings_pages(client, bad)
    on_the_case = case_page(client, bad)

    assert access.can(getattr(people, who), access.RATING_READ_CASE)
    assert "不满意" in body and COMMENT in body
    assert bad.case.number in body and reverse("counter:case_detail", args=[bad.case.number]) in body
    assert "10:07" in body
    assert "不满意" in on_the_case and "已评价" not in on_the_case


# --- the follow-up page: the head reveals the phone to call the applicant back --------------------------


def test_the_station_head_reveals_the_applicants_phone_on_the_follow_up_page_once_audited(client_for, people, bad):
    client = client_for(people.head)
    page = client.get(follow_up_url(bad)).content.decode()
    assert MASKED_PHONE in page and PHONE not in page and 'id="reveal-phone"' in page and "显示电话" in page
    assert not AuditEvent.objects.filter(action="follow_up.phone_viewed").exists()

    revealed = client.post(follow_up_url(bad, "evaluations:follow_up_reveal_phone"))

    body = revealed.content.decode()
    assert revealed.status_code == 200 and PHONE in body and NAME in body
    assert f'<a href="tel:{PHONE}">{PHONE}</a>' in body  # one tap calls from the head's phone
    event = AuditEvent.objects.get(action="follow_up.phone_viewed")
    assert event.actor == people.head and event.object_id == str(bad.follow_up.pk)
    assert event.object_type == "evaluations.followup" and event.data == {"case": bad.case.number}
    assert PHONE not in client.get(follow_up_url(bad)).content.decode()  # masked again on the next visit


def test_nobody_but_the_head_of_the_station_reveals_the_phone(client, people, city, bad):
    other_head = StaffFactory(username="head2", full_name="鳌峰所长", unit=city.aofeng, role=Role.STATION_HEAD)
    stopped_head = StaffFactory(username="head3", full_name="停职所长", unit=city.dongjie, role=Role.STATION_HEAD,
                                duty_status=DutyStatus.STOPPED)
    url = follow_up_url(bad, "evaluations:follow_up_reveal_phone")
    refused = {}
    for who in (people.officer, people.officer2, people.civilian, people.county, people.cityadmin, people.inspector,
                people.stopped, stopped_head, other_head):
        client.force_login(who)
        response = client.post(url)
        refused[who.username] = response.status_code
        assert PHONE not in response.content.decode()
        if who in (people.county, people.cityadmin, people.inspector):
            assert 'id="reveal-phone"' not in client.get(follow_up_url(bad)).content.decode()

    assert refused == {"officer": 403, "officer2": 403, "civilian": 403, "county": 403, "cityadmin": 403,
                       "inspector": 403, "stopped": 403, "head3": 403, "head2": 404}
    client.force_login(people.head)
    assert client.get(url).status_code == 405
    assert not AuditEvent.objects.filter(action="follow_up.phone_viewed").exists()
