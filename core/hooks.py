"""Hooks: how a lower app lets a higher one act without importing it.

The lower app declares a hook in its `hooks.py` and publishes it where the event happens (inside the
transaction, when the subscriber must act in it). A higher app subscribes in its `AppConfig.ready()`.
A hook the rules depend on is declared `required=True`: Django's system checks (`manage.py check`,
runserver, migrate, the WSGI start) refuse to start without a subscriber, and tests prove the
subscription exists. Subscribers run in the order they subscribed; an exception propagates, so a
failing subscriber rolls the publisher's transaction back.
"""

from collections.abc import Callable
from typing import Any

from django.core import checks

_ALL: list["Hook"] = []


class Hook:
    def __init__(self, name: str, *, doc: str, required: bool = False):
        self.name = name
        self.doc = doc
        self.required = required
        self._subscribers: list[Callable[..., Any]] = []
        _ALL.append(self)

    def subscribe(self, subscriber: Callable[..., Any]) -> Callable[..., Any]:
        """Add `subscriber` (idempotent, so a second `ready()` does not call it twice); usable as a decorator."""
        if subscriber not in self._subscribers:
            self._subscribers.append(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Callable[..., Any]) -> None:
        if subscriber in self._subscribers:
            self._subscribers.remove(subscriber)

    @property
    def subscribers(self) -> tuple[Callable[..., Any], ...]:
        return tuple(self._subscribers)

    def publish(self, **event: Any) -> list[Any]:
        """Call every subscriber with `event`; return their results, None results left out."""
        results = []
        for subscriber in self._subscribers:
            result = subscriber(**event)
            if result is not None:
                results.append(result)
        return results

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._subscribers)} subscriber(s)>"


def all_hooks() -> list[Hook]:
    return list(_ALL)


@checks.register()
def required_hooks_have_subscribers(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    return [
        checks.Error(f"hook {hook.name} has no subscriber", hint=hook.doc, id="core.E001")
        for hook in _ALL
        if hook.required and not hook.subscribers
    ]
