"""Writes and rules about units and staff: the unit tree, accounts, qualification, duty status, sign-in lockout."""

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from core import clock
from core.audit import audit_record
from core.errors import AccessDenied, DomainError
from core.models import AuditEvent, Scoped, WindowScoped
from org import access
from org.models import Category, DutyStatus, LoginLockout, Role, Staff, Unit, UnitKind, ancestors_under


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


def unit_move_problem(*, unit: Unit, parent: Unit | None) -> str | None:
    """Why `unit` may not be put under `parent` (None when it may): Unit.clean and Unit.save both ask.

    The units below a unit and every record of it (cases, ratings, follow-ups, devices: each `Scoped` row) carry
    its city, county and station as columns, copied when each was made. A move that changes them would leave all
    of those under the old county or station: seen by its people and counted in its figures. So such a move is
    allowed only while nothing hangs under the unit (its staff follow it: their scope is read from their unit).
    Its audit events do not count: they stay where they happened.
    """
    if unit.pk is None:
        return None
    city, county, station = ancestors_under(parent)
    after = tuple(u.pk if u is not None else None for u in (city, county, station))
    if after == (unit.city_id, unit.county_id, unit.station_id):
        return None
    if not unit.children.exists() and not _has_records(unit):
        return None
    if unit.kind in (UnitKind.STATION, UnitKind.BRIGADE):
        return _("%(unit)s已有窗口或办件，不能改到其他县（市、区）局：这些窗口、办件及其评价、回访仍记在原县局名下。"
                 "如需调整辖区，请在新的县局下新建%(kind)s和窗口。") % {
            "unit": unit.name, "kind": unit.get_kind_display()}
    return _("%(unit)s已有下级单位或办件等业务记录，不能改换上级单位：这些记录仍记在原上级单位名下。"
             "如需调整，请在新的上级单位下新建单位。") % {"unit": unit.name}


def _has_records(unit: Unit) -> bool:
    """Whether any scoped row (a case, a rating, a device ...) but an audit event belongs to `unit`."""
    level = {UnitKind.CITY: "city", UnitKind.COUNTY: "county", UnitKind.STATION: "station",
             UnitKind.BRIGADE: "station", UnitKind.WINDOW: "window"}[UnitKind(unit.kind)]
    base = WindowScoped if level == "window" else Scoped
    models = [m for m in apps.get_models() if issubclass(m, base) and m is not AuditEvent]
    return any(m._default_manager.filter(**{level: unit}).exists() for m in models)


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
        return _("文职人员、协勤人员不得直接办理户政业务，请由具有执法资格的民警作出决定。")
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


@dataclass(frozen=True)
class LoginCheck:
    """What a sign-in attempt came to: the person whose password was right, or why not."""

    user: Staff | None
    locked_until: datetime | None = None  # set when refused because the user name is locked from this address


def login_check(*, username: str, address: str, authenticate: Callable[[], Staff | None],
                site: str = "staff") -> LoginCheck:
    """Check a password under the lock of (username, address): refused while locked, failures counted one by one.

    `authenticate` runs while the row is locked, so parallel guesses wait for each other and none passes the
    count or the lock. LOGIN_MAX_FAILURES in a row lock the pair for LOGIN_LOCK_MINUTES, even against the right
    password; a right one resets the count. Unknown names are counted and locked like real ones.
    """
    username = (username or "")[:150]
    address = (address or "")[:64]
    with _sign_in_slot(), transaction.atomic():
        row = _lockout_row(username, address)
        now = clock.now()
        if row.is_locked(now) and row.locked_until is not None:
            # Refused without looking at the password; still on the record (the request limit bounds how often).
            _refusal_record(action="auth.login_locked", username=username, site=site,
                            data={"locked_until": row.locked_until.isoformat()})
            return LoginCheck(user=None, locked_until=row.locked_until)
        user = authenticate()
        if user is not None:
            row.delete()
            return LoginCheck(user=user)
        row.failures += 1
        row.last_failure_at = now
        data: dict[str, object] = {"failures": row.failures}
        if row.failures >= settings.LOGIN_MAX_FAILURES:
            row.locked_until = now + timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
            row.failures = 0
            data.update(locked_until=row.locked_until.isoformat(), address=address)
        row.save(update_fields=["failures", "locked_until", "last_failure_at"])
        _refusal_record(action="auth.login_failed", username=username, site=site, data=data)
        return LoginCheck(user=None, locked_until=row.locked_until if row.is_locked(now) else None)


# Checking a password costs a few hundred ms of CPU (PBKDF2) while the lockout row, and so a database
# connection, is held. A burst of sign-ins (a shift starting) would hold every connection of the process's pool
# and starve the counter; so a process checks at most SIGN_IN_CONCURRENCY passwords at once, and a sign-in
# waiting for its turn holds no connection.
_sign_in_slots = threading.BoundedSemaphore(max(1, settings.SIGN_IN_CONCURRENCY))


@contextlib.contextmanager
def _sign_in_slot():
    if not connection.in_atomic_block:
        connection.close()  # with the pool: back to the pool until this sign-in's turn
    with _sign_in_slots:
        yield


def _refusal_record(*, action: str, username: str, site: str, data: dict[str, object]) -> None:
    """Audit a refused sign-in about the account it names, or, for a name nobody has, with the name typed."""
    staff = Staff.objects.filter(username=username).select_related("unit").first()
    data = {**data, **({"site": site} if site != "staff" else {})}
    if staff is not None:
        audit_record(actor=None, action=action, obj=staff, unit=staff.unit, data=data)
    else:
        audit_record(actor=None, action=action, object_type=Staff._meta.label_lower,
                     data={**data, "username": username})


def _lockout_row(username: str, address: str) -> LoginLockout:
    """The (username, address) row, locked for this transaction; made first if there is none (race-free)."""
    rows = LoginLockout.objects.select_for_update().filter(username=username, address=address)
    # A right password deletes the row; a guess waiting for its lock then finds none and makes it again.
    while True:
        row = rows.first()
        if row is not None:
            return row
        LoginLockout.objects.bulk_create([LoginLockout(username=username, address=address)], ignore_conflicts=True)


def login_success_record(*, staff: Staff, address: str = "", site: str = "staff") -> None:
    """Audit a sign-in that the password check and the site's own rules allowed."""
    with transaction.atomic():
        # The account-wide columns the previous release locked by; cleared as it did (see Staff).
        if staff.failed_logins or staff.locked_until:
            Staff.objects.filter(pk=staff.pk).update(failed_logins=0, locked_until=None)
        audit_record(actor=staff, action="auth.login", obj=staff, unit=staff.unit,
                     data={"site": site, "address": address})
