"""Writes and rules about units and staff: the unit tree, accounts, qualification, duty status, sign-in lockout."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core import clock
from core.audit import audit_record
from core.errors import AccessDenied, DomainError
from org import access
from org.models import Category, DutyStatus, Role, Staff, Unit


def unit_create(*, name: str, code: str, kind: str, parent: Unit | None, actor: Staff | None = None,
                doc_prefix: str = "", address: str = "", phone: str = "") -> Unit:
    """Add a unit under `parent` (a window under a station, a station under a county ...)."""
    unit = Unit(name=(name or "").strip(), code=(code or "").strip(), kind=kind, parent=parent,
                doc_prefix=doc_prefix, address=address, phone=phone)
    try:
        unit.full_clean(exclude=["city", "county", "station"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], code="bad_unit", field=field) from exc
    try:
        with transaction.atomic():
            unit.save()
            audit_record(actor=actor, action="unit.created", obj=unit, unit=unit,
                         data={"code": unit.code, "kind": kind, "parent": parent.code if parent else None})
    except IntegrityError as exc:
        raise DomainError(_("单位代码 %(code)s 已被使用。") % {"code": unit.code}, code="duplicate_unit",
                          field="code") from exc
    return unit


def staff_create(*, username: str, full_name: str, unit: Unit, role: str, password: str,
                 category: str = Category.OFFICER, qualified: bool = True, duty_status: str = DutyStatus.ON_DUTY,
                 police_number: str = "", actor: Staff | None = None) -> Staff:
    """Open an account for a person of `unit` with `role`."""
    if role not in Role.values or category not in Category.values or duty_status not in DutyStatus.values:
        raise DomainError(_("角色、人员类别或在岗状态无效。"), code="bad_staff")
    staff = Staff(username=username, full_name=full_name, unit=unit, role=role, category=category,
                  law_enforcement_qualified=qualified, duty_status=duty_status, police_number=police_number)
    staff.set_password(password)
    try:
        with transaction.atomic():
            staff.save()
            audit_record(actor=actor, action="staff.created", obj=staff, unit=unit,
                         data={"username": username, "role": role, "category": category})
    except IntegrityError as exc:
        raise DomainError(_("用户名 %(name)s 已被使用。") % {"name": username}, code="duplicate_username",
                          field="username") from exc
    return staff


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
    if not access.can(staff, access.CASE_DECIDE):
        return str(access.CAPABILITIES[access.CASE_DECIDE].refusal)
    return None


def staff_require_decider(staff: Staff) -> None:
    problem = staff_decision_problem(staff)
    if problem:
        raise AccessDenied(problem, code="not_qualified")


def staff_set_duty_status(*, staff: Staff, status: str, actor: Staff | None, reason: str) -> Staff:
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
        data: dict[str, object] = {"failures": locked.failed_logins}
        if locked.failed_logins >= settings.LOGIN_MAX_FAILURES:
            locked.locked_until = clock.now() + timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
            locked.failed_logins = 0
            data["locked_until"] = locked.locked_until.isoformat()
        locked.save(update_fields=["failed_logins", "locked_until"])
        audit_record(actor=None, action="auth.login_failed", obj=locked, unit=locked.unit, data=data)
    return locked


def login_success_record(*, staff: Staff) -> None:
    with transaction.atomic():
        Staff.objects.filter(pk=staff.pk).update(failed_logins=0, locked_until=None)
        audit_record(actor=staff, action="auth.login", obj=staff, unit=staff.unit)
