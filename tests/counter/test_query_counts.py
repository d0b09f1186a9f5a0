"""The number of queries of each counter decision is pinned: a change that reads something lazily (an N+1, a
second read of the case, a unit looked up for the audit record) makes one of these fail.

Each decision is counted twice: the service alone, inside a transaction as the view runs it, and the whole
POST as the officer's browser sends it (session, person, the locked case, the form, the decision). The
counts are the same on PostgreSQL and SQLite. In the test, each request's transaction is a savepoint:
SAVEPOINT and RELEASE count as two of the request's queries; in production they are BEGIN and COMMIT.
"""

import pytest
from django.db import transaction
from django.urls import reverse
from freezegun import freeze_time

from core.errors import DomainError
from counter import services
from counter.models import Case, CaseStatus, Document, DocumentKind
from evaluations.models import Invite
from tests.factories import valid_id
from tests.fixtures.cases import material_ids

pytestmark = pytest.mark.usefixtures("guide")
NOW = "2026-11-27 09:00:00+08:00"
ALL_BIRTH = ("出生医学证明", "父母户口簿", "父母结婚证")

# Queries of each decision, from reading the case under its lock (`case_lock`, one query; with the item's
# materials, which the form and an acceptance or a notice need, two) to its audit events.
DECISION_QUERIES = {
    # lock (with the rating link's token, made at intake, and the evaluator's last heartbeat,
    # counter.hooks.case_locking), the item's materials marked presented/listed, the working-day calendar, the
    # case (its UPDATE also moves the window's counts: counter/triggers.py), the receipt's serial, the receipt,
    # the audit events (one INSERT).
    "accept": 7,
    # lock, materials, the case, the invitation (its INSERT also adds to the window's day figures:
    # evaluations/triggers.py), serial, the notice, the materials it lists, the audit events.
    "notice": 8,
    # lock, the case, invitation, serial, the materials received (for the refusal notice), the refusal notice,
    # the audit events.
    "refuse": 7,
    # lock, the case, invitation, the audit events.
    "complete": 4,
}
# Each whole POST: session, person (with their unit and its ancestors), SAVEPOINT/RELEASE, the case read under
# its lock with the item's materials (the form lists them), then the decision's own queries. An acceptance
# here also records the two materials brought (one INSERT); a refusal finds the materials received among
# those already read.
REQUEST_QUERIES = {"accept": 12, "notice": 12, "refuse": 11, "complete": 9}


def _open(people, city, item, *names):
    return services.case_open(actor=people.officer, window=city.w1, item=item,
                              applicant=services.Applicant("张小明", valid_id(), "13800138000"),
                              material_ids=material_ids(item, *names))


@freeze_time(NOW)
@pytest.mark.parametrize("decision", ["accept", "notice", "refuse", "complete"])
def test_each_decision_reads_the_case_once_and_makes_a_pinned_number_of_queries(
        decision, people, city, guide, django_assert_num_queries):
    presented = ALL_BIRTH if decision in ("accept", "complete") else ALL_BIRTH[:1]
    case = _open(people, city, guide.birth, *presented)
    if decision == "complete":
        case = services.case_accept(case=case, actor=people.officer)
    case = Case.objects.get(pk=case.pk)
    officer = people.officer
    everything = material_ids(guide.birth, *ALL_BIRTH)

    with transaction.atomic():
        locked = services.case_lock(pk=case.pk, materials=decision in ("accept", "notice"))

        lock_queries = 2 if decision in ("accept", "notice") else 1
        with django_assert_num_queries(DECISION_QUERIES[decision] - lock_queries):
            if decision == "accept":
                services.case_accept(case=locked, actor=officer, material_ids=everything)
            elif decision == "notice":
                services.case_notify(case=locked, actor=officer)
            elif decision == "refuse":
                services.case_refuse(case=locked, actor=officer, legal_basis="《户口登记条例》第七条",
                                     explanation="不符合办理条件，依法不予受理。")
            else:
                services.case_complete(case=locked, actor=officer)

    case.refresh_from_db()
    assert case.status == {"accept": CaseStatus.ACCEPTED, "notice": CaseStatus.NOTICE,
                           "refuse": CaseStatus.REFUSED, "complete": CaseStatus.COMPLETED}[decision]


@freeze_time(NOW)
@pytest.mark.parametrize("decision", ["accept", "notice", "refuse", "complete"])
def test_each_decision_posted_from_the_case_page_makes_a_pinned_number_of_queries(
        decision, people, city, guide, client_for, django_assert_num_queries):
    presented = ALL_BIRTH if decision == "complete" else ALL_BIRTH[:1]
    case = _open(people, city, guide.birth, *presented)
    if decision == "complete":
        case = services.case_accept(case=case, actor=people.officer)
    client = client_for(people.officer)
    data = {"action": decision, "revision": case.revision}
    if decision == "accept":
        data["materials"] = material_ids(guide.birth, *ALL_BIRTH[1:])
    if decision == "refuse":
        data.update(legal_basis="《户口登记条例》第七条", explanation="不符合办理条件，依法不予受理。")

    with django_assert_num_queries(REQUEST_QUERIES[decision]):
        response = client.post(reverse("counter:case_decide", args=[case.number]), data)

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.revision == data["revision"] + 1


@freeze_time(NOW)
def test_a_second_notice_asks_for_no_second_rating_and_still_counts_its_round(people, city, guide):
    case = _open(people, city, guide.birth, "出生医学证明")
    services.case_notify(case=case, actor=people.officer)
    second = services.case_notify(case=Case.objects.get(pk=case.pk), actor=people.officer,
                                  material_ids=material_ids(guide.birth, "父母户口簿"))

    assert second.snapshot["notice_round"] == 2
    assert Invite.objects.filter(case=case, stage="notice").count() == 1
    assert Document.objects.filter(case=case, kind=DocumentKind.NOTICE).count() == 2


def _kept_and_counted():
    from django.db.models import Count

    from counter.models import CaseCount

    kept = {(r.window_id, r.status): r.n for r in CaseCount.objects.all() if r.n}
    counted = {(r["window_id"], r["status"]): r["n"]
               for r in Case.objects.order_by().values("window_id", "status").annotate(n=Count("id"))}
    return kept, counted


@freeze_time(NOW)
def test_the_kept_counts_agree_with_the_cases_after_every_kind_of_decision(people, city, guide, client_for):
    client = client_for(people.head)
    steps = []
    notice = _open(people, city, guide.birth, "出生医学证明")
    steps.append("intake")
    services.case_notify(case=notice, actor=people.officer)
    steps.append("notice")
    accepted = services.case_accept(case=Case.objects.get(pk=notice.pk), actor=people.officer,
                                    material_ids=material_ids(guide.birth, *ALL_BIRTH))
    steps.append("accept after a notice")
    services.case_complete(case=accepted, actor=people.officer)
    steps.append("complete")
    refused = _open(people, city, guide.birth)
    services.case_refuse(case=refused, actor=people.officer, legal_basis="《户口登记条例》第七条",
                         explanation="不符合办理条件，依法不予受理。")
    steps.append("refuse")
    on_the_spot = _open(people, city, guide.death, *[m.name for m in guide.death.materials.all()])
    services.case_accept(case=on_the_spot, actor=people.officer)
    steps.append("accept on the spot")
    _open(people, city, guide.birth, "出生医学证明", "父母户口簿")
    steps.append("intake left waiting")
    with pytest.raises(DomainError):
        services.case_accept(case=refused, actor=people.officer)  # refused: the workflow refuses, nothing moves

    kept, counted = _kept_and_counted()
    assert kept == counted, steps
    assert counted[(city.w1.pk, CaseStatus.COMPLETED)] == 2
    desk = client.get(reverse("counter:case_list")).content.decode()
    assert "共 4 件" in desk

    services.case_counts_rebuild()
    assert _kept_and_counted() == (kept, counted)


@freeze_time(NOW)
@pytest.mark.parametrize("who", ["head", "county", "inspector"])
def test_the_case_list_makes_the_same_few_queries_however_many_cases_it_shows(
        who, people, city, guide, client_for, django_assert_num_queries):
    with freeze_time("2026-11-02 09:00:00+08:00"):
        late = _open(people, city, guide.birth, *ALL_BIRTH)
        services.case_accept(case=late, actor=people.officer)
    client = client_for(getattr(people, who))
    url = reverse("counter:case_list")

    def queries_for_a_list_of(n):
        while Case.objects.count() < n:
            _open(people, city, guide.birth, "出生医学证明")
        with django_assert_num_queries(LIST_QUERIES[who]) as captured:
            body = client.get(url).content.decode()
        return body, len(captured)

    few, _ = queries_for_a_list_of(3)
    many, _ = queries_for_a_list_of(60)
    assert late.number in few and late.number in many
    assert "下一页" in many


# Session, person; the overdue cases shown first, their count; the bounded count of the rest, one page of them
# (51 rows, with item, window and officers joined); the kept counts, the overdue count and the override count
# of the filters' labels; the windows of the filter; for the county and the city, the calendar years (the
# layout's reminder to enter next year's holidays).
LIST_QUERIES = {"head": 10, "county": 11, "inspector": 11}


@freeze_time(NOW)
@pytest.mark.parametrize(("action", "presented", "queries"), [
    # The form: session, person, guide version, the item asked for, its materials, the windows (read once for
    # the choice, its default and its check), the calendar years.
    ("form", (), 6),
    # Intake then the decision in one transaction: the case just made is not read again. Intake writes the
    # case (its INSERT counts it: counter/triggers.py), its materials, its rating link and the audit events.
    ("accept", ALL_BIRTH, 23),
    ("notice", ALL_BIRTH[:1], 25),
    ("save", ALL_BIRTH[:1], 16),
])
def test_intake_makes_a_pinned_number_of_queries(action, presented, queries, people, city, guide, client_for,
                                                  django_assert_num_queries):
    client = client_for(people.officer)
    url = reverse("counter:case_new", args=[guide.birth.pk])
    materials = material_ids(guide.birth, *presented)
    data = {"window": city.w1.pk, "applicant_name": "张小明", "applicant_id_number": valid_id(),
            "applicant_phone": "13800138000", "action": action, "materials": materials}

    with django_assert_num_queries(queries):
        response = client.get(url) if action == "form" else client.post(url, data)

    assert response.status_code == (200 if action == "form" else 302)


@freeze_time(NOW)
def test_the_case_page_makes_a_pinned_number_of_queries(people, city, guide, client_for,
                                                        django_assert_num_queries):
    case = _open(people, city, guide.birth, "出生医学证明")
    services.case_notify(case=case, actor=people.officer)
    client = client_for(people.officer)

    # Session, person, the case (item, units, guide), its materials marked presented and listed, its
    # documents, and the rating panel's invitations (with their ratings joined).
    with django_assert_num_queries(CASE_PAGE_QUERIES):
        body = client.get(reverse("counter:case_detail", args=[case.number])).content.decode()

    assert "补充材料告知单" in body and "父母户口簿" in body


CASE_PAGE_QUERIES = 6


@freeze_time(NOW)
@pytest.mark.parametrize("params", [
    {"after": "garbage"}, {"before": "1-1"}, {"after": "9" * 40 + "-1"}, {"after": "1-" + "9" * 19},
    {"page": "99999999999999999999"}, {"page": "-3"}, {"after": "\x00"}, {"before": "", "page": "abc"},
    {"after": "0-0", "status": "nonsense", "window": "9" * 30},
])
def test_the_case_list_answers_a_cursor_nobody_made_with_a_page_not_an_error(params, people, city, guide,
                                                                             client_for):
    case = _open(people, city, guide.birth, "出生医学证明")

    response = client_for(people.head).get(reverse("counter:case_list"), params)

    assert response.status_code == 200
    assert case.number in response.content.decode()  # the page it falls back to still lists the case
