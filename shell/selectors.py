"""Reads of the audit trail, scoped by who is asking."""

import operator
from functools import reduce

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from core.models import AuditEvent
from counter.models import Case, Document
from evaluations.models import Contest, FollowUp, Invite, Rating
from org import access
from org.models import Staff, Unit
from org.selectors import scope_of, scope_q


def audit_events_visible_to(user: Staff) -> QuerySet[AuditEvent]:
    """Return the audit events of the part of the unit tree `user` may see, newest first."""
    if not access.can(user, access.AUDIT_READ):
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(scope_q(user)).select_related("actor", "unit__county", "unit__station")


def audit_events_of_case(events: QuerySet[AuditEvent], number: str) -> QuerySet[AuditEvent]:
    """Narrow `events` to those about the case numbered `number`: the case, its documents, rating invitations,
    ratings, follow-ups and contests.

    Every event about one of these records names it as its object, so this is one lookup per kind of record on
    the (object_type, object_id) index; `events` keeps its scope, so another unit's case matches nothing.
    """
    related: list[tuple[str, QuerySet]] = [
        ("counter.case", Case.objects.filter(number=number)),
        ("counter.document", Document.objects.filter(case__number=number)),
        ("evaluations.invite", Invite.objects.filter(case__number=number)),
        ("evaluations.rating", Rating.objects.filter(case__number=number)),
        ("evaluations.followup", FollowUp.objects.filter(rating__case__number=number)),
        ("evaluations.contest", Contest.objects.filter(rating__case__number=number)),
    ]
    about = [Q(object_type=object_type, object_id__in=_ids_as_text(rows)) for object_type, rows in related]
    return events.filter(reduce(operator.or_, about))


def audit_events_of_person(events: QuerySet[AuditEvent], person: str) -> QuerySet[AuditEvent]:
    """Narrow `events` to what a person did and what was recorded about them with nobody signed in (a failed or
    refused sign-in): by part of the name, the police number or the user name."""
    who = Staff.objects.filter(Q(full_name__icontains=person) | Q(police_number=person) | Q(username=person))
    return events.filter(Q(actor__in=who) | Q(object_type=Staff._meta.label_lower, object_id__in=_ids_as_text(who)))


def _ids_as_text(rows: QuerySet) -> QuerySet:
    """The rows' ids as text, to compare with AuditEvent.object_id (text) inside the one query."""
    return rows.annotate(id_text=Cast("pk", CharField())).values("id_text")


def audit_export_unit(user: Staff) -> Unit | None:
    """The unit an export of the log is recorded at: the top of what `user` sees, so their supervisors see it."""
    return scope_of(user).unit
