"""The org app's audit vocabulary: units, accounts, sign-ins and the admin's changes in words.

Imported by OrgConfig.ready() (core/audit.py says how the audit log uses it). Also holds two namers the apps
above reuse for their own keys: `choice_names` (stored codes -> their labels), `local_moments` (stored ISO
times -> Beijing time) and `units_by_code` (unit codes -> unit names).
"""

import datetime

from django.utils.translation import gettext_lazy as _

from core import clock
from core.audit import ObjectRef, actions_register, fields_register, objects_register, values_register
from org.models import Category, DutyStatus, Role, Staff, Unit, UnitKind

ADMIN_ACTIONS = ("admin.add", "admin.change")

ACTIONS = {
    "unit.created": _("新建单位"),
    "staff.created": _("开设账号"),
    "staff.duty_status": _("变更在岗状态"),
    "auth.login": _("登录"),
    "auth.login_failed": _("登录失败"),
    "auth.login_locked": _("锁定期间登录被拒"),
    "admin.add": _("在后台新增"),
    "admin.change": _("在后台修改"),
    "admin.delete": _("在后台删除"),
    "admin.password_change": _("在后台重设密码"),
}

FIELDS = {
    "unit.created:code": _("单位代码"),
    "unit.created:kind": _("单位类别"),
    "unit.created:parent": _("上级单位"),
    "staff.created:username": _("用户名"),
    "role": _("角色"),
    "category": _("人员类别"),
    "staff.duty_status:from": _("原在岗状态"),
    "staff.duty_status:to": _("变更为"),
    "site": _("登录入口"),
    "auth.login:address": _("登录地址"),
    "auth.login_failed:address": _("登录地址"),
    "failures": _("连续失败次数"),
    "auth.login_failed:username": _("所用用户名"),
    "auth.login_locked:username": _("所用用户名"),
    "locked_until": _("锁定至"),
    "repr": _("删除的记录"),
    "bulk": _("批量删除"),
    "changed": _("修改内容"),
    "usable": _("可用密码登录"),
}

# What the admin's add and change events store: the changed fields of a unit or an account, by name.
ADMIN_FIELDS = {
    # Unit
    "name": _("名称"),
    "code": _("单位代码"),
    "kind": _("单位类别"),
    "parent": _("上级单位"),
    "doc_prefix": _("文书字号"),
    "address": _("地址"),
    "phone": _("电话"),
    # Staff
    "username": _("用户名"),
    "full_name": _("姓名"),
    "police_number": _("警号/工号"),
    "unit": _("所在单位"),
    "category": _("人员类别"),
    "law_enforcement_qualified": _("具有执法资格"),
    "duty_status": _("在岗状态"),
    "role": _("角色"),
    "is_active": _("账号可用"),
    "is_staff": _("可登录后台"),
    "is_superuser": _("超级管理员"),
    "first_name": _("名"),
    "last_name": _("姓"),
    "email": _("电子邮箱"),
    "groups": _("用户组"),
    "user_permissions": _("权限"),
    "last_login": _("上次登录"),
    "date_joined": _("开设时间"),
}

SITES = {"staff": _("工作人员登录页"), "admin": _("后台管理")}


def choice_names(choices):
    """A namer for stored codes of `choices` (a TextChoices' .choices or a dict): code -> its label."""

    def names(values: list) -> dict:
        labels = dict(choices)
        return {v: str(labels[v]) for v in values if v in labels}

    return names


def local_moments(values: list) -> dict[str, str]:
    """A namer for stored ISO times: each in the city's time, to the minute (as the pages show times)."""
    shown = {}
    for value in values:
        if not isinstance(value, str):
            continue
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            continue
        shown[value] = (clock.localtime(moment) if moment.tzinfo else moment).strftime("%Y-%m-%d %H:%M")
    return shown


def _units(ids: list[str]) -> dict[str, ObjectRef]:
    pks = [int(i) for i in ids if i.isdigit()]
    return {str(u.pk): ObjectRef(u.full_name) for u in Unit.objects.filter(pk__in=pks).select_related("county",
                                                                                                       "station")}


def _staff(ids: list[str]) -> dict[str, ObjectRef]:
    pks = [int(i) for i in ids if i.isdigit()]
    rows = Staff.objects.filter(pk__in=pks).values_list("pk", "full_name", "username", "police_number", "unit__name")
    return {str(pk): ObjectRef(_person(full_name or username, number, unit)) for pk, full_name, username, number, unit
            in rows}


def _person(name: str, number: str, unit: str | None) -> str:
    text = f"{name}（{number}）" if number else name
    return f"{text} {unit}" if unit else text


def units_by_code(codes: list) -> dict[str, str]:
    return dict(Unit.objects.filter(code__in=[c for c in codes if isinstance(c, str)]).values_list("code", "name"))


def _units_by_pk(pks: list) -> dict[int, str]:
    return dict(Unit.objects.filter(pk__in=[p for p in pks if isinstance(p, int)]).values_list("pk", "name"))


def _sites(values: list) -> dict[str, str]:
    return {v: str(SITES[v]) for v in values if v in SITES}


def register() -> None:
    actions_register(ACTIONS)
    fields_register(FIELDS)
    fields_register({f"{action}:{key}": label for action in ADMIN_ACTIONS for key, label in ADMIN_FIELDS.items()})
    objects_register("org.unit", _("单位"), _units)
    objects_register("org.staff", _("工作人员"), _staff)
    values_register("unit.created:kind", choice_names(UnitKind.choices))
    values_register("unit.created:parent", units_by_code)
    values_register("role", choice_names(Role.choices))
    values_register("category", choice_names(Category.choices))
    values_register("staff.duty_status:from", choice_names(DutyStatus.choices))
    values_register("staff.duty_status:to", choice_names(DutyStatus.choices))
    values_register("site", _sites)
    values_register("locked_until", local_moments)
    for action in ADMIN_ACTIONS:
        values_register(f"{action}:kind", choice_names(UnitKind.choices))
        values_register(f"{action}:duty_status", choice_names(DutyStatus.choices))
        values_register(f"{action}:parent", _units_by_pk)
        values_register(f"{action}:unit", _units_by_pk)
        values_register(f"{action}:last_login", local_moments)
        values_register(f"{action}:date_joined", local_moments)
