"""Reads of window cases, always scoped by the user's units first."""

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404

from catalog.models import Item
from core import clock
from core.personal import id_number_problem, normalize_id_number
from core.prepared import run
from counter.models import Case, CaseCount, CaseStatus, Document, NoticeOverride
from org.models import Staff
from org.selectors import in_scope, scope_q

# What a list of cases shows of each; the case page adds the guide it was recorded under and the city.
CASE_LIST_RELATED = ("item", "window", "station", "county", "handled_by", "created_by")
CASE_PAGE_RELATED = (*CASE_LIST_RELATED, "guide_version__guide", "city")


def cases_visible_to(user: Staff) -> QuerySet[Case]:
    return Case.objects.filter(scope_q(user)).select_related(*CASE_LIST_RELATED)


def overdue_q(today: datetime.date) -> Q:
    return Q(status=CaseStatus.ACCEPTED, deadline__lt=today)


def cases_for_list(user: Staff, *, status: str = "", overdue: bool = False, window_id: int | None = None,
                   query: str = "", today: datetime.date | None = None) -> QuerySet[Case]:
    """Cases the user may see with the list's filters, newest first (index: scope, created_at, id)."""
    today = today or clock.today()
    qs = cases_visible_to(user)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(overdue_q(today))
    if window_id:
        qs = qs.filter(window_id=window_id)
    if query:
        qs = qs.filter(search_q(query))
    return qs.order_by("-created_at", "-id")


def overdue_first(cases: QuerySet[Case], today: datetime.date | None = None) -> QuerySet[Case]:
    """The overdue ones among `cases`, the longest overdue first (index: scope, status, deadline)."""
    return cases.filter(overdue_q(today or clock.today())).order_by("deadline", "created_at", "id")


def search_q(query: str) -> Q:
    """What the case list's search box matches.

    A full citizen ID number (as typed or read by a card reader) matches only that applicant's cases,
    exactly, so a returning applicant is found without listing anyone else. Text with a digit in it is part
    of a case number or a document number; text without one is part of the applicant's name or the item's
    name (a name has no digits, a number no name in it: each search looks only where it can match).
    """
    query = query.strip()
    id_number = normalize_id_number(query)
    if id_number_problem(id_number) is None:
        return Q(applicant_id_number=id_number)
    if any(ch.isdigit() for ch in query):
        documents = Document.objects.filter(case=OuterRef("pk"), number__icontains=query)
        return Q(number__icontains=query) | Q(Exists(documents))
    # The items come first (the guides' items, a few hundred rows in a city), so the cases are filtered without a
    # join and the newest-first index scan stops as soon as a page of matches is found.
    items = list(Item.objects.filter(name__icontains=query).values_list("pk", flat=True))
    return Q(applicant_name__icontains=query) | Q(item_id__in=items)


def case_number_scanned(user: Staff, code: str) -> str | None:
    """The number of the case whose case number or document number is exactly `code`, if the user may see it.

    A scanner reads the barcode printed on every document (the case number) and types it with Enter;
    the number on a document's heading, typed in full, finds its case too.
    """
    code = code.strip()
    if not code:
        return None
    if not any(ch.isdigit() for ch in code):
        return None  # every case and document number has its year in it: a name is not looked up as a number
    visible = cases_visible_to(user)
    # By the unique index, as typed or in capitals (a number's letters are capitals; "iexact" would read every case).
    number = visible.filter(number__in={code, code.upper()}).values_list("number", flat=True).first()
    if number:
        return number
    return visible.filter(documents__number=code).values_list("number", flat=True).first()


def case_for(user: Staff, number: str) -> Case:
    """The case with this number if the user may see it; 404 otherwise (leaks nothing)."""
    # Read on every case page and after every decision: compiled once per process (core/prepared.py).
    found = in_scope(user, lambda within, anchor, number: Case.objects.filter(within, number=number)
                     .select_related(*CASE_PAGE_RELATED), number=number)
    if not found:
        raise Http404
    return found[0]


def document_for(user: Staff, public_id: str) -> Document:
    found = in_scope(user, lambda within, anchor, public_id: Document.objects.select_related("case")
                     .filter(public_id=public_id, case__in=Case.objects.filter(within)), public_id=public_id)
    if not found:
        raise Http404
    return found[0]


def _case_documents(case_id):
    return Document.objects.filter(case_id=case_id)


def case_documents(case: Case) -> list[Document]:
    """The case's documents in the order they were issued (on every case page: SQL compiled once)."""
    return run(_case_documents, case_id=case.pk)


def status_counts(user: Staff, today: datetime.date | None = None) -> dict[str, int]:
    today = today or clock.today()
    counts = {s: 0 for s in CaseStatus.values}
    # From the windows' kept counts (counter.models.CaseCount): a few rows per window, not the cases.
    for row in CaseCount.objects.filter(scope_q(user)).values("status").order_by().annotate(n=Sum("n")):
        counts[row["status"]] = row["n"] or 0
    # Overdue changes with the date, so it is counted: among the accepted cases only (index scope, status,
    # deadline), a few thousand in a city.
    counts["overdue"] = Case.objects.filter(scope_q(user)).filter(overdue_q(today)).count()
    counts["overrides"] = overrides_visible_to(user).count()
    return counts


def overrides_visible_to(user: Staff) -> QuerySet[NoticeOverride]:
    return NoticeOverride.objects.filter(scope_q(user)).select_related(
        "case", "approved_by", "document"
    )
