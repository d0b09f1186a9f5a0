"""Issuing numbered documents: the receipt, the one-time notice and the refusal notice."""

from decimal import Decimal

from catalog.models import Item, Material
from core import clock
from core.audit import audit_record
from core.models import m2m_add
from core.personal import mask_id_number, mask_phone
from core.serials import serial_next
from counter import hooks
from counter.models import KIND_MARK, Case, Document, DocumentKind

REMEDIES = (
    "如不服本决定，可以自收到本告知书之日起六十日内依法申请行政复议，"
    "或者自收到本告知书之日起六个月内依法向人民法院提起行政诉讼。"
)
TITLES = {
    DocumentKind.RECEIPT: "受理回执",
    DocumentKind.REFUSAL: "不予受理告知书",
}


def item_time_limit_text(item: Item) -> str:
    if item.is_on_the_spot:
        return "当场办结"
    text = f"承诺{item.promised_days}个工作日"
    if item.statutory_days:
        text += f"（法定{item.statutory_days}个工作日）"
    return text


def item_fee_text(item: Item) -> str:
    if not item.fee_amount or item.fee_amount == Decimal("0"):
        return "免费"
    text = f"{item.fee_amount}元"
    details = "；".join(part for part in (
        f"依据{item.fee_basis}" if item.fee_basis else "", f"减免：{item.fee_waiver}" if item.fee_waiver else ""
    ) if part)
    return f"{text}（{details}）" if details else text


def material_entry(material: Material) -> dict:
    return {
        "name": material.name, "form": material.get_form_display(), "copies": material.copies,
        "notes": material.notes, "condition": material.condition,
    }


def _received(case: Case) -> list[Material]:
    """The materials presented, in the guide's order: from what the decision already read, if it did."""
    presented = getattr(case, "_presented_ids", None)
    if presented is not None and "materials" in getattr(case.item, "_prefetched_objects_cache", {}):
        return sorted((m for m in case.item.materials.all() if m.pk in presented), key=lambda m: (m.position, m.pk))
    return list(case.materials_presented.all().order_by("position", "pk"))


def _snapshot(case: Case, kind: str, actor, *, number: str, issued_at, missing=(), notice_round=1) -> dict:
    item = case.item
    guide = case.guide_version.guide
    station = case.station
    snapshot = {
        "kind": kind,
        "title": guide.notice_title if kind == DocumentKind.NOTICE else TITLES[kind],
        "number": number,
        "issuer": f"{case.city.name}{case.county.name}{station.name}",
        "issued_at": clock.localtime(issued_at).strftime("%Y-%m-%d %H:%M"),
        "case_number": case.number,
        "applicant": {
            "name": case.applicant_name,
            "id_number": mask_id_number(case.applicant_id_number),
            "phone": mask_phone(case.applicant_phone),
        },
        "item": {
            "code": item.code, "name": item.name, "legal_basis": item.legal_basis,
            "time_limit": item_time_limit_text(item), "fee": item_fee_text(item), "place": item.place,
            "hours": item.hours, "enquiry_phone": item.enquiry_phone, "complaint_phone": item.complaint_phone,
        },
        "window": case.window.name,
        "officer": {"name": actor.display_name, "police_number": actor.police_number},
        "materials_received": [m.describe for m in _received(case)],
    }
    # What the apps above add (evaluations: "rating_hint" and "rating_url", printed as text and QR code).
    for extra in hooks.document_issuing.publish(case=case, kind=kind):
        snapshot.update(extra)
    if kind == DocumentKind.NOTICE:
        snapshot.update({
            "materials_missing": [material_entry(m) for m in missing],
            "notice_intro": guide.notice_intro, "notice_footer": guide.notice_footer,
            "notice_round": notice_round,
        })
    elif kind == DocumentKind.RECEIPT:
        snapshot.update({
            "deadline": case.deadline.isoformat() if case.deadline else "",
            "deadline_provisional": case.deadline_provisional,
            "completed_on_the_spot": item.is_on_the_spot,
        })
    else:
        snapshot.update({
            "refusal_basis": case.refusal_basis, "refusal_explanation": case.refusal_explanation,
            "remedies": REMEDIES,
        })
    return snapshot


def document_issue(*, case: Case, kind: str, actor, missing=(), notice_round: int = 1) -> Document:
    """Number and freeze a document for `case`; call inside the decision's transaction."""
    station = case.station
    issued_at = clock.now()
    year = clock.localtime(issued_at).year
    serial = serial_next(f"doc:{station.pk}:{kind}:{year}")
    prefix = station.doc_prefix or station.code
    number = f"{prefix}{KIND_MARK[kind]}〔{year}〕第{serial:06d}号"
    document = Document.objects.create(
        case=case, kind=kind, unit=station, year=year, serial=serial, number=number, issued_at=issued_at,
        issued_by=actor,
        snapshot=_snapshot(case, kind, actor, number=number, issued_at=issued_at, missing=missing,
                           notice_round=notice_round),
    )
    if missing:
        m2m_add(Document.materials, document.pk, missing)
    audit_record(actor=actor, action="document.issued", obj=document, unit=case.window,
                 data={"number": number, "kind": kind, "case": case.number})
    return document
