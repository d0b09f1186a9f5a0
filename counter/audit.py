"""The counter's audit vocabulary: what its events mean, and their cases, documents and materials in words.

Imported by CounterConfig.ready() (core/audit.py says how the audit log uses it).
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalog.models import Material
from core.audit import ObjectRef, actions_register, fields_register, objects_register, values_register
from counter.models import Case, Document, DocumentKind
from counter.states import CaseStatus, Decision

ACTIONS = {
    "case.opened": _("登记办件"),
    f"case.{Decision.ACCEPT}": _("受理"),
    f"case.{Decision.NOTICE}": _("一次性告知"),
    f"case.{Decision.REFUSE}": _("不予受理"),
    f"case.{Decision.COMPLETE}": _("办结"),
    "case.notice_override": _("所长补充告知（突破一次性告知）"),
    "case.personal_data_viewed": _("查看完整身份号码和电话"),
    "case.deadline_recomputed": _("重算承诺办结日期"),
    "document.issued": _("出具文书"),
}

FIELDS = {
    "number": _("编号"),
    "item": _("事项编码"),
    "guide_version": _("办事指南版本"),
    "materials": _("收取的材料"),
    "added_materials": _("本次补交的材料"),
    "missing": _("告知补充的材料"),
    "added": _("补充告知的材料"),
    "conditions": _("适用情形"),
    "status": _("办理后状态"),
    "deadline": _("承诺办结日期"),
    "on_the_spot": _("当场办结"),
    "round": _("告知次数"),
    "override": _("所长补充告知"),
    "legal_basis": _("法律依据"),
    "overdue": _("超期"),
    "document": _("文书编号"),
    "reason": _("理由"),
    "kind": _("文书种类"),
    "case": _("办件编号"),
    "from": _("原来"),
    "to": _("改为"),
    "provisional": _("暂定（该年日历未录入）"),
}


def _cases(ids: list[str]) -> dict[str, ObjectRef]:
    pks = [int(i) for i in ids if i.isdigit()]
    return {str(pk): ObjectRef(f"{number} {name}", reverse("counter:case_detail", args=[number]))
            for pk, number, name in Case.objects.filter(pk__in=pks).values_list("pk", "number", "item__name")}


def _documents(ids: list[str]) -> dict[str, ObjectRef]:
    pks = [int(i) for i in ids if i.isdigit()]
    return {str(pk): ObjectRef(f"{DocumentKind(kind).label} {number}", reverse("counter:document", args=[public_id]))
            for pk, number, kind, public_id in Document.objects.filter(pk__in=pks).values_list(
                "pk", "number", "kind", "public_id")}


def _materials(ids: list) -> dict[int, str]:
    pks = [i for i in ids if isinstance(i, int)]
    return dict(Material.objects.filter(pk__in=pks).values_list("pk", "name"))


def _choices(choices):
    def names(values: list) -> dict[str, str]:
        labels = dict(choices)
        return {v: str(labels[v]) for v in values if v in labels}

    return names


def register() -> None:
    actions_register(ACTIONS)
    fields_register(FIELDS)
    objects_register("counter.case", _("办件"), _cases)
    objects_register("counter.document", _("文书"), _documents)
    for key in ("materials", "added_materials", "missing", "added"):
        values_register(key, _materials)
    for action in ACTIONS:
        if action.startswith("case."):
            values_register(f"{action}:status", _choices(CaseStatus.choices))
    values_register("document.issued:kind", _choices(DocumentKind.choices))
