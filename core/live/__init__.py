"""The live wake-up hub: a request thread sleeps until something it waits for happens, in any process.

`wait(key, seen, timeout)` sleeps on a condition variable (no query, no CPU) until `notify(key)` is
called, in this process or, on PostgreSQL, in any other (NOTIFY on one channel, and one listener
thread per process that LISTENs and wakes its own waiters). Keys are strings such as "window:12"; a
notification may carry a note ("invite:345"), which `changes(key, seen)` gives back to the waiters.
"""

from core.live import hub, listener

CHANNEL = hub.CHANNEL


def version(key: str) -> int:
    return hub.version(key)


def wait(key: str, seen: int, timeout: float) -> int:
    return hub.wait(key, seen, timeout)


def changes(key: str, seen: int) -> tuple[int, list[str] | None]:
    """The key's version now, and the notes of what woke it since `seen` (None: something unknown)."""
    return hub.changes(key, seen)


def notify(key: str, note: str | None = None) -> None:
    """Wake the waiters of `key` in every process, telling them `note` (what happened, e.g. "invite:345")."""
    hub.notify(key, note)


def ensure_listening() -> bool:
    return listener.ensure_started()


def hears_everything() -> bool:
    """Whether a notify() of any process reaches this process's waiters now, so that what a waiter learnt from
    the database stays true until its key is woken: on SQLite (one process) always, on PostgreSQL while this
    process's listener is subscribed and alive."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return True
    return listener.hears_everything()
