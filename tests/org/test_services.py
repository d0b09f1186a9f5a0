"""Who may decide a case (R8, R11), and duty-status changes being audited."""

import pytest
from django.utils import translation

from core.errors import AccessDenied
from core.models import AuditEvent
from org.models import DutyStatus
from org.services import staff_decision_problem, staff_require_decider, staff_set_duty_status


@pytest.fixture(autouse=True)
def in_chinese():
    """Messages are compared in Chinese; another test's English request may have left English active."""
    with translation.override("zh-hans"):
        yield


def test_a_qualified_officer_on_duty_may_decide(people):
    assert staff_decision_problem(people.officer) is None
    staff_require_decider(people.officer)


def test_a_qualified_station_head_may_decide(people):
    assert staff_decision_problem(people.head) is None


@pytest.mark.parametrize("persona", ["civilian", "auxiliary"])
def test_civilian_and_auxiliary_staff_may_not_decide(people, persona):
    problem = staff_decision_problem(getattr(people, persona))

    assert problem == "文职人员、协勤人员不得直接办理户政业务，请由具有执法资格的民警作出决定。"


def test_a_stopped_officer_may_not_decide(people):
    assert staff_decision_problem(people.stopped) == "您已被停止执行职务，不能办理户政业务。"


def test_a_dismissed_officer_may_not_decide(people):
    people.officer.duty_status = DutyStatus.DISMISSED

    assert staff_decision_problem(people.officer) == "您已被开除，不能办理户政业务。"


def test_an_officer_without_law_enforcement_qualification_may_not_decide(people):
    people.officer.law_enforcement_qualified = False

    assert staff_decision_problem(people.officer) == "您尚未取得执法资格，不能办理户政业务。"


def test_a_deactivated_account_may_not_decide(people):
    people.officer.is_active = False

    assert "已停用" in staff_decision_problem(people.officer)


@pytest.mark.parametrize("persona", ["county", "cityadmin", "inspector"])
def test_administrators_do_not_decide_window_cases(people, persona):
    assert staff_decision_problem(getattr(people, persona)) == "您的角色不办理窗口业务。"


def test_require_decider_raises_a_coded_error(people):
    with pytest.raises(AccessDenied) as caught:
        staff_require_decider(people.civilian)

    assert caught.value.code == "not_qualified"
    assert "文职人员" in str(caught.value)


def test_stopping_an_officer_changes_the_status_and_writes_an_audit_event(people, city):
    updated = staff_set_duty_status(staff=people.officer, status=DutyStatus.STOPPED, actor=people.county,
                                    reason="群众投诉查实，停止执行职务")

    assert updated.duty_status == DutyStatus.STOPPED
    people.officer.refresh_from_db()
    assert people.officer.duty_status == DutyStatus.STOPPED
    assert staff_decision_problem(people.officer) == "您已被停止执行职务，不能办理户政业务。"
    event = AuditEvent.objects.get(action="staff.duty_status")
    assert event.actor == people.county
    assert event.object_type == "org.staff"
    assert event.object_id == str(people.officer.pk)
    assert event.unit == city.w1
    assert event.county == city.gulou
    assert event.data == {"from": "on_duty", "to": "stopped", "reason": "群众投诉查实，停止执行职务"}


def test_lifting_a_stop_restores_the_right_to_decide(people):
    staff_set_duty_status(staff=people.stopped, status=DutyStatus.ON_DUTY, actor=people.county, reason="处分解除")

    people.stopped.refresh_from_db()
    assert staff_decision_problem(people.stopped) is None
    assert AuditEvent.objects.filter(action="staff.duty_status", data__to="on_duty").count() == 1


def test_an_unknown_status_is_refused_and_nothing_is_written(people):
    before = AuditEvent.objects.count()  # the personas' own accounts were opened through the services
    with pytest.raises(ValueError):
        staff_set_duty_status(staff=people.officer, status="holiday", actor=people.county, reason="")

    people.officer.refresh_from_db()
    assert people.officer.duty_status == DutyStatus.ON_DUTY
    assert AuditEvent.objects.count() == before

