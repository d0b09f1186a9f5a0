"""Audit events: written inside the caller's transaction, read back in words.

Writing: `audit_record` in every service, in the transaction of the change it records. The client's
address comes from the request being served (`request_address`, set by `AuditAddressMiddleware`), so
no service has to pass it; events written by the daily job or a management command have none.

Reading: each app declares the vocabulary of its own events in its `audit.py` and registers it from its
`AppConfig.ready()`:
- `actions_register({"case.accept": _("受理"), ...})`: what each action code means;
- `objects_register("counter.case", describe)`: `describe(ids) -> {id: ObjectRef}` names the objects of
  one type (and links them), for a whole page of events in one query;
- `fields_register({"deadline": _("承诺办结日期"), ...})` labels the keys of the events' data, and
  `values_register("materials", names)` turns stored ids or codes into names (`names(ids) -> {id: name}`);
  a key may be given as "action:key" where one action's key means something else.
The audit log (shell) shows events only through `events_describe`; a code nobody registered shows as it
is stored (tests/shell/test_audit_list.py checks that every code the services write has a label).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from core.models import AuditEvent, scope_fields

_address: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_client_address", default=None)


def request_address(address: str | None):
    """Set the client address of the request being served; returns the token to reset it with."""
    return _address.set(address or None)


def request_address_reset(token) -> None:
    _address.reset(token)


# The events of the batch being collected in this thread (audit_batch), or None: written one by one.
_batch: contextvars.ContextVar[list[AuditEvent] | None] = contextvars.ContextVar("audit_batch", default=None)


def audit_record(*, actor, action: str, obj=None, object_type: str = "", object_id: str = "",
                 unit=None, data: dict[str, Any] | None = None, address: str | None = None) -> AuditEvent:
    """Record that `actor` did `action` to `obj` at `unit`, from the address of the request being served.

    Inside `audit_batch()` the event is kept and written with the batch's other events in one INSERT when
    the batch ends; otherwise it is written at once. Either way it is written in the caller's transaction.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    event = AuditEvent(
        # Ids only: the event never fetches the actor or the unit's ancestors.
        actor_id=actor.pk if getattr(actor, "pk", None) else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        unit_id=unit.pk if unit is not None else None,
        **(scope_fields(unit) if unit is not None else {}),
        data=data or {},
        client_address=address or _address.get(),
    )
    batch = _batch.get()
    if batch is None:
        event.save(force_insert=True)
    else:
        batch.append(event)
    return event


@contextlib.contextmanager
def audit_batch():
    """Collect the events recorded inside and write them in one INSERT at the end (a decision writes 2-4).

    Use it inside the transaction of the change (the events are written before it commits); if the block
    raises, nothing is written, as the change itself is rolled back. Nested batches join the outer one.
    """
    if _batch.get() is not None:
        yield
        return
    events: list[AuditEvent] = []
    token = _batch.set(events)
    try:
        yield
    finally:
        _batch.reset(token)
    if events:
        AuditEvent.objects.bulk_create(events)


# --- the vocabulary ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ObjectRef:
    """An audited object in words: what it is called and, if there is a page for it, its address."""

    text: str
    url: str = ""


Describe = Callable[[list[str]], Mapping[str, ObjectRef]]
Names = Callable[[list[Any]], Mapping[Any, str]]

_ACTIONS: dict[str, Any] = {}
_OBJECTS: dict[str, tuple[Any, Describe | None]] = {}
_FIELDS: dict[str, Any] = {}
_VALUES: dict[str, Names] = {}


def actions_register(labels: Mapping[str, Any]) -> None:
    _ACTIONS.update(labels)


def objects_register(object_type: str, label: Any, describe: Describe | None = None) -> None:
    """`label` names the kind ("办件"); `describe` names and links the objects themselves."""
    _OBJECTS[object_type] = (label, describe)


def fields_register(labels: Mapping[str, Any]) -> None:
    _FIELDS.update(labels)


def values_register(key: str, names: Names) -> None:
    _VALUES[key] = names


def action_label(code: str) -> str:
    label = _ACTIONS.get(code)
    return str(label) if label is not None else code


def actions_known() -> dict[str, str]:
    return {code: str(label) for code, label in _ACTIONS.items()}


def object_kind_label(object_type: str) -> str:
    entry = _OBJECTS.get(object_type)
    return str(entry[0]) if entry else object_type


@dataclass
class EventView:
    """One event as the audit log shows it."""

    event: AuditEvent
    action: str
    object_kind: str
    object: ObjectRef | None
    data: list[tuple[str, str]] = field(default_factory=list)


def events_describe(events: Iterable[AuditEvent]) -> list[EventView]:
    """Put a page of events in words: one query per object type and per kind of stored id, not per event."""
    events = list(events)
    wanted: dict[str, set[str]] = {}
    for e in events:
        if e.object_id:
            wanted.setdefault(e.object_type, set()).add(e.object_id)
    refs: dict[tuple[str, str], ObjectRef] = {}
    for object_type, ids in wanted.items():
        describe = _OBJECTS.get(object_type, (None, None))[1]
        if describe is None:
            continue
        for object_id, found in describe(sorted(ids)).items():
            refs[(object_type, str(object_id))] = found
    # Stored ids and codes in the data, by the function that names them: each called once for the page.
    asked: dict[Names, set] = {}
    for e in events:
        for key, value in (e.data or {}).items():
            names = _names_for(e.action, key)
            if names is not None:
                asked.setdefault(names, set()).update(v for v in _as_list(value) if v is not None)
    named = {names: names(sorted(ids, key=str)) if ids else {} for names, ids in asked.items()}
    views = []
    for e in events:
        ref: ObjectRef | None = refs.get((e.object_type, e.object_id))
        if ref is None and e.object_id:
            ref = ObjectRef(f"#{e.object_id}")
        data = []
        for key, value in (e.data or {}).items():
            names = _names_for(e.action, key)
            data.append((_field_label(e.action, key), _text(value, named.get(names) if names else None)))
        views.append(EventView(
            event=e, action=action_label(e.action),
            object_kind=object_kind_label(e.object_type) if e.object_type else "", object=ref, data=data,
        ))
    return views


def _names_for(action: str, key: str) -> Names | None:
    return _VALUES.get(f"{action}:{key}") or _VALUES.get(key)


def _as_list(value: Any) -> list:
    if isinstance(value, list):
        return [v for v in value if isinstance(v, (int, str)) and not isinstance(v, bool)]
    return [value] if isinstance(value, (int, str)) and not isinstance(value, bool) else []


def _field_label(action: str, key: str) -> str:
    label = _FIELDS.get(f"{action}:{key}", _FIELDS.get(key))
    return str(label) if label is not None else key


def _text(value: Any, names: Mapping[Any, str] | None = None) -> str:
    """A stored value in words: names for ids, 是/否 for booleans, lists joined, nested data labelled."""
    if names is not None and _as_list(value):
        return "、".join(names.get(v, str(v)) for v in _as_list(value))
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        return "、".join(_text(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{_field_label('', k)}：{_text(v)}" for k, v in value.items())
    return str(value)
