"""Who may do what, and where: the one capability table, and the part of the unit tree each role sees.

Services (`require`), selectors, views, navigation and templates (`{% load access %}`) all ask this
module; nothing else compares roles. A capability names the roles that hold it and, optionally, the
anchor its object must share with the person:

- "station": the object's station (or the object, if it is a station) is the person's own station;
- "county": the object's county is the person's own county;
- "city": the object's city is the person's own city;
- "officer": the object (a rating, a case decision) was made by the person.

Without an object, `can()` answers for the role alone (may this person ever do it?); with one, for
that object. A person must be active to hold any capability.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy

from core.errors import AccessDenied
from org.models import DutyStatus, Role, Staff, Unit

WINDOW_OFFICER, WINDOW_STAFF, STATION_HEAD = Role.WINDOW_OFFICER, Role.WINDOW_STAFF, Role.STATION_HEAD
COUNTY_ADMIN, CITY_ADMIN, CITY_INSPECTOR = Role.COUNTY_ADMIN, Role.CITY_ADMIN, Role.CITY_INSPECTOR
SUPERVISORS = (STATION_HEAD, COUNTY_ADMIN, CITY_ADMIN, CITY_INSPECTOR)

# The capabilities, as constants so that a typo is an import error.
CASE_RECORD = "case.record"
CASE_DECIDE = "case.decide"
CASE_NOTICE_OVERRIDE = "case.notice_override"
CASE_REVEAL_PERSONAL_DATA = "case.reveal_personal_data"
GUIDE_EDIT = "guide.edit"
CALENDAR_READ = "calendar.read"
CALENDAR_EDIT = "calendar.edit"
DEVICE_MANAGE = "device.manage"
RATING_READ_UNITS = "rating.read_units"
RATING_READ_CASE = "rating.read_case"
FOLLOW_UP_READ = "follow_up.read"
FOLLOW_UP_HANDLE = "follow_up.handle"
CONTEST_FILE = "contest.file"
CONTEST_DECIDE = "contest.decide"
USAGE_READ = "usage.read"
STAFF_READ = "staff.read"
AUDIT_READ = "audit.read"
API_KEY_MANAGE = "api_key.manage"
SITE_SETTINGS_READ = "site.settings_read"

ANCHORS = ("station", "county", "city", "officer")


@dataclass(frozen=True)
class Capability:
    label: Any
    roles: tuple[str, ...]
    anchor: str | None = None
    refusal: Any = gettext_lazy("您没有查看或办理该内容的权限。如确需访问，请联系本单位管理员。")
    # Acting (not reading) needs the person on duty: a sanction that stops an officer stops this too (R11).
    on_duty: bool = False


OFF_DUTY_REFUSAL = gettext_lazy("您已被停止执行职务（或已离职），不能办理此项业务。如有疑问，请联系所长。")


# The table. Reading it is the way to learn what each role may do (docs/architecture.md prints it).
CAPABILITIES: dict[str, Capability] = {
    CASE_RECORD: Capability(gettext_lazy("登记办件（窗口受理）"), (WINDOW_OFFICER, WINDOW_STAFF, STATION_HEAD),
                            refusal=gettext_lazy("只有窗口工作人员和所长可以登记办件。"), on_duty=True),
    CASE_DECIDE: Capability(gettext_lazy("决定办件：受理、一次性告知、不予受理、办结"), (WINDOW_OFFICER, STATION_HEAD),
                            refusal=gettext_lazy("您的角色不办理窗口业务。"), on_duty=True),
    CASE_NOTICE_OVERRIDE: Capability(gettext_lazy("补充告知（突破一次性告知，须写明理由）"), (STATION_HEAD,),
                                     on_duty=True),
    CASE_REVEAL_PERSONAL_DATA: Capability(gettext_lazy("查看完整的身份号码和电话（留痕）"),
                                          (WINDOW_OFFICER, STATION_HEAD),
                                          refusal=gettext_lazy("您的角色不能查看完整的身份号码和电话。"), on_duty=True),
    GUIDE_EDIT: Capability(gettext_lazy("维护并发布本县办事指南"), (COUNTY_ADMIN,), anchor="county", on_duty=True),
    CALENDAR_READ: Capability(gettext_lazy("查看工作日历"), (COUNTY_ADMIN, CITY_ADMIN, CITY_INSPECTOR)),
    CALENDAR_EDIT: Capability(gettext_lazy("录入和修改工作日历"), (CITY_ADMIN,), on_duty=True),
    DEVICE_MANAGE: Capability(gettext_lazy("配对和停用本所窗口的评价器"), (STATION_HEAD,), anchor="station",
                              refusal=gettext_lazy("只有本所所长可以管理该窗口的评价器。"), on_duty=True),
    RATING_READ_UNITS: Capability(gettext_lazy("查看本单位所有评价（窗口人员只看本人的）"), SUPERVISORS),
    # GB/T 39734: the rater is protected from retaliation. Window staff see what was said about them, never
    # which case (and so which applicant) it was, nor a level on the case page.
    RATING_READ_CASE: Capability(gettext_lazy("查看评价所评的办件和评价人（申请人）"), SUPERVISORS,
                                 refusal=gettext_lazy("评价人信息保密：窗口工作人员只能看到评价内容，"
                                                      "不能看到所评的办件和评价人。")),
    FOLLOW_UP_READ: Capability(gettext_lazy("查看差评回访整改"), SUPERVISORS),
    FOLLOW_UP_HANDLE: Capability(gettext_lazy("办理本所差评回访、核实、整改"), (STATION_HEAD,), anchor="station",
                                 refusal=gettext_lazy("只有本所所长可以办理差评回访整改。"), on_duty=True),
    CONTEST_FILE: Capability(gettext_lazy("对本人的差评申诉复核"), (WINDOW_OFFICER, STATION_HEAD), anchor="officer",
                             refusal=gettext_lazy("只有被评价的民警本人可以申诉。")),
    CONTEST_DECIDE: Capability(gettext_lazy("复核本县的申诉"), (COUNTY_ADMIN,), anchor="county",
                               refusal=gettext_lazy("只有本县局可以复核申诉。"), on_duty=True),
    USAGE_READ: Capability(gettext_lazy("查看评价器使用情况"), SUPERVISORS),
    STAFF_READ: Capability(gettext_lazy("查看本单位人员及执法资格"), SUPERVISORS),
    AUDIT_READ: Capability(gettext_lazy("查看审计日志"), SUPERVISORS),
    API_KEY_MANAGE: Capability(gettext_lazy("签发和停用接口密钥"), (CITY_ADMIN,), anchor="city",
                               refusal=gettext_lazy("只有市局管理员可以管理接口密钥。"), on_duty=True),
    SITE_SETTINGS_READ: Capability(gettext_lazy("查看站点配置的警告（如文书二维码的地址）"), (CITY_ADMIN,)),
}

# The part of the unit tree each role sees: the city, its county, or its station (window staff: their station).
SCOPE_LEVEL: dict[str, str] = {
    WINDOW_OFFICER: "station",
    WINDOW_STAFF: "station",
    STATION_HEAD: "station",
    COUNTY_ADMIN: "county",
    CITY_ADMIN: "city",
    CITY_INSPECTOR: "city",
}


@dataclass(frozen=True)
class Scope:
    """The part of the tree a user may see: 'city', 'county' or 'station' level, or 'none'."""

    level: str
    unit: Unit | None


NO_SCOPE = Scope("none", None)


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_active", False))


def scope_of(user: Any) -> Scope:
    """Return the part of the unit tree `user` may see."""
    if not _active(user) or user.unit_id is None or user.role not in SCOPE_LEVEL:
        return NO_SCOPE
    unit = user.unit
    level = SCOPE_LEVEL[user.role]
    anchor = {"city": unit.city_or_self, "county": unit.county_or_self, "station": unit.station_or_self}[level]()
    return Scope(level, anchor) if anchor is not None else NO_SCOPE


def _anchor_id(obj: Any, level: str) -> int | None:
    """The id of `obj`'s unit at `level`: a Unit's own ancestor (or itself), else the row's `<level>_id`."""
    if isinstance(obj, Unit):
        unit = {"city": obj.city_or_self, "county": obj.county_or_self, "station": obj.station_or_self}[level]()
        return unit.pk if unit is not None else None
    return getattr(obj, f"{level}_id", None)


def can(user: Any, capability: str, obj: Any = None) -> bool:
    """Whether `user` holds `capability` (for `obj`, when given). An unknown capability is a KeyError."""
    rule = CAPABILITIES[capability]
    if not _active(user) or user.role not in rule.roles:
        return False
    if rule.on_duty and user.duty_status != DutyStatus.ON_DUTY:
        return False
    if obj is None or rule.anchor is None:
        return True
    if rule.anchor == "officer":
        return getattr(obj, "officer_id", None) == user.pk
    scope = scope_of(user)
    if scope.unit is None:
        return False
    if SCOPE_LEVEL[user.role] != rule.anchor:
        return False
    return _anchor_id(obj, rule.anchor) == scope.unit.pk


def require(user: Any, capability: str, obj: Any = None, *, message: Any = None) -> None:
    """Refuse (AccessDenied, code = the capability) unless `user` holds `capability` for `obj`."""
    if not can(user, capability, obj):
        rule = CAPABILITIES[capability]
        off_duty = rule.on_duty and _active(user) and user.duty_status != DutyStatus.ON_DUTY
        if off_duty:
            raise AccessDenied(OFF_DUTY_REFUSAL, code="off_duty")
        raise AccessDenied(message or rule.refusal, code=capability.replace(".", "_"))


def capabilities_of(user: Staff) -> list[str]:
    """Every capability the user's role holds (for the staff page and the docs)."""
    return [name for name, rule in CAPABILITIES.items() if _active(user) and user.role in rule.roles]


def table_rows() -> list[dict[str, Any]]:
    """The capability table for people: one row per capability, a mark per role."""
    return [
        {"capability": name, "label": rule.label, "anchor": rule.anchor,
         "roles": [role for role in Role.values if role in rule.roles]}
        for name, rule in CAPABILITIES.items()
    ]


