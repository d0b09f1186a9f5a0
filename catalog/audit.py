"""The catalog's audit vocabulary: guides, their versions and items in words.

Imported by CatalogConfig.ready() (core/audit.py says how the audit log uses it).
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalog.models import Guide, GuideVersion, Item
from core.audit import ObjectRef, actions_register, fields_register, objects_register

ACTIONS = {
    "catalog.guide_create": _("建立办事指南"),
    "catalog.draft_create": _("新建指南草稿"),
    "catalog.draft_discard": _("放弃指南草稿"),
    "catalog.item_create": _("新增事项"),
    "catalog.item_update": _("修改事项"),
    "catalog.item_delete": _("删除事项"),
    "catalog.guide_publish": _("发布办事指南"),
    "catalog.notice_update": _("修改公开承诺"),
    "catalog.guide_import": _("导入办事指南"),
}

FIELDS = {
    "catalog.draft_create:copied_from": _("复制自第几版"),
    "catalog.draft_create:items": _("事项数"),
    "catalog.guide_publish:items": _("事项数"),
    "catalog.guide_import:items": _("导入的事项编码"),
    "catalog.item_delete:item": _("删除的事项"),
    "version": _("版本号"),
    "code": _("事项编码"),
    "before": _("修改前"),
    "after": _("修改后"),
    "effective_date": _("生效日期"),
    "note": _("说明"),
    "name": _("名称"),
}


def _guides(ids: list[str]) -> dict[str, ObjectRef]:
    pks = [int(i) for i in ids if i.isdigit()]
    return {str(pk): ObjectRef(str(_("%(county)s办事指南") % {"county": county}),
                               reverse("catalog:guide_detail", args=[code]))
            for pk, county, code in Guide.objects.filter(pk__in=pks).values_list("pk", "county__name", "county__code")}


def _versions(ids: list[str]) -> dict[str, ObjectRef]:
    pks = [int(i) for i in ids if i.isdigit()]
    rows = GuideVersion.objects.filter(pk__in=pks).values_list("pk", "number", "guide__county__name",
                                                              "guide__county__code")
    return {str(pk): ObjectRef(str(_("%(county)s办事指南第%(n)s版") % {"county": county, "n": number}),
                               reverse("catalog:version_history", args=[code]))
            for pk, number, county, code in rows}


def _items(ids: list[str]) -> dict[str, ObjectRef]:
    pks = [int(i) for i in ids if i.isdigit()]
    rows = Item.objects.filter(pk__in=pks).values_list("pk", "code", "name", "version__number")
    return {str(pk): ObjectRef(str(_("%(code)s %(name)s（第%(n)s版）") % {"code": code, "name": name, "n": n}))
            for pk, code, name, n in rows}


def register() -> None:
    actions_register(ACTIONS)
    fields_register(FIELDS)
    objects_register("catalog.guide", _("办事指南"), _guides)
    objects_register("catalog.guideversion", _("指南版本"), _versions)
    objects_register("catalog.item", _("事项"), _items)
