"""申诉复核: the rated officer contests a bad review once; the county decides with reasons."""

import pytest
from django.urls import reverse
from freezegun import freeze_time

from core.errors import AccessDenied, DomainError
from counter import services as counter_services
from evaluations import services
from evaluations.models import Contest, ContestStatus, Invite, Level, Rating

NOW = "2026-11-03 10:00:00+08:00"
STATEMENT = "申请人当场表示满意，离开时误触了“不满意”，窗口录像可证。"
REASON = "经调取窗口录像，申请人办理过程顺利，系误触，申诉成立。"


def rated(make_case, guides, people, level, *, actor=None, window=None):
    actor = actor or people.officer
    item = guides.death
    case = make_case(item, *[m.name for m in item.materials.all()], actor=actor, window=window)
    counter_services.case_accept(case=case, actor=actor)
    reasons = ("attitude",) if level <= 2 else ()
    return services.rating_submit(invite=Invite.objects.get(case=case),
                                  data=services.RatingInput(level, level, level, level, reasons), channel="qr")


@pytest.fixture
def bad(open_case, guide, people):  # noqa: F811
    with freeze_time(NOW):
        return rated(open_case, guide, people, Level.DISSATISFIED)


@pytest.fixture
def contest(bad, people):
    with freeze_time(NOW):
        return services.contest_file(rating=bad, actor=people.officer, ground="mistaken", statement=STATEMENT)


def file_url(rating):
    return reverse("evaluations:contest_file", args=[rating.pk])


def decide_url(contest):
    return reverse("evaluations:contest_decide", args=[contest.pk])


# --- filing --------------------------------------------------------------------------------------


@freeze_time(NOW)
def test_the_rated_officer_opens_his_bad_review_and_files_a_contest(client_for, people, bad):
    client = client_for(people.officer)
    page = client.get(reverse("evaluations:rating_detail", args=[bad.pk])).content.decode()
    assert "提交申诉" in page

    response = client.post(file_url(bad), {"ground": "malicious", "statement": STATEMENT})

    contest = Contest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("evaluations:contest_detail",
                                                                           args=[contest.pk])
    assert contest.status == ContestStatus.PENDING and contest.filed_by == people.officer
    assert contest.ground == "malicious" and contest.county == bad.county


@freeze_time(NOW)
def test_the_officer_sees_only_his_own_ratings(client_for, people, open_case, guide, bad):  # noqa: F811
    other = rated(open_case, guide, people, Level.VERY_DISSATISFIED, actor=people.officer2, window=people.officer2.unit)
    client = client_for(people.officer)

    body = client.get(reverse("evaluations:rating_list")).content.decode()

    # Their own rating, without its case (the rater is confidential: tests/evaluations/test_confidentiality.py).
    assert f'data-rating="{bad.pk}"' in body and f'data-rating="{other.pk}"' not in body
    assert other.case.number not in body
    assert client.get(reverse("evaluations:rating_detail", args=[other.pk])).status_code == 404
    assert client.post(file_url(other), {"ground": "mistaken", "statement": STATEMENT}).status_code == 404


@freeze_time(NOW)
def test_nobody_but_the_rated_officer_may_contest(client_for, people, bad):
    response = client_for(people.head).post(file_url(bad), {"ground": "mistaken", "statement": STATEMENT})
    assert response.status_code == 403
    with pytest.raises(AccessDenied):
        services.contest_file(rating=bad, actor=people.head, ground="mistaken", statement=STATEMENT)
    assert not Contest.objects.exists()


@freeze_time(NOW)
def test_only_a_bad_review_can_be_contested(client_for, people, open_case, guide):  # noqa: F811
    good = rated(open_case, guide, people, Level.BASICALLY_SATISFIED)
    client = client_for(people.officer)

    assert "提交申诉" not in client.get(reverse("evaluations:rating_detail", args=[good.pk])).content.decode()
    response = client.post(file_url(good), {"ground": "mistaken", "statement": STATEMENT})

    assert response.status_code == 400 and "只有差评可以申诉复核" in response.content.decode()
    assert not Contest.objects.exists()


@freeze_time(NOW)
def test_a_bad_review_is_contested_only_once(client_for, people, contest):
    client = client_for(people.officer)
    page = client.get(reverse("evaluations:rating_detail", args=[contest.rating_id])).content.decode()
    assert "提交申诉" not in page and "待县局复核" in page

    again = client.post(file_url(contest.rating), {"ground": "malicious", "statement": STATEMENT + "再次申诉"})

    assert again.status_code == 409 and "该评价已经申诉过" in again.content.decode()
    assert Contest.objects.count() == 1


@freeze_time(NOW)
@pytest.mark.parametrize("data, message", [
    ({"statement": STATEMENT}, "请选择申诉理由：误评或恶意差评"),
    ({"ground": "boring", "statement": STATEMENT}, "请选择申诉理由：误评或恶意差评"),
    ({"ground": "mistaken", "statement": ""}, "请写明申诉理由"),
    ({"ground": "mistaken", "statement": "误评了"}, "请写明申诉理由（至少10个字）"),
])
def test_a_bad_contest_is_explained_and_the_statement_kept(client_for, people, bad, data, message):
    response = client_for(people.officer).post(file_url(bad), data)
    body = response.content.decode()
    assert response.status_code == 400 and message in body
    assert data["statement"] in body
    assert not Contest.objects.exists()


# --- deciding ------------------------------------------------------------------------------------


@freeze_time(NOW)
def test_the_county_upholds_the_contest_and_the_rating_stays_visible_with_its_reason(client_for, people, contest):
    client = client_for(people.county)
    queue = client.get(reverse("evaluations:contest_list")).content.decode()
    assert contest.rating.case.number in queue and "待县局复核" in queue

    response = client.post(decide_url(contest), {"decision": "upheld", "reason": REASON})

    assert response.status_code == 302
    contest.refresh_from_db()
    rating = Rating.objects.get(pk=contest.rating_id)
    assert contest.status == ContestStatus.UPHELD and contest.decided_by == people.county
    assert contest.decision_reason == REASON
    assert rating.excluded and rating.excluded_reason == REASON and rating.level == Level.DISSATISFIED

    for who in (people.officer, people.head, people.county, people.cityadmin):
        listing = client_for(who).get(reverse("evaluations:rating_list")).content.decode()
        assert f'data-rating="{rating.pk}"' in listing and "<del>" in listing and REASON in listing
        # The rated officer reads it without its case (the rater is confidential); the supervisors with it.
        assert (rating.case.number in listing) is (who != people.officer)
        decision = client_for(who).get(reverse("evaluations:contest_detail", args=[contest.pk])).content.decode()
        assert "申诉成立，剔除该评价" in decision and REASON in decision


@freeze_time(NOW)
def test_a_rejected_contest_keeps_the_rating(client_for, people, contest):
    reason = "录像显示民警确有不耐烦的表现，申诉不成立。"
    response = client_for(people.county).post(decide_url(contest), {"decision": "rejected", "reason": reason})
    assert response.status_code == 302
    contest.refresh_from_db()
    rating = Rating.objects.get(pk=contest.rating_id)
    assert contest.status == ContestStatus.REJECTED
    assert not rating.excluded and rating.excluded_reason == ""
    assert "申诉不成立" in client_for(people.officer).get(
        reverse("evaluations:rating_detail", args=[rating.pk])).content.decode()


@freeze_time(NOW)
def test_only_the_county_of_that_county_decides(client, people, contest):
    client.force_login(people.outsider_county)
    assert client.post(decide_url(contest), {"decision": "upheld", "reason": REASON}).status_code == 404
    for who in (people.cityadmin, people.head, people.officer):
        client.force_login(who)
        page = client.get(reverse("evaluations:contest_detail", args=[contest.pk])).content.decode()
        assert "记录复核意见" not in page
        assert client.post(decide_url(contest), {"decision": "upheld", "reason": REASON}).status_code == 403
    contest.refresh_from_db()
    assert contest.status == ContestStatus.PENDING


@freeze_time(NOW)
def test_a_contest_is_decided_once(client_for, people, contest):
    client = client_for(people.county)
    client.post(decide_url(contest), {"decision": "rejected", "reason": "录像显示民警确有不耐烦的表现。"})

    again = client.post(decide_url(contest), {"decision": "upheld", "reason": REASON})

    assert again.status_code == 409 and "该申诉已经复核" in again.content.decode()
    assert not Rating.objects.get(pk=contest.rating_id).excluded
    with pytest.raises(DomainError):
        services.contest_decide(contest=contest, actor=people.county, upheld=True, reason=REASON)


@freeze_time(NOW)
@pytest.mark.parametrize("data, message", [
    ({"reason": REASON}, "请选择复核结论"),
    ({"decision": "maybe", "reason": REASON}, "请选择复核结论"),
    ({"decision": "upheld", "reason": ""}, "请写明复核意见"),
    ({"decision": "upheld", "reason": "成立"}, "请写明复核意见（至少10个字）"),
])
def test_a_bad_decision_is_explained_and_the_reason_kept(client_for, people, contest, data, message):
    response = client_for(people.county).post(decide_url(contest), data)
    body = response.content.decode()
    assert response.status_code == 400 and message in body and data["reason"] in body
    contest.refresh_from_db()
    assert contest.status == ContestStatus.PENDING


@freeze_time(NOW)
def test_the_contest_list_is_scoped(client, people, contest):
    for who, sees in ((people.officer, True), (people.officer2, False), (people.head, True), (people.county, True),
                      (people.outsider_county, False), (people.outsider, False), (people.inspector, True)):
        client.force_login(who)
        listing = client.get(reverse("evaluations:contest_list")).content.decode()
        assert (f'data-contest="{contest.pk}"' in listing) is sees
        # The officer who filed it sees his contest without the case it is about.
        assert (contest.rating.case.number in listing) is (sees and who != people.officer)
