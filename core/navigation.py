"""The menu and page-top warnings each role sees."""

import datetime

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from org.models import Role

COUNTER_ROLES = (Role.WINDOW_OFFICER, Role.WINDOW_STAFF, Role.STATION_HEAD)
SUPERVISOR_ROLES = (Role.STATION_HEAD, Role.COUNTY_ADMIN, Role.CITY_ADMIN, Role.CITY_INSPECTOR)
CALENDAR_ROLES = (Role.CITY_ADMIN, Role.COUNTY_ADMIN, Role.CITY_INSPECTOR)

# (url name, label, roles that see it; None = everyone signed in)
MENU = [
    ("counter:desk", gettext_lazy("窗口受理"), COUNTER_ROLES),
    ("counter:case_list", gettext_lazy("办件列表"), None),
    ("catalog:guide_list", gettext_lazy("办事指南"), None),
    ("workdays:year_list", gettext_lazy("工作日历"), CALENDAR_ROLES),
    ("evaluations:device_list", gettext_lazy("评价器"), (Role.STATION_HEAD,)),
    ("evaluations:rating_list", gettext_lazy("服务评价"), None),
    ("evaluations:follow_up_list", gettext_lazy("差评回访"), SUPERVISOR_ROLES),
    ("evaluations:contest_list", gettext_lazy("申诉复核"), None),
    ("evaluations:usage", gettext_lazy("评价器使用"), SUPERVISOR_ROLES),
    ("org:staff_list", gettext_lazy("人员"), SUPERVISOR_ROLES),
    ("api:keys", gettext_lazy("接口密钥"), (Role.CITY_ADMIN,)),
    ("core:audit_list", gettext_lazy("审计日志"), SUPERVISOR_ROLES),
]


def nav_for(user) -> list[dict]:
    items = []
    for name, label, roles in MENU:
        if roles is not None and user.role not in roles:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "name": name})
    return items


def warnings_for(user, today: datetime.date) -> list[str]:
    """Warn administrators of a year whose holiday schedule is missing (this year; next year from November)."""
    if user.role not in CALENDAR_ROLES:
        return []
    from workdays.services import year_is_entered

    years = [today.year] + ([today.year + 1] if today.month >= 11 else [])
    return [
        _("%(year)s 年的法定节假日安排尚未录入：该年的期限暂按周末计算并标注为“暂定”，请市局管理员尽快录入。")
        % {"year": year}
        for year in years
        if not year_is_entered(year)
    ]
