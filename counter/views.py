from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import Item
from catalog.selectors import item_in_force, item_materials_read, items_search, version_in_force
from core import clock
from core.errors import ConflictError, DomainError, NotFound, form_error_add
from core.pagination import COUNT_LIMIT, keyset_page
from core.personal import mask_id_number, mask_phone
from counter import hooks, services
from counter.documents_pdf import render_pdf
from counter.forms import CaseOpenForm, DecisionForm
from counter.models import Case, DocumentKind
from counter.selectors import (
    case_documents,
    case_for,
    case_number_scanned,
    cases_for_list,
    document_for,
    overdue_first,
    overdue_q,
    status_counts,
)
from counter.states import CASE_WORKFLOW, OPEN_STATUSES, CaseStatus
from org import access
from org.models import UnitKind
from org.selectors import home_county, unit_in_scope, windows_list, windows_visible_to
from org.services import staff_decision_problem


def _require_counter(user):
    access.require(user, access.CASE_RECORD)


@login_required
def desk(request):
    """The counter: find the item, see the window's open and overdue cases."""
    _require_counter(request.user)
    county = home_county(request.user)
    version = version_in_force(county=county, on=clock.today()) if county else None
    query = request.GET.get("q", "").strip()
    items = []
    if version is not None:
        items = list(items_search(version=version, query=query)) if query else list(version.items.all())
    open_cases = cases_for_list(request.user).filter(status__in=OPEN_STATUSES)[:30]
    return render(request, "counter/desk.html", {
        "version": version, "items": items, "query": query, "open_cases": open_cases,
        "counts": status_counts(request.user), "decision_problem": staff_decision_problem(request.user),
    })


class _ItemReplaced(Exception):
    """The county published a new guide version since the page with this item was opened."""

    def __init__(self, current: Item, old: Item):
        super().__init__(current.pk)
        self.current, self.old = current, old


def _item_in_force(user, item_id) -> Item:
    """The item of the guide in force in the user's county; an item of an older version leads to its successor."""
    county = home_county(user)
    if county is None:
        raise Http404
    current, old = item_in_force(county=county, item_id=item_id, on=clock.today())
    if current is not None and old is not None:
        raise _ItemReplaced(current, old)
    if current is None and old is not None:
        raise NotFound(_("“%(name)s”已不在本县现行的办事指南中（指南已更新），请回到窗口受理页重新选择事项。")
                       % {"name": old.name})
    if current is None:
        raise Http404
    return item_materials_read(current)


@login_required
def case_new(request, item_id: int):
    """Record an application: applicant, conditions and the materials presented; optionally decide at once."""
    _require_counter(request.user)
    try:
        item = _item_in_force(request.user, item_id)
    except _ItemReplaced as replaced:
        return _item_replaced(request, replaced)
    windows = windows_list(request.user)
    initial = {}
    if request.method != "POST":
        unit = request.user.unit
        own_window = unit is not None and unit.kind == UnitKind.WINDOW and unit_in_scope(request.user, unit)
        initial["window"] = unit.pk if own_window else (windows[0].pk if windows else None)
    form = CaseOpenForm(request.POST if request.method == "POST" else None, item=item, windows=windows,
                        initial=initial)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    case = services.case_open(
                        actor=request.user, window=data["window"], item=item,
                        applicant=services.Applicant(data["applicant_name"], data["applicant_id_number"],
                                                     data["applicant_phone"]),
                        conditions=data["conditions"], material_ids=data["materials"],
                        decide_next=action in ("accept", "notice"),
                    )
                    notice = None
                    if action == "accept":
                        case = services.case_accept(case=case, actor=request.user)
                    elif action == "notice":
                        notice = services.case_notify(case=case, actor=request.user)
            except DomainError as exc:
                form_error_add(form, exc)
            else:
                return _decided(request, case, action, notice)
        status = 400  # the same form again, with what to correct and everything typed
    return render(request, "counter/case_new.html", {
        "form": form, "item": item, "decision_problem": staff_decision_problem(request.user),
    }, status=status)


def _item_replaced(request, replaced: _ItemReplaced):
    """Open the same item (by code) of the version now in force; a form sent from the old page keeps what was
    typed about the applicant, and asks for the materials again (they are the new version's)."""
    version = replaced.current.version
    note = _("本县办事指南已更新为第%(n)s版（%(date)s起施行），已转到“%(name)s”的现行版本。") % {
        "n": version.number, "date": version.effective_date, "name": replaced.current.name}
    if request.method != "POST":
        messages.info(request, note)
        return redirect("counter:case_new", item_id=replaced.current.pk)
    item = item_materials_read(replaced.current)
    windows = windows_list(request.user)
    data = request.POST.copy()
    for stale in ("materials", "conditions", "action"):
        data.pop(stale, None)
    form = CaseOpenForm(data, item=item, windows=windows)
    form.is_valid()
    form.add_error(None, note + _("请按现行版本重新勾选已提交的材料后再提交。"))
    return render(request, "counter/case_new.html", {
        "form": form, "item": item, "decision_problem": staff_decision_problem(request.user),
    }, status=409)


def _result_message(case, action: str) -> str:
    if action == "accept" and case.status == CaseStatus.COMPLETED:
        return _("办件 %(n)s 已受理并当场办结，请打印回执交申请人，并提醒申请人使用评价器评价。") % {"n": case.number}
    return {
        # Acceptance is no rated stage (counter.states.Stage): the applicant rates when the case is completed.
        "accept": _("办件 %(n)s 已受理，请打印受理回执交申请人；办结时再请申请人使用评价器评价。"),
        "notice": _("办件 %(n)s 已出具补充材料告知单，请打印交申请人，并提醒申请人使用评价器评价。"),
        "refuse": _("办件 %(n)s 已出具不予受理告知书，请向申请人耐心解释，并提醒申请人使用评价器评价。"),
        "complete": _("办件 %(n)s 已办结，请提醒申请人使用评价器评价。"),
    }.get(action, _("办件 %(n)s 已登记，待民警决定。")) % {"n": case.number}


def _decided(request, case, action: str, notice=None):
    """Say what happened; after a one-time notice go straight to its print view (the applicant takes it away)."""
    messages.success(request, _result_message(case, action))
    if notice is not None:
        return redirect("counter:document", public_id=notice.public_id)
    return redirect("counter:case_detail", number=case.number)


def _case_context(request, case, form=None):
    # The item's materials, each marked presented or listed on a notice, in one query; the documents in one.
    services.case_materials_read(case)
    presented = [m for m in case.item.materials.all() if m.is_presented]
    documents = case_documents(case)
    notices = [d for d in documents if d.kind == DocumentKind.NOTICE]
    # Only a second or later notice can have been an override of the one-time rule.
    overrides = (case.overrides.select_related("approved_by").prefetch_related("added_materials")
                 if len(notices) > 1 else [])
    return {
        "case": case,
        "form": form or DecisionForm(item=case.item, initial={
            "revision": case.revision, "conditions": case.conditions,
        }),
        "presented": presented,
        "presented_ids": case._presented_ids,
        "missing": services.missing_materials(case) if case.is_open else [],
        "listed_ids": case._listed_ids,
        "documents": documents,
        "overrides": overrides,
        "masked_id": mask_id_number(case.applicant_id_number),
        "masked_phone": mask_phone(case.applicant_phone),
        "decision_problem": staff_decision_problem(request.user),
        "actions": [t.action for t in CASE_WORKFLOW.actions_from(case.status)],
        "overdue": case.is_overdue(),
        # What the apps above the counter show on the case page (evaluations: the rating invitations).
        "panels": [mark_safe(html) for html in hooks.case_panels.publish(case=case, user=request.user)],
    }


@login_required
def case_detail(request, number: str):
    case = case_for(request.user, number)
    return render(request, "counter/case_detail.html", _case_context(request, case))


class _FormInvalid(Exception):
    pass


@login_required
@require_POST
def case_decide(request, number: str):
    """Accept, notify, refuse or complete; a clash with another decision answers 409.

    The case is read once, under its lock, with what the form and the decision need; the decision runs in
    the same transaction, and anything it refuses rolls the whole request back.
    """
    form = None
    status = 400
    try:
        with transaction.atomic():
            try:
                case = services.case_lock(number=number, user=request.user, materials=True)
            except Case.DoesNotExist as exc:
                raise Http404 from exc
            form = DecisionForm(request.POST, item=case.item)
            if not form.is_valid():
                raise _FormInvalid
            data = form.cleaned_data
            action = data["action"]
            common = {"case": case, "actor": request.user, "expected_revision": data["revision"]}
            notice = None
            if action == "accept":
                case = services.case_accept(material_ids=data["materials"], **common)
            elif action == "notice":
                notice = services.case_notify(material_ids=data["materials"], conditions=data["conditions"],
                                              override_reason=data["override_reason"], **common)
            elif action == "refuse":
                case = services.case_refuse(legal_basis=data["legal_basis"], explanation=data["explanation"],
                                            **common)
            else:
                case = services.case_complete(**common)
    except _FormInvalid:
        pass
    except ConflictError as exc:
        # Somebody decided first: show the case as it is now, with what happened.
        messages.error(request, exc.message)
        case = case_for(request.user, number)
        return render(request, "counter/case_detail.html", _case_context(request, case), status=409)
    except DomainError as exc:
        status = form_error_add(form, exc)
    else:
        return _decided(request, case, action, notice)
    case = case_for(request.user, number)
    return render(request, "counter/case_detail.html", _case_context(request, case, form), status=status)


@login_required
@require_POST
def case_reveal(request, number: str):
    """Show the full ID number and phone once; the view is audited."""
    case = case_for(request.user, number)
    revealed = services.case_reveal_personal_data(case=case, actor=request.user)
    context = _case_context(request, case)
    context.update({"masked_id": revealed["id_number"], "masked_phone": revealed["phone"], "revealed": True})
    return render(request, "counter/case_detail.html", context)


# The overdue cases shown above the list on its first page; more are one click away (?overdue=1).
OVERDUE_SHOWN = 20
SEARCH_COUNTED = 500


@login_required
def case_list(request):
    """Cases in the user's units, newest first, a keyset page at a time; overdue ones stand out at the top."""
    status = request.GET.get("status", "")
    if status and status not in CaseStatus.values:
        status = ""
    overdue = request.GET.get("overdue") == "1"
    window_id = request.GET.get("window", "")
    window_id = int(window_id) if window_id.isascii() and window_id.isdigit() and len(window_id) <= 18 else None
    query = request.GET.get("q", "")[:60]
    if query and (number := case_number_scanned(request.user, query)):
        # A scanned barcode (the case number) or a document's number opens its case directly.
        return redirect("counter:case_detail", number=number)
    today = clock.today()
    qs = cases_for_list(request.user, status=status, overdue=overdue, window_id=window_id, query=query, today=today)
    late = [] if overdue or status not in ("", CaseStatus.ACCEPTED) else list(
        overdue_first(qs, today)[:OVERDUE_SHOWN + 1])
    # Only accepted cases can be overdue (counted among them: index scope, status, deadline).
    overdue_listed = qs.filter(overdue_q(today)).count() if overdue or status in ("", CaseStatus.ACCEPTED) else 0
    if late:
        qs = qs.exclude(overdue_q(today))  # listed above, so not again below
    elif overdue and overdue_listed <= COUNT_LIMIT:
        # The overdue cases are few (counted above on the scope-status-deadline index), but the planner, which
        # cannot know that the old accepted cases are mostly done, would walk the newest-first index through every
        # case of the scope looking for them: take their ids by that index, then page through those.
        qs = qs.filter(pk__in=list(qs.filter(overdue_q(today)).order_by("deadline").values_list("pk", flat=True)))
    # A search matches anywhere in a text (no index can find it): its total is counted among the first
    # SEARCH_COUNTED matches only, so a common surname costs a short scan, not ten thousand matches.
    page = keyset_page(qs, request, field="created_at", count_limit=SEARCH_COUNTED if query else None)
    return render(request, "counter/case_list.html", {
        "page": page, "status": status, "overdue": overdue, "window_id": window_id, "query": query,
        "late": late[:OVERDUE_SHOWN], "late_more": len(late) > OVERDUE_SHOWN, "on_first_page": not page.has_previous,
        # The total counts the overdue cases listed above too.
        "overdue_shown": overdue_listed if late else 0,
        "statuses": CaseStatus.choices, "windows": windows_visible_to(request.user),
        "counts": status_counts(request.user, today), "today": today, "overdue_listed": overdue_listed,
    })


@login_required
def document_view(request, public_id: str):
    document = document_for(request.user, public_id)
    return render(request, "counter/document.html", {"document": document, "doc": document.snapshot})


@login_required
def document_pdf(request, public_id: str):
    document = document_for(request.user, public_id)
    try:
        pdf = render_pdf(document.snapshot)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("counter:document", public_id=public_id)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.case.number}-{document.kind}.pdf"'
    return response
