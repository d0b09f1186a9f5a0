"""Audit events, written inside the caller's transaction."""

from typing import Any

from core.models import AuditEvent, scope_fields


def audit_record(*, actor, action: str, obj=None, object_type: str = "", object_id: str = "",
                 unit=None, data: dict[str, Any] | None = None) -> AuditEvent:
    """Record that `actor` did `action` to `obj` at `unit`."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        unit=unit,
        **(scope_fields(unit) if unit is not None else {}),
        data=data or {},
    )
