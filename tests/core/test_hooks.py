"""Hooks: the counter lets evaluations act without importing it, and R7 cannot be forgotten."""

import pytest
from django.core import checks

from core.hooks import Hook, all_hooks
from counter import hooks as counter_hooks
from counter import services
from evaluations.models import Invite, RatingLink
from evaluations.services import document_rating_fields, invite_for_decision


def test_evaluations_subscribes_to_every_stage_that_ends():
    assert invite_for_decision in counter_hooks.stage_ended.subscribers
    assert document_rating_fields in counter_hooks.document_issuing.subscribers
    assert counter_hooks.case_panels.subscribers


@pytest.mark.parametrize("decide, stage", [
    (lambda case, officer: services.case_notify(case=case, actor=officer), "notice"),
    (lambda case, officer: services.case_refuse(case=case, actor=officer, legal_basis="《户口登记条例》第六条",
                                                explanation="申请人不在本辖区居住，应到常住地派出所申请。"), "refusal"),
])
def test_every_stage_that_ends_asks_for_exactly_one_rating(people, open_case, decide, stage):
    case = open_case(None, "出生医学证明")
    decide(case, people.officer)
    assert list(Invite.objects.filter(case=case).values_list("stage", flat=True)) == [stage]


def test_a_completion_asks_for_a_rating_and_an_acceptance_that_does_not_complete_does_not(people, open_case, guide):
    on_the_spot = open_case(guide.death, "死亡医学证明", "死者户口簿", "申报人居民身份证")
    services.case_accept(case=on_the_spot, actor=people.officer)
    later = open_case(None, "出生医学证明", "父母户口簿", "父母结婚证")
    services.case_accept(case=later, actor=people.officer)

    assert list(Invite.objects.filter(case=on_the_spot).values_list("stage", flat=True)) == ["completion"]
    assert not Invite.objects.filter(case=later).exists()
    services.case_complete(case=later, actor=people.officer)
    assert list(Invite.objects.filter(case=later).values_list("stage", flat=True)) == ["completion"]


def test_without_the_subscriber_no_rating_is_asked_and_the_start_is_refused(people, open_case):
    counter_hooks.stage_ended.unsubscribe(invite_for_decision)
    try:
        case = open_case(None, "出生医学证明")
        services.case_notify(case=case, actor=people.officer)
        problems = [m for m in checks.run_checks() if m.id == "core.E001"]
    finally:
        counter_hooks.stage_ended.subscribe(invite_for_decision)

    assert not Invite.objects.filter(case=case).exists()
    assert [p.msg for p in problems] == ["hook counter.stage_ended has no subscriber"]


def test_every_document_prints_the_cases_one_rating_link(people, open_case):
    case = open_case(None, "出生医学证明")
    notice = services.case_notify(case=case, actor=people.officer)
    services.case_accept(case=case, actor=people.officer, material_ids=[m.pk for m in services.missing_materials(case)])
    receipt = case.documents.get(kind="receipt")

    token = RatingLink.objects.get(case=case).token
    assert notice.snapshot["rating_url"] == receipt.snapshot["rating_url"] == f"http://testserver/r/{token}"


def test_a_failing_subscriber_rolls_the_decision_back(people, open_case):
    def broken(**event):
        raise RuntimeError("subscriber failed")

    case = open_case(None, "出生医学证明")
    counter_hooks.stage_ended.subscribe(broken)
    try:
        with pytest.raises(RuntimeError):
            services.case_notify(case=case, actor=people.officer)
    finally:
        counter_hooks.stage_ended.unsubscribe(broken)
    case.refresh_from_db()
    assert case.status == "intake" and not case.documents.exists() and not Invite.objects.filter(case=case).exists()


def test_a_hook_calls_its_subscribers_in_order_once_each_and_keeps_their_answers():
    hook = Hook("test.hook", doc="a test")
    calls = []
    hook.subscribe(lambda **e: calls.append(("a", e)) or "first")
    second = hook.subscribe(lambda **e: calls.append(("b", e)))
    hook.subscribe(second)

    assert hook.publish(x=1) == ["first"]
    assert calls == [("a", {"x": 1}), ("b", {"x": 1})]
    assert hook in all_hooks() and not hook.required
