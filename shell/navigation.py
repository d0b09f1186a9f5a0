"""The menu and page-top warnings each person sees; what to show is asked of org.access."""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from org import access
from workdays.selectors import years_missing

# (url name, label, the capability the item needs, or a tuple of which one is enough; None = everyone signed in)
MENU = [
    ("counter:desk", gettext_lazy("窗口受理"), access.CASE_RECORD),
    ("counter:case_list", gettext_lazy("办件列表"), None),
    ("catalog:guide_list", gettext_lazy("办事指南"), None),
    ("workdays:year_list", gettext_lazy("工作日历"), access.CALENDAR_READ),
    ("evaluations:device_list", gettext_lazy("评价器"), access.DEVICE_MANAGE),
    ("evaluations:rating_list", gettext_lazy("服务评价"), (access.CONTEST_FILE, access.RATING_READ_UNITS)),
    ("evaluations:follow_up_list", gettext_lazy("差评回访"), access.FOLLOW_UP_READ),
    ("evaluations:contest_list", gettext_lazy("申诉复核"), (access.CONTEST_FILE, access.RATING_READ_UNITS)),
    ("evaluations:usage", gettext_lazy("评价器使用"), access.USAGE_READ),
    ("org:staff_list", gettext_lazy("人员"), access.STAFF_READ),
    ("api:keys", gettext_lazy("接口密钥"), access.API_KEY_MANAGE),
    ("shell:audit_list", gettext_lazy("审计日志"), access.AUDIT_READ),
]


def nav_for(user) -> list[dict]:
    items = []
    for name, label, needs in MENU:
        enough = needs if isinstance(needs, tuple) else (needs,)
        if needs is not None and not any(access.can(user, c) for c in enough):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "name": name})
    return items


def warnings_for(user, today: datetime.date, served_host: str = "") -> list[str]:
    """The warnings at the top of every page: a year of the calendar not entered yet (for those who read the
    calendar; next year from November), and printed links that would not open this site (city administrator)."""
    warnings = []
    if access.can(user, access.CALENDAR_READ):
        warnings += [
            _("%(year)s 年的法定节假日安排尚未录入：该年的期限暂按周末计算并标注为“暂定”，请市局管理员尽快录入。")
            % {"year": year}
            for year in years_missing(today)
        ]
    printed = urlsplit(settings.PUBLIC_BASE_URL).netloc
    elsewhere = bool(served_host and printed and printed.lower() != served_host.lower())
    if elsewhere and access.can(user, access.SITE_SETTINGS_READ):
        warnings.append(
            _("文书二维码印的地址是 %(printed)s，而本站现在的地址是 %(served)s：群众扫码可能打不开评价页面。"
              "请让系统管理员把 PUBLIC_BASE_URL 设为群众能访问的地址。") % {"printed": printed, "served": served_host}
        )
    return warnings


def home_url_name(user) -> str:
    """The screen each person works on: window staff the counter, everyone else the case list."""
    if access.can(user, access.CASE_RECORD) and not access.can(user, access.RATING_READ_UNITS):
        return "counter:desk"
    return "counter:case_list"
