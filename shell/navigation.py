"""The menu and page-top warnings each person sees; what to show is asked of org.access."""

import datetime

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from org import access
from workdays.selectors import years_missing

# (url name, label, capability the menu item needs; None = everyone signed in)
MENU = [
    ("counter:desk", gettext_lazy("窗口受理"), access.CASE_RECORD),
    ("counter:case_list", gettext_lazy("办件列表"), None),
    ("catalog:guide_list", gettext_lazy("办事指南"), None),
    ("workdays:year_list", gettext_lazy("工作日历"), access.CALENDAR_READ),
    ("evaluations:device_list", gettext_lazy("评价器"), access.DEVICE_MANAGE),
    ("evaluations:rating_list", gettext_lazy("服务评价"), None),
    ("evaluations:follow_up_list", gettext_lazy("差评回访"), access.FOLLOW_UP_READ),
    ("evaluations:contest_list", gettext_lazy("申诉复核"), None),
    ("evaluations:usage", gettext_lazy("评价器使用"), access.USAGE_READ),
    ("org:staff_list", gettext_lazy("人员"), access.STAFF_READ),
    ("api:keys", gettext_lazy("接口密钥"), access.API_KEY_MANAGE),
    ("shell:audit_list", gettext_lazy("审计日志"), access.AUDIT_READ),
]


def nav_for(user) -> list[dict]:
    items = []
    for name, label, capability in MENU:
        if capability is not None and not access.can(user, capability):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "name": name})
    return items


def warnings_for(user, today: datetime.date) -> list[str]:
    """Warn those who read the calendar of a year whose holiday schedule is missing (this year; next from November)."""
    if not access.can(user, access.CALENDAR_READ):
        return []
    return [
        _("%(year)s 年的法定节假日安排尚未录入：该年的期限暂按周末计算并标注为“暂定”，请市局管理员尽快录入。")
        % {"year": year}
        for year in years_missing(today)
    ]


def home_url_name(user) -> str:
    """The screen each person works on: window staff the counter, everyone else the case list."""
    if access.can(user, access.CASE_RECORD) and not access.can(user, access.RATING_READ_UNITS):
        return "counter:desk"
    return "counter:case_list"
