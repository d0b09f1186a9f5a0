"""Writes and rules about staff: qualification, duty status, sign-in lockout."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.errors import PermissionDenied
from org.models import Category, DutyStatus, Role, Staff

DECIDING_ROLES = (Role.WINDOW_OFFICER, Role.STATION_HEAD)


def staff_decision_problem(staff: Staff) -> str | None:
    """Return why `staff` may not decide a hukou case (R8, R11), or None when they may."""
    if not staff.is_active:
        return _("该账号已停用，不能办理户政业务。")
    if staff.duty_status == DutyStatus.STOPPED:
        return _("您已被停止执行职务，不能办理户政业务。")
    if staff.duty_status == DutyStatus.DISMISSED:
        return _("您已被开除，不能办理户政业务。")
    if staff.category != Category.OFFICER:
        return _("文职人员、协勤人员不得直接办理户政业务（自查第10项），请由具有执法资格的民警办理。")
    if not staff.law_enforcement_qualified:
        return _("您尚未取得执法资格，不能办理户政业务。")
    if staff.role not in DECIDING_ROLES:
        return _("您的角色不办理窗口业务。")
    return None


def staff_require_decider(staff: Staff) -> None:
    problem = staff_decision_problem(staff)
    if problem:
        raise PermissionDenied(problem, code="not_qualified")


def staff_set_duty_status(*, staff: Staff, status: str, actor: Staff, reason: str) -> Staff:
    """Change a staff member's duty status (a sanction or its lifting), with the reason audited."""
    if status not in DutyStatus.values:
        raise ValueError(status)
    with transaction.atomic():
        locked = Staff.objects.select_for_update().get(pk=staff.pk)
        before = locked.duty_status
        locked.duty_status = status
        locked.save(update_fields=["duty_status"])
        audit_record(actor=actor, action="staff.duty_status", obj=locked, unit=locked.unit,
                     data={"from": before, "to": status, "reason": reason})
    return locked


def login_failure_record(*, staff: Staff) -> Staff:
    """Count a failed sign-in; lock the account after too many in a row."""
    with transaction.atomic():
        locked = Staff.objects.select_for_update().get(pk=staff.pk)
        locked.failed_logins += 1
        data = {"failures": locked.failed_logins}
        if locked.failed_logins >= settings.LOGIN_MAX_FAILURES:
            locked.locked_until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
            locked.failed_logins = 0
            data["locked_until"] = locked.locked_until.isoformat()
        locked.save(update_fields=["failed_logins", "locked_until"])
        audit_record(actor=None, action="auth.login_failed", obj=locked, unit=locked.unit, data=data)
    return locked


def login_success_record(*, staff: Staff) -> None:
    with transaction.atomic():
        Staff.objects.filter(pk=staff.pk).update(failed_logins=0, locked_until=None)
        audit_record(actor=staff, action="auth.login", obj=staff, unit=staff.unit)
