"""The calendar's audit vocabulary: entered years and days in words.

Imported by WorkdaysConfig.ready() (core/audit.py says how the audit log uses it).
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.audit import ObjectRef, actions_register, fields_register, objects_register, values_register
from workdays.models import CalendarDay, CalendarYear, DayKind

ACTIONS = {
    "workdays.year_entered": _("录入年度节假日安排"),
    "workdays.day_added": _("增加节假日或调休日"),
    "workdays.day_removed": _("删除节假日或调休日"),
    "workdays.calendar_seeded": _("导入内置的节假日安排"),
}

FIELDS = {
    "year": _("年份"),
    "source": _("依据"),
    "holidays": _("放假日期"),
    "workdays": _("调休上班日期"),
    "replaced": _("替换前"),
    "date": _("日期"),
    "workdays.day_added:kind": _("类别"),
    "workdays.day_removed:kind": _("类别"),
    "name": _("名称"),
    "seeded": _("导入的年份"),
    "replace": _("替换已录入的"),
}


def _years(ids: list[str]) -> dict[str, ObjectRef]:
    pks = [int(i) for i in ids if i.isdigit()]
    return {str(pk): ObjectRef(str(_("%(year)s年日历") % {"year": year}), reverse("workdays:year_detail", args=[year]))
            for pk, year in CalendarYear.objects.filter(pk__in=pks).values_list("pk", "year")}


def _days(ids: list[str]) -> dict[str, ObjectRef]:
    pks = [int(i) for i in ids if i.isdigit()]
    return {str(pk): ObjectRef(f"{day:%Y-%m-%d} {name}".strip(), reverse("workdays:year_detail", args=[day.year]))
            for pk, day, name in CalendarDay.objects.filter(pk__in=pks).values_list("pk", "date", "name")}


def _kinds(values: list) -> dict[str, str]:
    labels = dict(DayKind.choices)
    return {v: str(labels[v]) for v in values if v in labels}


def register() -> None:
    actions_register(ACTIONS)
    fields_register(FIELDS)
    objects_register("workdays.calendaryear", _("工作日历"), _years)
    objects_register("workdays.calendarday", _("日历中的一天"), _days)
    values_register("workdays.day_added:kind", _kinds)
    values_register("workdays.day_removed:kind", _kinds)
