"""Each workflow's states and steps are one table; the services and pages ask it, and it refuses in Chinese."""

import pytest

from core.errors import ConflictError, http_status
from core.workflow import Transition, Workflow
from counter.states import CASE_WORKFLOW, STAGE_ENDED, CaseStatus, Decision
from evaluations.states import CONTEST_WORKFLOW, FOLLOW_UP_WORKFLOW, ContestStatus, FollowUpStatus
from org import access

WORKFLOWS = [CASE_WORKFLOW, FOLLOW_UP_WORKFLOW, CONTEST_WORKFLOW]


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda w: w.name)
def test_every_state_is_reachable_or_a_start_and_every_step_needs_a_capability_of_the_table(workflow):
    targets = {s for t in workflow.transitions.values() for s in t.targets}
    sources = {s for t in workflow.transitions.values() for s in t.sources}
    assert set(workflow.states.values) == targets | sources
    for t in workflow.transitions.values():
        assert t.capability in access.CAPABILITIES


def test_the_case_table_says_what_each_state_offers():
    assert [t.action for t in CASE_WORKFLOW.actions_from(CaseStatus.INTAKE)] == ["accept", "notice", "refuse"]
    assert [t.action for t in CASE_WORKFLOW.actions_from(CaseStatus.ACCEPTED)] == ["complete"]
    assert CASE_WORKFLOW.is_final(CaseStatus.COMPLETED) and CASE_WORKFLOW.is_final(CaseStatus.REFUSED)
    assert {stage for (_decision, _state), stage in STAGE_ENDED.items()} == {"notice", "refusal", "completion"}


def test_a_step_the_table_does_not_hold_is_a_409_in_chinese():
    with pytest.raises(ConflictError) as refused:
        CASE_WORKFLOW.check(CaseStatus.COMPLETED, Decision.ACCEPT)
    assert refused.value.message == "办件当前状态为“已办结”，不能受理。"
    assert (refused.value.code, http_status(refused.value)) == ("bad_transition", 409)

    with pytest.raises(ConflictError) as again:
        CONTEST_WORKFLOW.check(ContestStatus.UPHELD, "decide")
    assert (again.value.code, again.value.message) == ("already_decided", "该申诉已经复核。")

    with pytest.raises(ConflictError) as early:
        FOLLOW_UP_WORKFLOW.check(FollowUpStatus.OPEN, "close")
    assert "当前状态为“待回访”，不能进行这一步" in early.value.message


def test_a_service_that_computes_a_state_the_table_does_not_allow_is_stopped():
    with pytest.raises(ValueError):
        CASE_WORKFLOW.check_target(Decision.NOTICE, CaseStatus.COMPLETED)
    assert CASE_WORKFLOW.check_target(Decision.ACCEPT, CaseStatus.COMPLETED).action == "accept"


def test_a_table_naming_an_unknown_state_is_refused_when_it_is_written():
    with pytest.raises(ValueError):
        Workflow("broken", states=CaseStatus, refusal="%(state)s %(action)s",
                 transitions=[Transition("x", ("nowhere",), (CaseStatus.INTAKE,), access.CASE_DECIDE, "x")])


def test_the_rows_for_people_name_states_in_chinese():
    rows = FOLLOW_UP_WORKFLOW.rows()
    assert [(r["action"], [str(s) for s in r["from"]], [str(s) for s in r["to"]]) for r in rows] == [
        ("call", ["待回访"], ["已回访待核实"]), ("verify", ["已回访待核实"], ["已核实待整改"]),
        ("close", ["已核实待整改"], ["已办结"])]
