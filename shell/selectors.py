"""Reads of the audit trail, scoped by who is asking."""

import operator
from functools import reduce

from django.db.models import CharField, Q, QuerySet, Value
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

    Every event about one of these records names it as its object. Their ids are read first, in one query for all
    six kinds, and the log is then searched for them on the (object_type, object_id) index: as subqueries inside
    the log's query they would be checked against every event of the scope (millions at a city). `events` keeps
    its scope, so another unit's case matches nothing.
    """
    related: list[tuple[str, QuerySet]] = [
        ("counter.case", Case.objects.filter(number=number)),
        ("counter.document", Document.objects.filter(case__number=number)),
        ("evaluations.invite", Invite.objects.filter(case__number=number)),
        ("evaluations.rating", Rating.objects.filter(case__number=number)),
        ("evaluations.followup", FollowUp.objects.filter(rating__case__number=number)),
        ("evaluations.contest", Contest.objects.filter(rating__case__number=number)),
    ]
    kinds = [rows.order_by().annotate(audited_type=Value(object_type, output_field=CharField()),
                                      id_text=Cast("pk", CharField())).values_list("audited_type", "id_text")
             for object_type, rows in related]
    found: dict[str, list[str]] = {}
    for object_type, object_id in kinds[0].union(*kinds[1:], all=True):
        found.setdefault(object_type, []).append(object_id)
    return _about(events, found)


def audit_events_of_person(events: QuerySet[AuditEvent], person: str) -> QuerySet[AuditEvent]:
    """Narrow `events` to what a person did and what was recorded about them with nobody signed in (a failed or
    refused sign-in): by part of the name, the police number or the user name.

    The people are found first (one query on the staff), for the same reason as in audit_events_of_case.
    """
    who = list(Staff.objects.filter(Q(full_name__icontains=person) | Q(police_number=person) | Q(username=person))
               .values_list("pk", flat=True))
    if not who:
        return events.none()
    return _about(events, {Staff._meta.label_lower: [str(pk) for pk in who]}, actors=who)


def _about(events: QuerySet[AuditEvent], objects: dict[str, list[str]], actors: list[int] | None = None,
           ) -> QuerySet[AuditEvent]:
    """`events` done by one of `actors` or about one of `objects` ({object_type: [object_id, ...]})."""
    about = [Q(object_type=object_type, object_id__in=ids) for object_type, ids in objects.items() if ids]
    if actors:
        about.append(Q(actor_id__in=actors))
    if not about:
        return events.none()
    return events.filter(reduce(operator.or_, about))


def audit_export_unit(user: Staff) -> Unit | None:
    """The unit an export of the log is recorded at: the top of what `user` sees, so their supervisors see it."""
    return scope_of(user).unit
