"""Writes to the service guide: drafts, items, publishing. Only the county's administrator may write."""

import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import (
    Guide,
    GuideVersion,
    Item,
    ItemCategory,
    Material,
    MaterialForm,
    PublishedVersionImmutable,
    TimeLimitKind,
    VersionStatus,
)
from catalog.selectors import version_latest_published
from core import clock
from core.audit import audit_record
from core.bounds import MAX_POSITIVE_INT, percent_lazy
from core.errors import DomainError
from org import access
from org.models import Staff, Unit, UnitKind

ITEM_FIELDS = (
    "code", "name", "category", "legal_basis", "conditions_text", "procedure", "time_limit_kind",
    "statutory_days", "promised_days", "time_limit_note", "fee_amount", "fee_basis", "fee_waiver",
    "place", "hours", "enquiry_phone", "complaint_phone", "position",
)
MATERIAL_FIELDS = ("name", "form", "copies", "notes", "condition")
NOTICE_FIELDS = ("notice_title", "notice_intro", "notice_footer")
CODE_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,29}$")
# An item's position is a PositiveIntegerField: an `integer` column on PostgreSQL.
MAX_POSITION = MAX_POSITIVE_INT
POSITION_RANGE = percent_lazy(gettext_lazy("排序应为0到%(max)s之间的整数，数字小的排在前面。"), {"max": MAX_POSITION})


class PublishRefused(DomainError):
    """The draft breaks one or more publishing rules; `problems` lists every one of them."""

    code = "publish_refused"

    def __init__(self, problems: list[str]):
        message = _("草稿还不能发布，请先修改以下问题：") + "；".join(problems)
        super().__init__(message)
        self.problems = problems


def _require_editor(actor: Staff, county: Unit) -> None:
    access.require(actor, access.GUIDE_EDIT, county,
                   message=_("只有%(county)s的县局管理员可以修改该县的办事指南。") % {"county": county.name})


def _lock_draft(version: GuideVersion) -> GuideVersion:
    """Re-read `version` under a row lock and refuse unless it is still a draft."""
    locked = GuideVersion.objects.select_for_update().select_related("guide__county").get(pk=version.pk)
    if locked.status != VersionStatus.DRAFT:
        raise PublishedVersionImmutable(
            _("第%(number)s版已发布，已发布的版本不能修改。如需调整，请新建草稿版本。") % {"number": locked.number}
        )
    return locked


def _item_snapshot(item: Item) -> dict[str, Any]:
    data = {field: getattr(item, field) for field in ITEM_FIELDS}
    data["fee_amount"] = str(data["fee_amount"])
    return data


@transaction.atomic
def guide_create_for_county(*, county: Unit, actor: Staff) -> Guide:
    """Create the (one) service guide of `county`, with no version yet."""
    if county.kind != UnitKind.COUNTY:
        raise DomainError(_("办事指南只能按县（市、区）局建立。"), code="not_a_county")
    _require_editor(actor, county)
    if Guide.objects.filter(county=county).exists():
        raise DomainError(_("%(county)s已有办事指南，每个县只能有一份。") % {"county": county.name},
                          code="guide_exists")
    try:
        with transaction.atomic():
            guide = Guide.objects.create(county=county)
    except IntegrityError as exc:
        raise DomainError(_("%(county)s已有办事指南，每个县只能有一份。") % {"county": county.name},
                          code="guide_exists") from exc
    audit_record(actor=actor, action="catalog.guide_create", obj=guide, unit=county)
    return guide


def _copy_items(source: GuideVersion, target: GuideVersion) -> int:
    count = 0
    for item in source.items.all().prefetch_related("materials").order_by("position", "code"):
        materials = list(item.materials.all())
        copy = Item(version=target, **{field: getattr(item, field) for field in ITEM_FIELDS})
        copy.save()
        Material.objects.bulk_create(
            Material(item=copy, position=m.position, **{field: getattr(m, field) for field in MATERIAL_FIELDS})
            for m in materials
        )
        count += 1
    return count


@transaction.atomic
def guide_draft_create(*, guide: Guide, actor: Staff) -> GuideVersion:
    """Open a new draft numbered after the last version, holding a copy of the latest published version."""
    _require_editor(actor, guide.county)
    # Lock the guide so two administrators cannot open two drafts at once.
    guide = Guide.objects.select_for_update().select_related("county").get(pk=guide.pk)
    existing = guide.versions.filter(status=VersionStatus.DRAFT).first()
    if existing is not None:
        raise DomainError(
            _("已有未发布的草稿（第%(number)s版），请继续编辑该草稿，或先发布或放弃它。") % {"number": existing.number},
            code="draft_exists",
        )
    number = (guide.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    source = version_latest_published(guide)
    try:
        with transaction.atomic():
            draft = GuideVersion.objects.create(guide=guide, number=number, created_by=actor)
    except IntegrityError as exc:
        raise DomainError(_("已有未发布的草稿，请刷新页面后继续编辑该草稿。"), code="draft_exists") from exc
    copied = _copy_items(source, draft) if source is not None else 0
    audit_record(actor=actor, action="catalog.draft_create", obj=draft, unit=guide.county,
                 data={"number": number, "copied_from": source.number if source else None, "items": copied})
    return draft


@transaction.atomic
def guide_draft_discard(*, version: GuideVersion, actor: Staff) -> None:
    """Throw away a draft and everything in it."""
    _require_editor(actor, version.guide.county)
    draft = _lock_draft(version)
    number = draft.number
    for item in draft.items.all():
        item.delete()
    draft.delete()
    audit_record(actor=actor, action="catalog.draft_discard", object_type="catalog.guideversion",
                 object_id=str(version.pk), unit=draft.guide.county, data={"number": number})


def _clean_text(data: Mapping[str, Any], field: str) -> str:
    value = data.get(field)
    return "" if value is None else str(value).strip()


def _clean_days(data: Mapping[str, Any], field: str, label: str) -> int | None:
    value = data.get(field)
    if value in (None, ""):
        return None
    try:
        days = int(str(value))
    except (TypeError, ValueError) as exc:
        raise DomainError(_("%(label)s请填写整数天数。") % {"label": label}, code="bad_days", field=field) from exc
    if days < 1 or days > 400:
        raise DomainError(_("%(label)s应在1到400个工作日之间。") % {"label": label}, code="bad_days", field=field)
    return days


def _check_lengths(model, values: Mapping[str, Any], *, field_for_error: str | None = None) -> None:
    for field, value in values.items():
        limit = getattr(model._meta.get_field(field), "max_length", None)
        if limit and isinstance(value, str) and len(value) > limit:
            label = model._meta.get_field(field).verbose_name
            raise DomainError(_("%(label)s不能超过%(limit)s个字，现在是%(length)s个字。")
                              % {"label": label, "limit": limit, "length": len(value)},
                              code="too_long", field=field_for_error or field)


def _clean_item(data: Mapping[str, Any]) -> dict[str, Any]:
    """Check and normalise an item's fields; raise DomainError naming the field to fix."""
    clean: dict[str, Any] = {field: _clean_text(data, field) for field in ITEM_FIELDS}
    _check_lengths(Item, clean)
    if not CODE_PATTERN.match(clean["code"]):
        raise DomainError(_("事项编码只能由数字、字母、点或短横线组成（不超过30位），例如 122001001。"),
                          code="bad_code", field="code")
    if not clean["name"]:
        raise DomainError(_("请填写事项名称。"), code="bad_name", field="name")
    if clean["category"] not in ItemCategory.values:
        raise DomainError(_("请从列表中选择事项类别。"), code="bad_category", field="category")
    if clean["time_limit_kind"] not in TimeLimitKind.values:
        raise DomainError(_("请选择办理时限类型：当场办结或按工作日承诺。"), code="bad_time_limit",
                          field="time_limit_kind")
    clean["statutory_days"] = _clean_days(data, "statutory_days", _("法定时限"))
    clean["promised_days"] = _clean_days(data, "promised_days", _("承诺时限"))
    if clean["time_limit_kind"] == TimeLimitKind.WORKING_DAYS and clean["promised_days"] is None:
        raise DomainError(_("按工作日承诺的事项必须填写承诺时限（工作日）。"), code="promised_days_missing",
                          field="promised_days")
    if (clean["promised_days"] is not None and clean["statutory_days"] is not None
            and clean["promised_days"] > clean["statutory_days"]):
        raise DomainError(_("承诺时限（%(promised)s个工作日）不能长于法定时限（%(statutory)s个工作日）。")
                          % {"promised": clean["promised_days"], "statutory": clean["statutory_days"]},
                          code="promised_over_statutory", field="promised_days")
    try:
        fee = Decimal(clean["fee_amount"] or "0")
    except InvalidOperation as exc:
        raise DomainError(_("收费金额请填写数字，例如 20 或 20.00；不收费填 0。"), code="bad_fee",
                          field="fee_amount") from exc
    if not fee.is_finite() or fee < 0 or fee >= Decimal("1000000"):
        raise DomainError(_("收费金额应在0到999999.99元之间。"), code="bad_fee", field="fee_amount")
    clean["fee_amount"] = fee.quantize(Decimal("0.01"))
    try:
        clean["position"] = int(clean["position"] or 0)
    except ValueError as exc:
        raise DomainError(POSITION_RANGE, code="bad_position", field="position") from exc
    if not 0 <= clean["position"] <= MAX_POSITION:
        raise DomainError(POSITION_RANGE, code="bad_position", field="position")
    return clean


def _clean_materials(materials: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    cleaned = []
    for n, raw in enumerate(materials, start=1):
        m: dict[str, Any] = {field: _clean_text(raw, field) for field in MATERIAL_FIELDS}
        _check_lengths(Material, m, field_for_error="materials")
        if not m["name"]:
            raise DomainError(_("第%(n)s项材料没有填写名称。") % {"n": n}, code="bad_material", field="materials")
        m["form"] = m["form"] or MaterialForm.ORIGINAL
        if m["form"] not in MaterialForm.values:
            raise DomainError(_("材料“%(name)s”的形式请选择原件、复印件或原件及复印件。") % {"name": m["name"]},
                              code="bad_material", field="materials")
        try:
            m["copies"] = int(m["copies"] or 1)
        except ValueError as exc:
            raise DomainError(_("材料“%(name)s”的份数请填写整数。") % {"name": m["name"]},
                              code="bad_material", field="materials") from exc
        if m["copies"] < 1 or m["copies"] > 99:
            raise DomainError(_("材料“%(name)s”的份数应在1到99之间。") % {"name": m["name"]},
                              code="bad_material", field="materials")
        cleaned.append(m)
    return cleaned


@transaction.atomic
def item_save(*, version: GuideVersion, actor: Staff, data: Mapping[str, Any],
              materials: Iterable[Mapping[str, Any]], item: Item | None = None) -> Item:
    """Add an item to a draft, or change `item` of that draft; its materials become exactly `materials`."""
    _require_editor(actor, version.guide.county)
    draft = _lock_draft(version)
    if item is not None and item.version_id != draft.pk:
        raise DomainError(_("该事项不属于这份草稿。"), code="item_not_in_draft")
    clean = _clean_item(data)
    material_rows = _clean_materials(materials)
    duplicate = draft.items.filter(code=clean["code"])
    if item is not None:
        duplicate = duplicate.exclude(pk=item.pk)
    if duplicate.exists():
        raise DomainError(_("事项编码 %(code)s 在本版本中已被使用，请换一个编码。") % {"code": clean["code"]},
                          code="duplicate_code", field="code")
    before = _item_snapshot(item) if item is not None else None
    target = item if item is not None else Item(version=draft)
    for field, value in clean.items():
        setattr(target, field, value)
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError as exc:
        raise DomainError(_("事项编码 %(code)s 在本版本中已被使用，请换一个编码。") % {"code": clean["code"]},
                          code="duplicate_code", field="code") from exc
    target.materials.all().delete()
    Material.objects.bulk_create(
        Material(item=target, position=position, **row) for position, row in enumerate(material_rows)
    )
    after = _item_snapshot(target)
    after["materials"] = [Material(**row).describe for row in material_rows]
    audit_record(
        actor=actor, action="catalog.item_update" if before else "catalog.item_create", obj=target,
        unit=draft.guide.county,
        data={"version": draft.number, "code": target.code, "before": before, "after": after},
    )
    return target


@transaction.atomic
def item_delete(*, item: Item, actor: Staff) -> None:
    """Remove an item (and its materials) from a draft."""
    version = item.version
    _require_editor(actor, version.guide.county)
    draft = _lock_draft(version)
    snapshot = _item_snapshot(item)
    pk = item.pk
    item.delete()
    audit_record(actor=actor, action="catalog.item_delete", object_type="catalog.item", object_id=str(pk),
                 unit=draft.guide.county, data={"version": draft.number, "item": snapshot})


def publish_problems(version: GuideVersion) -> list[str]:
    """Return every reason `version` may not be published yet (empty when it may)."""
    problems = []
    items = list(version.items.all().order_by("position", "code"))
    if not items:
        problems.append(_("草稿中还没有任何事项，请至少添加一个事项"))
    for item in items:
        label = f"{item.code} {item.name}"
        if not (item.legal_basis or "").strip():
            problems.append(_("“%(item)s”未填写法律依据") % {"item": label})
        if item.time_limit_kind == TimeLimitKind.WORKING_DAYS and item.promised_days is None:
            problems.append(_("“%(item)s”按工作日承诺，但未填写承诺时限") % {"item": label})
        if (item.promised_days is not None and item.statutory_days is not None
                and item.promised_days > item.statutory_days):
            problems.append(_("“%(item)s”的承诺时限（%(promised)s个工作日）长于法定时限（%(statutory)s个工作日）")
                            % {"item": label, "promised": item.promised_days, "statutory": item.statutory_days})
    return problems


def _publish(draft: GuideVersion, actor: Staff, effective_date: date | None, note: str) -> GuideVersion:
    today = clock.today()
    if effective_date is None:
        raise DomainError(_("请填写生效日期。"), code="effective_date_missing", field="effective_date")
    if effective_date < today:
        raise DomainError(
            _("生效日期不能早于今天（%(today)s），已经办理的业务不能改按新版本。请选择今天或以后的日期。")
            % {"today": today.isoformat()},
            code="effective_date_past", field="effective_date",
        )
    latest = (
        draft.guide.versions.filter(status=VersionStatus.PUBLISHED).order_by("-effective_date", "-number").first()
    )
    if latest is not None and latest.effective_date is not None and effective_date < latest.effective_date:
        raise DomainError(
            _("生效日期不能早于已发布的第%(number)s版的生效日期（%(date)s），否则新旧版本的先后会颠倒。")
            % {"number": latest.number, "date": latest.effective_date.isoformat()},
            code="effective_date_before_previous", field="effective_date",
        )
    problems = publish_problems(draft)
    if problems:
        raise PublishRefused(problems)
    draft.status = VersionStatus.PUBLISHED
    draft.effective_date = effective_date
    draft.note = (note or "").strip()[:200]
    draft.published_at = clock.now()
    draft.published_by = actor
    draft.save()
    audit_record(actor=actor, action="catalog.guide_publish", obj=draft, unit=draft.guide.county,
                 data={"number": draft.number, "effective_date": effective_date.isoformat(), "note": draft.note,
                       "items": draft.items.count()})
    return draft


@transaction.atomic
def guide_publish(*, version: GuideVersion, actor: Staff, effective_date: date, note: str) -> GuideVersion:
    """Publish a draft from `effective_date` on; from then on the version never changes."""
    _require_editor(actor, version.guide.county)
    draft = _lock_draft(version)
    return _publish(draft, actor, effective_date, note)


@transaction.atomic
def guide_notice_update(*, guide: Guide, actor: Staff, data: Mapping[str, Any]) -> Guide:
    """Change the county's one layout of the one-time notice (R3)."""
    _require_editor(actor, guide.county)
    guide = Guide.objects.select_for_update().select_related("county").get(pk=guide.pk)
    clean = {field: _clean_text(data, field) for field in NOTICE_FIELDS}
    _check_lengths(Guide, clean)
    if not clean["notice_title"]:
        raise DomainError(_("请填写告知单标题。"), code="bad_notice", field="notice_title")
    if not clean["notice_intro"]:
        raise DomainError(_("请填写告知单开头语。"), code="bad_notice", field="notice_intro")
    before = {field: getattr(guide, field) for field in NOTICE_FIELDS}
    for field, value in clean.items():
        setattr(guide, field, value)
    guide.save(update_fields=list(NOTICE_FIELDS))
    audit_record(actor=actor, action="catalog.notice_update", obj=guide, unit=guide.county,
                 data={"before": before, "after": clean})
    return guide


@transaction.atomic
def guide_import(*, county: Unit, actor: Staff, items: Iterable[Mapping[str, Any]], effective_date: date,
                 note: str = "") -> GuideVersion:
    """Load a whole guide prepared elsewhere into a new version of `county`'s guide and publish it.

    Each item is a mapping of the item's fields with its "materials" (a list of mappings); each is checked
    exactly as one typed in on the item page, and publishing follows the usual rules (effective today or
    later, every item complete). The county's guide is created if it has none; an open draft refuses it.
    """
    _require_editor(actor, county)
    guide = Guide.objects.filter(county=county).first() or guide_create_for_county(county=county, actor=actor)
    guide = Guide.objects.select_for_update().select_related("county").get(pk=guide.pk)
    if guide.versions.filter(status=VersionStatus.DRAFT).exists():
        raise DomainError(_("已有未发布的草稿，请先发布或放弃该草稿再导入。"), code="draft_exists")
    rows = []
    codes: set[str] = set()
    for n, spec in enumerate(items, start=1):
        clean = _clean_item({"position": n * 10, **{k: v for k, v in spec.items() if k != "materials"}})
        if clean["code"] in codes:
            raise DomainError(_("事项编码 %(code)s 重复。") % {"code": clean["code"]}, code="duplicate_code",
                              field="code")
        codes.add(clean["code"])
        rows.append((clean, _clean_materials(spec.get("materials") or [])))
    number = (guide.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    draft = GuideVersion.objects.create(guide=guide, number=number, created_by=actor)
    for clean, materials in rows:
        item = Item(version=draft, **clean)
        item.save()
        Material.objects.bulk_create(
            Material(item=item, position=position, **row) for position, row in enumerate(materials)
        )
    audit_record(actor=actor, action="catalog.guide_import", obj=draft, unit=county,
                 data={"number": number, "items": [clean["code"] for clean, _m in rows]})
    return _publish(draft, actor, effective_date, note)
