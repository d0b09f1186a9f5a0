"""Workflows as tables: each app writes its states and transitions once, in its `states.py`, as a `Workflow`.

A transition names the action, the states it may start from, the states it may lead to, and the
capability (org.access) the actor needs. Services call `check()` under the record's lock; views and
templates call `actions_from()` to offer only what the current state allows; docs print `rows()`.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import TextChoices

from core.errors import ConflictError, DomainError


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    capability: str
    label: Any  # the action in Chinese, as a verb: 受理, 回访 ...


class Workflow:
    def __init__(self, name: str, *, states: type[TextChoices], transitions: Iterable[Transition],
                 refusal: Any, code: str = "bad_transition"):
        """`refusal` is the message when an action does not fit the state: %(state)s and %(action)s are filled in."""
        self.name = name
        self.states = states
        self.transitions = {t.action: t for t in transitions}
        self.refusal = refusal
        self.code = code
        for t in self.transitions.values():
            unknown = {*t.sources, *t.targets} - set(states.values)
            if unknown:
                raise ValueError(f"workflow {name}: {t.action} names unknown states {sorted(unknown)}")

    def transition(self, action: str) -> Transition:
        try:
            return self.transitions[action]
        except KeyError:
            raise DomainError(f"unknown action {action!r} of workflow {self.name}", code="unknown_action") from None

    def allows(self, state: str, action: str) -> bool:
        t = self.transitions.get(action)
        return t is not None and state in t.sources

    def check(self, state: str, action: str) -> Transition:
        """The transition for `action` from `state`; refuse (409 bad_transition) one the table does not hold."""
        t = self.transition(action)
        if state not in t.sources:
            raise ConflictError(self.refusal % {"state": self.states(state).label, "action": t.label}, code=self.code)
        return t

    def check_target(self, action: str, target: str) -> Transition:
        """Make sure `action` may lead to `target`: a service that computed another state has a bug."""
        t = self.transition(action)
        if target not in t.targets:
            raise ValueError(f"workflow {self.name}: {action} cannot lead to {target!r}")
        return t

    def actions_from(self, state: str) -> list[Transition]:
        """The transitions a record in `state` may take, in the table's order."""
        return [t for t in self.transitions.values() if state in t.sources]

    def is_final(self, state: str) -> bool:
        return not self.actions_from(state)

    def rows(self) -> list[dict[str, Any]]:
        """The table for people: action, from, to, who may (capability)."""
        return [
            {"action": t.action, "label": t.label, "from": [self.states(s).label for s in t.sources],
             "to": [self.states(s).label for s in t.targets], "capability": t.capability}
            for t in self.transitions.values()
        ]
