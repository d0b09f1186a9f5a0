"""Reads of the audit trail, scoped by who is asking."""

from django.db.models import QuerySet

from core.models import AuditEvent
from org import access
from org.models import Staff
from org.selectors import scope_q


def audit_events_visible_to(user: Staff) -> QuerySet[AuditEvent]:
    """Return the audit events of the part of the unit tree `user` may see, newest first."""
    if not access.can(user, access.AUDIT_READ):
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(scope_q(user)).select_related("actor", "unit")


def audit_actions_visible_to(user: Staff) -> list[str]:
    """Return the distinct action codes among the events `user` may see, for the filter menu."""
    return list(
        audit_events_visible_to(user).order_by("action").values_list("action", flat=True).distinct()
    )
