"""Two officers decide the same case at the same moment: one wins, the other is told, nothing is lost."""

import threading

import pytest
from django.db import connections
from freezegun import freeze_time

from core.errors import ConflictError
from counter import services
from counter.models import Case, CaseStatus

# On PostgreSQL the case's row lock and the conditional revision bump decide the race; on SQLite (the demo)
# the immediate transaction makes the second writer wait for the first, then the same bump refuses it.


# serialized_rollback: the flush afterwards must not re-create content types under new ids, or the
# next test that restores the database snapshot collides with them.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@freeze_time("2026-11-27 09:00:00+08:00")
def test_two_concurrent_decisions_one_wins_and_the_other_gets_a_conflict(open_case, people):
    case = open_case(None, "出生医学证明", "父母户口簿", "父母结婚证")
    seen = case.revision
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def decide(name, call):
        barrier.wait()
        try:
            call()
            outcomes[name] = "ok"
        except ConflictError as exc:
            outcomes[name] = exc
        finally:
            connections.close_all()

    accept = threading.Thread(target=decide, args=("accept", lambda: services.case_accept(
        case=Case.objects.get(pk=case.pk), actor=people.officer, expected_revision=seen)))
    refuse = threading.Thread(target=decide, args=("refuse", lambda: services.case_refuse(
        case=Case.objects.get(pk=case.pk), actor=people.officer2, legal_basis="《户口登记条例》第七条",
        explanation="不符合办理条件，依法不予受理。", expected_revision=seen)))
    accept.start(), refuse.start()
    accept.join(10), refuse.join(10)

    winners = [name for name, result in outcomes.items() if result == "ok"]
    losers = [result for result in outcomes.values() if isinstance(result, ConflictError)]
    assert len(winners) == 1 and len(losers) == 1
    case.refresh_from_db()
    assert case.status == (CaseStatus.ACCEPTED if winners == ["accept"] else CaseStatus.REFUSED)
    assert case.revision == seen + 1
    assert case.documents.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@freeze_time("2026-11-27 09:00:00+08:00")
def test_two_intakes_at_two_windows_at_once_both_get_a_number(open_case, people, city):
    barrier = threading.Barrier(2)
    made: dict[str, object] = {}

    def intake(name, officer, window):
        barrier.wait()
        try:
            made[name] = open_case(None, "出生医学证明", actor=officer, window=window).number
        except Exception as exc:  # noqa: BLE001 - the test reports whatever went wrong
            made[name] = exc
        finally:
            connections.close_all()

    first = threading.Thread(target=intake, args=("w1", people.officer, city.w1))
    second = threading.Thread(target=intake, args=("w2", people.officer2, city.w2))
    first.start(), second.start()
    first.join(30), second.join(30)

    assert all(isinstance(number, str) for number in made.values()), made
    assert len(set(made.values())) == 2 and Case.objects.count() == 2
