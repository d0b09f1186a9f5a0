"""Window cases: intake and the four decisions (R2-R6, R8, R11). The only way to change a case."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from catalog.models import Item, Material
from catalog.selectors import version_in_force
from core import clock
from core.audit import audit_batch, audit_record
from core.errors import AccessDenied, ConflictError, DomainError
from core.models import m2m_add, scope_fields
from core.personal import (
    id_number_problem,
    normalize_id_number,
    normalize_phone,
    phone_problem,
)
from core.prepared import prefetched, run
from core.serials import serial_next
from counter import hooks
from counter.documents import document_issue
from counter.models import Case, CaseCount, Document, DocumentKind, NoticeOverride
from counter.states import CASE_WORKFLOW, STAGE_ENDED, CaseStatus, Decision
from org import access
from org.models import Staff, Unit, UnitKind
from org.selectors import in_scope, unit_in_scope
from org.services import staff_require_decider
from workdays.services import add_workdays


@dataclass(frozen=True)
class Applicant:
    name: str
    id_number: str
    phone: str


def applicant_problems(applicant: Applicant) -> dict[str, str]:
    """Return field -> Chinese message for everything wrong with the applicant's details."""
    problems = {}
    if not applicant.name.strip():
        problems["applicant_name"] = _("请填写申请人姓名。")
    elif len(applicant.name.strip()) > 50:
        problems["applicant_name"] = _("申请人姓名不能超过50个字。")
    id_problem = id_number_problem(applicant.id_number)
    if id_problem:
        problems["applicant_id_number"] = id_problem
    phone = phone_problem(applicant.phone)
    if phone:
        problems["applicant_phone"] = phone
    return problems


def item_conditions(item: Item) -> list[str]:
    """The distinct conditions under which some material of `item` is required."""
    seen: list[str] = []
    for material in item.materials.all():
        if material.condition and material.condition not in seen:
            seen.append(material.condition)
    return seen


def required_materials(item: Item, conditions: Iterable[str]) -> list[Material]:
    applies = set(conditions)
    return [m for m in item.materials.all() if not m.condition or m.condition in applies]


def _presented_ids(case: Case) -> set[int]:
    """The ids of the materials presented so far: read once per decision (`_lock` loads them with the case)."""
    cached = getattr(case, "_presented_ids", None)
    if cached is None:
        cached = case._presented_ids = set(case.materials_presented.values_list("pk", flat=True))
    return cached


def missing_materials(case: Case) -> list[Material]:
    presented = _presented_ids(case)
    return [m for m in required_materials(case.item, case.conditions) if m.pk not in presented]


def _check_materials(item: Item, material_ids: Iterable[int]) -> list[Material]:
    """R5: only materials of the item's published list can be recorded."""
    ids = {int(pk) for pk in material_ids}
    allowed = {m.pk: m for m in item.materials.all()}
    outside = ids - set(allowed)
    if outside:
        raise DomainError(
            _("所选材料不在本事项的办事指南材料清单内：不得要求办事指南以外的材料（自查第3项）。"),
            code="material_outside_guide",
            field="materials",
        )
    return [allowed[pk] for pk in sorted(ids)]


def _check_conditions(item: Item, conditions: Iterable[str]) -> list[str]:
    allowed = item_conditions(item)
    chosen = [c for c in conditions if c]
    unknown = [c for c in chosen if c not in allowed]
    if unknown:
        raise DomainError(
            _("适用情形“%(c)s”不属于本事项。") % {"c": unknown[0]}, code="unknown_condition", field="conditions"
        )
    return [c for c in allowed if c in chosen]


def _check_window(actor: Staff, window: Unit) -> None:
    if window.kind != UnitKind.WINDOW or not unit_in_scope(actor, window):
        raise AccessDenied(_("您不能在该窗口办理业务。"), code="window_out_of_scope")


def case_open(
    *,
    actor: Staff,
    window: Unit,
    item: Item,
    applicant: Applicant,
    conditions: Iterable[str] = (),
    material_ids: Iterable[int] = (),
    decide_next: bool = False,
) -> Case:
    """Record a new application at `window` for `item` of the guide in force today.

    With `decide_next` (the intake form's "accept" and "notice" buttons) the caller decides the case next in
    the same transaction, which alone can see the new row: the decision then reads nothing of it again."""
    access.require(actor, access.CASE_RECORD)
    _check_window(actor, window)
    problems = applicant_problems(applicant)
    if problems:
        field, message = next(iter(problems.items()))
        raise DomainError(message, code="bad_applicant", field=field)
    county, station = window.county, window.station
    if county is None or station is None:  # a window always stands under both (Unit.save)
        raise DomainError(_("该窗口不在任何派出所下，不能登记办件。"), code="window_not_placed", field="window")
    version = version_in_force(county=county, on=clock.today())
    if version is None or item.version_id != version.pk:
        raise DomainError(_("该事项不在本县现行办事指南中，请重新选择事项。"), code="item_not_in_force", field="item")
    chosen_conditions = _check_conditions(item, conditions)
    materials = _check_materials(item, material_ids)
    now = clock.now()
    with transaction.atomic():
        year = clock.localtime(now).year
        serial = serial_next(f"case:{window.station_id}:{year}")
        case = Case.objects.create(
            number=f"{station.code}-{year}-{serial:06d}",
            **scope_fields(window, window=True),
            guide_version=version,
            item=item,
            applicant_name=applicant.name.strip(),
            applicant_id_number=normalize_id_number(applicant.id_number),
            applicant_phone=normalize_phone(applicant.phone),
            conditions=chosen_conditions,
            created_at=now,
            created_by=actor,
        )
        # The INSERT above moved the window's counts (counter/triggers.py).
        m2m_add(Case.materials_presented, case.pk, materials)
        hooks.case_opened.publish(case=case)
        if decide_next:
            _as_locked(case, window=window, version=version, presented=materials)
        audit_record(
            actor=actor,
            action="case.opened",
            obj=case,
            unit=window,
            data={
                "number": case.number,
                "item": item.code,
                "guide_version": version.number,
                "materials": [m.pk for m in materials],
                "conditions": chosen_conditions,
            },
        )
    return case


# What a decision reads with the case, in the one locking query: everything its checks, its audit record,
# its document and the rating invitation need, so that nothing is fetched lazily afterwards.
DECISION_RELATED = ("item", "window", "station", "county", "city", "guide_version__guide", "handled_by")


def case_lock(*, pk: int | None = None, number: str = "", user: Staff | None = None,
              materials: bool = False) -> Case:
    """Read the case (by id, or by number among those `user` may see) under its row lock (SELECT ... FOR
    UPDATE) with what a decision needs in one query: its item, units, guide, last officer and how many
    notices it has had; with `materials` also the item's materials, each marked presented or listed on a
    notice, in a second (`case_materials_read`). Call inside the decision's transaction: a decision given the
    case this returns does not read it again. Raises Case.DoesNotExist."""
    columns = hooks.case_locking.publish()
    by, value = ("pk", pk) if pk is not None else ("number", number)

    def build(within, anchor=None, *, value):
        notices = (Document.objects.filter(case=OuterRef("pk"), kind=DocumentKind.NOTICE).order_by()
                   .values("case").annotate(n=Count("pk")).values("n"))
        qs = (Case.objects.select_for_update(of=("self",)).select_related(*DECISION_RELATED)  # type: ignore[no-redef]
              .annotate(notice_count=Coalesce(Subquery(notices, output_field=models.IntegerField()), 0)))
        for more in columns:
            qs = qs.annotate(**more)
        if within is not None:
            qs = qs.filter(within)
        return qs.filter(**{by: value})

    # Compiled once per process for each shape (core/prepared.py): a decision's CPU went to compiling this.
    shape = (by, tuple(sorted(name for more in columns for name in more)))
    found = (in_scope(user, build, *shape, value=value) if user is not None
             else run(lambda value: build(None, value=value), *shape, value=value))
    if not found:
        raise Case.DoesNotExist
    locked = found[0]
    locked._locked_in = transaction.get_connection()
    if materials:
        case_materials_read(locked)
    return locked


def _materials_marked(case_id, item_id):
    presented = Case.materials_presented.through.objects.filter(case_id=case_id, material_id=OuterRef("pk"))
    listed = Document.materials.through.objects.filter(
        document__case_id=case_id, document__kind=DocumentKind.NOTICE, material_id=OuterRef("pk"))
    return Material.objects.filter(item_id=item_id).annotate(is_presented=Exists(presented), is_listed=Exists(listed))


def case_materials_read(case: Case) -> None:
    """Read the item's materials once, each marked presented (on this case) or listed (on one of its
    notices); keep the marks on the case for the checks that follow, which all ask `item.materials.all()`."""
    if getattr(case, "_presented_ids", None) is not None and getattr(case, "_listed_ids", None) is not None:
        return
    # As prefetch_related would leave them on the item, marked.
    prefetched(case.item, "materials", run(_materials_marked, case_id=case.pk, item_id=case.item_id))
    materials = case.item.materials.all()
    case._presented_ids = {m.pk for m in materials if getattr(m, "is_presented", False)}
    case._listed_ids = {m.pk for m in materials if getattr(m, "is_listed", False)}


def _as_locked(case: Case, *, window: Unit, version, presented: list[Material]) -> None:
    """Give the case just made what case_lock would read, so that a decision at intake (the same request's
    transaction, which alone can see the new row) reads nothing again."""
    case.window, case.guide_version = window, version
    case.station, case.county, case.city = window.station, window.county, window.city  # type: ignore[assignment]
    case.notice_count = 0
    case._presented_ids, case._listed_ids = {m.pk for m in presented}, set()
    case._made_in = transaction.get_connection()


def _decision_atomic(case: Case):
    """The decision's transaction: its own (a savepoint when nested), unless the caller read the case with
    `case_lock` in its transaction, which is then the decision's (no savepoint; the caller rolls it back)."""
    connection = transaction.get_connection()
    locked = getattr(case, "_locked_in", None) is connection and connection.in_atomic_block
    return transaction.atomic(savepoint=not locked)


def _lock(case: Case, expected_revision: int | None) -> Case:
    """The case under its lock (read now unless `case_lock` read it in this transaction), after making sure
    nobody decided it since the user loaded it; the revision moves on when the decision is saved."""
    connection = transaction.get_connection()
    held = getattr(case, "_locked_in", None) or getattr(case, "_made_in", None)
    if held is not connection or not connection.in_atomic_block:
        case = case_lock(pk=case.pk)
    # A case read by case_lock (or just made) serves one decision: the next one reads it again.
    case.__dict__.pop("_locked_in", None)
    case.__dict__.pop("_made_in", None)
    if expected_revision is not None and case.revision != expected_revision:
        who = case.handled_by.display_name if case.handled_by else _("其他人员")
        raise ConflictError(
            _("该办件刚刚已由%(who)s处理，当前状态为“%(status)s”。您的操作未保存，请查看最新情况后再办理。")
            % {"who": who, "status": case.get_status_display()},
        )
    return case


def case_counts_rebuild() -> int:
    """Recompute every window's CaseCount from the cases (after a bulk load, or to check the kept figures);
    return the number of rows written."""
    with transaction.atomic():
        CaseCount.objects.all().delete()
        rows = (Case.objects.order_by().values("window_id", "city_id", "county_id", "station_id", "status")
                .annotate(n=Count("id")))
        made = CaseCount.objects.bulk_create([CaseCount(**row) for row in rows], batch_size=1000)
    return len(made)


def _check_decision(*, actor: Staff, case: Case, decision: str) -> None:
    """R8, R11: a qualified officer on duty, re-read under the case's lock; then the workflow table."""
    staff_require_decider(actor)
    _check_window(actor, case.window)
    CASE_WORKFLOW.check(case.status, decision)


def _add_presented(case: Case, material_ids: Iterable[int]) -> list[Material]:
    """Tick off newly presented materials; after a notice only what a notice listed (R3)."""
    case_materials_read(case)
    materials = _check_materials(case.item, material_ids)
    listed, already = case._listed_ids, case._presented_ids
    new = [m for m in materials if m.pk not in already]
    if case.status == CaseStatus.NOTICE and new:
        extra = [m.name for m in new if m.pk not in listed]
        if extra:
            raise DomainError(
                _("补正时只能勾选告知单所列材料：“%(m)s”未在告知单中。") % {"m": extra[0]},
                code="material_not_on_notice",
                field="materials",
            )
    if new:
        m2m_add(Case.materials_presented, case.pk, new)
        already.update(m.pk for m in new)
    return new


def _finish(case: Case, actor: Staff, decision: str, data: dict, *, ends_stage: bool = True) -> Case:
    """Save the decision, audit it, and say which stage ended (R7: evaluations asks for a rating)."""
    CASE_WORKFLOW.check_target(decision, case.status)
    case.handled_by = actor
    case.revision += 1  # under the row lock: the next decision sent from a page loaded before this one gets 409
    case.save()  # the UPDATE moves the window's counts (counter/triggers.py)
    audit_record(
        actor=actor,
        action=f"case.{decision}",
        obj=case,
        unit=case.window,
        data={"number": case.number, "status": case.status, **data},
    )
    stage = STAGE_ENDED.get((decision, case.status))
    if stage is not None and ends_stage:
        hooks.stage_ended.publish(case=case, stage=stage, officer=actor)
    return case


def case_accept(
    *, case: Case, actor: Staff, material_ids: Iterable[int] = (), expected_revision: int | None = None
) -> Case:
    """Accept a complete application: completed on the spot, or a deadline in working days (R2, R6)."""
    with _decision_atomic(case), audit_batch():
        case = _lock(case, expected_revision)
        _check_decision(actor=actor, case=case, decision=Decision.ACCEPT)
        new = _add_presented(case, material_ids)
        missing = missing_materials(case)
        if missing:
            names = "、".join(m.name for m in missing)
            raise DomainError(
                _("材料不齐全，不能受理。缺少：%(names)s。请出具一次性告知单。") % {"names": names},
                code="materials_missing",
                field="materials",
            )
        now = clock.now()
        case.accepted_at = now
        if case.item.is_on_the_spot:
            case.status = CaseStatus.COMPLETED
            case.completed_at = now
            case.deadline = clock.localtime(now).date()
        else:
            deadline = add_workdays(clock.localtime(now).date(), case.item.promised_days or 0)
            case.status = CaseStatus.ACCEPTED
            case.deadline = deadline.date
            case.deadline_provisional = deadline.provisional
        _finish(
            case,
            actor,
            Decision.ACCEPT,
            {
                "added_materials": [m.pk for m in new],
                "deadline": str(case.deadline),
                "on_the_spot": case.item.is_on_the_spot,
            },
        )
        document_issue(case=case, kind=DocumentKind.RECEIPT, actor=actor)
    return case


def case_notify(
    *,
    case: Case,
    actor: Staff,
    material_ids: Iterable[int] = (),
    conditions: Iterable[str] | None = None,
    override_reason: str = "",
    expected_revision: int | None = None,
) -> Document:
    """Issue the one-time notice listing EVERY missing required material (R3)."""
    with _decision_atomic(case), audit_batch():
        case = _lock(case, expected_revision)
        _check_decision(actor=actor, case=case, decision=Decision.NOTICE)
        new = _add_presented(case, material_ids)
        if conditions is not None:
            case.conditions = _check_conditions(case.item, conditions)
        missing = missing_materials(case)
        if not missing:
            raise DomainError(
                _("材料已齐全，应当场受理，不能出具补充材料告知单（自查第5项）。"),
                code="nothing_missing",
                field="materials",
            )
        listed = case._listed_ids
        earlier = case.notice_count
        added: list[Material] = [m for m in missing if m.pk not in listed] if earlier else []
        if added:
            names = "、".join(m.name for m in added)
            if not access.can(actor, access.CASE_NOTICE_OVERRIDE):
                raise DomainError(
                    _(
                        "一次性告知：首次告知单未列出“%(names)s”，不得再次要求新材料。确需补充告知的，须由所长填写理由后出具。"
                    )
                    % {"names": names},
                    code="one_time_rule",
                    field="materials",
                )
            if len(override_reason.strip()) < 4:
                raise DomainError(
                    _("所长补充告知须填写理由（至少4个字），该理由将记录在案并计入报表。"),
                    code="override_reason",
                    field="override_reason",
                )
        case.status = CaseStatus.NOTICE
        _finish(
            case,
            actor,
            Decision.NOTICE,
            {
                "added_materials": [m.pk for m in new],
                "missing": [m.pk for m in missing],
                "round": earlier + 1,
                "override": bool(added),
            },
            # A stage ends once: a second or later notice belongs to the stage the first one ended.
            ends_stage=earlier == 0,
        )
        document = document_issue(
            case=case, kind=DocumentKind.NOTICE, actor=actor, missing=missing, notice_round=earlier + 1
        )
        if added:
            override = NoticeOverride.objects.create(
                case=case,
                document=document,
                approved_by=actor,
                reason=override_reason.strip(),
                **scope_fields(case.window, window=True),
            )
            m2m_add(NoticeOverride.added_materials, override.pk, added)
            audit_record(
                actor=actor,
                action="case.notice_override",
                obj=case,
                unit=case.window,
                data={"document": document.number, "added": [m.pk for m in added], "reason": override.reason},
            )
    return document


def case_refuse(
    *, case: Case, actor: Staff, legal_basis: str, explanation: str, expected_revision: int | None = None
) -> Case:
    """Refuse an application the law does not allow, in writing, with the legal basis (R4)."""
    legal_basis, explanation = (legal_basis or "").strip(), (explanation or "").strip()
    if len(legal_basis) < 4:
        raise DomainError(
            _("请填写不予受理的法律依据（法律法规名称及条款）。"), code="refusal_basis", field="legal_basis"
        )
    if len(explanation) < 10:
        raise DomainError(
            _("请向申请人写明不予受理的理由（至少10个字），耐心解释。"), code="refusal_explanation", field="explanation"
        )
    with _decision_atomic(case), audit_batch():
        case = _lock(case, expected_revision)
        _check_decision(actor=actor, case=case, decision=Decision.REFUSE)
        case.status = CaseStatus.REFUSED
        case.refused_at = clock.now()
        case.refusal_basis = legal_basis
        case.refusal_explanation = explanation
        _finish(case, actor, Decision.REFUSE, {"legal_basis": legal_basis})
        document_issue(case=case, kind=DocumentKind.REFUSAL, actor=actor)
    return case


def case_complete(*, case: Case, actor: Staff, expected_revision: int | None = None) -> Case:
    """Mark an accepted case as done."""
    with _decision_atomic(case), audit_batch():
        case = _lock(case, expected_revision)
        _check_decision(actor=actor, case=case, decision=Decision.COMPLETE)
        case.status = CaseStatus.COMPLETED
        case.completed_at = clock.now()
        _finish(case, actor, Decision.COMPLETE, {"overdue": case.is_overdue()})
    return case


def case_reveal_personal_data(*, case: Case, actor: Staff) -> dict[str, str]:
    """Return the unmasked ID number and phone, and log that `actor` saw them."""
    access.require(actor, access.CASE_REVEAL_PERSONAL_DATA)
    _check_window(actor, case.window)
    with transaction.atomic():
        audit_record(
            actor=actor, action="case.personal_data_viewed", obj=case, unit=case.window, data={"number": case.number}
        )
    return {"id_number": case.applicant_id_number, "phone": case.applicant_phone}


def case_deadlines_refreshed(*, actor: Staff | None = None) -> tuple[str, int]:
    """Subscribed to workdays.hooks.deadlines_refresh: what was recomputed, and how many."""
    return _("办件承诺办结日期"), case_deadlines_refresh(actor=actor)


def case_deadlines_refresh(*, actor: Staff | None = None) -> int:
    """Recompute provisional deadlines of open cases once their year's schedule is entered; return how many moved."""
    changed = 0
    pending = Case.objects.filter(status=CaseStatus.ACCEPTED, deadline_provisional=True).select_related(
        "item", "window"
    )
    for case in pending:
        start = clock.localtime(case.accepted_at).date()
        deadline = add_workdays(start, case.item.promised_days or 0)
        if deadline.date == case.deadline and deadline.provisional:
            continue
        with transaction.atomic():
            before = case.deadline
            Case.objects.filter(pk=case.pk).update(deadline=deadline.date, deadline_provisional=deadline.provisional)
            audit_record(
                actor=actor,
                action="case.deadline_recomputed",
                obj=case,
                unit=case.window,
                data={"from": str(before), "to": str(deadline.date), "provisional": deadline.provisional},
            )
        changed += 1
    return changed
