"""Reads of the audit trail, scoped by who is asking."""

from django.db.models import Q, QuerySet

from core.models import AuditEvent
from org.models import Role, Staff
from org.selectors import scope_of

# Who may read the audit trail (others get 403).
AUDIT_READER_ROLES = (Role.STATION_HEAD, Role.COUNTY_ADMIN, Role.CITY_ADMIN, Role.CITY_INSPECTOR)


def audit_can_read(user: Staff) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.role in AUDIT_READER_ROLES


def audit_events_visible_to(user: Staff) -> QuerySet[AuditEvent]:
    """Return the audit events of the part of the unit tree `user` may see, newest first."""
    if not audit_can_read(user):
        return AuditEvent.objects.none()
    scope = scope_of(user)
    if scope.unit is None:
        return AuditEvent.objects.none()
    if scope.level == "city":
        # Events below a county carry that county; events at the city bureau itself carry none.
        where = Q(unit=scope.unit) | Q(county__city=scope.unit)
    elif scope.level == "county":
        where = Q(county=scope.unit)
    else:
        where = Q(unit=scope.unit) | Q(unit__station=scope.unit)
    return AuditEvent.objects.filter(where).select_related("actor", "unit")


def audit_actions_visible_to(user: Staff) -> list[str]:
    """Return the distinct action codes among the events `user` may see, for the filter menu."""
    return list(
        audit_events_visible_to(user).order_by("action").values_list("action", flat=True).distinct()
    )
