"""Wake the requests waiting on a key (for example a window's evaluators waiting for the next case).

In one process a condition variable per key is enough (runserver, the demo, tests). Across several
processes on PostgreSQL, notify() also sends NOTIFY on CHANNEL, and a listener thread in each process
wakes its own waiters (core/live/listener.py).

Waiting costs no database query and no CPU: a waiting request thread sleeps on the condition.

A wake-up may carry a note saying what happened (e.g. "invite:345", "revoked:12"); each key keeps its last
NOTES_KEPT notes, so that a waiter can tell from `changes()` whether what woke it concerns it at all. A wake-up
without a note (wake_all, after the listener reconnected) concerns everybody.
"""

import threading
from collections import defaultdict, deque

CHANNEL = "bw_live"
NOTES_KEPT = 32

_lock = threading.Lock()
_conditions: dict[str, threading.Condition] = defaultdict(lambda: threading.Condition(_lock))
_versions: dict[str, int] = defaultdict(int)
# key -> (version, note or None for "unknown"), the last NOTES_KEPT wake-ups of the key.
_notes: dict[str, deque] = defaultdict(lambda: deque(maxlen=NOTES_KEPT))


def version(key: str) -> int:
    with _lock:
        return _versions[key]


def _bump(key: str, note: str | None) -> None:
    _versions[key] += 1
    _notes[key].append((_versions[key], note))
    _conditions[key].notify_all()


def wake(key: str, note: str | None = None) -> None:
    """Wake this process's waiters for `key`, telling them `note` (None: anything may have happened)."""
    with _lock:
        _bump(key, note or None)


def wake_all() -> None:
    """Wake every waiter of this process, e.g. after notifications may have been missed."""
    with _lock:
        for key in list(_versions):
            _bump(key, None)


def changes(key: str, seen: int) -> tuple[int, list[str] | None]:
    """The key's version now and the notes of its wake-ups since version `seen`: a list ([] for none), or None
    when one of them is unknown (a wake-up without a note, or one too long ago to be kept)."""
    with _lock:
        current = _versions[key]
        if current == seen:
            return current, []
        kept = _notes[key]
        if current < seen or not kept or kept[0][0] > seen + 1:
            return current, None
        notes = [note for number, note in kept if number > seen]
        return current, (None if any(note is None for note in notes) else notes)


def wait(key: str, seen: int, timeout: float) -> int:
    """Block until the key's version moves past `seen` or `timeout` seconds pass; return the version."""
    with _lock:
        condition = _conditions[key]
        condition.wait_for(lambda: _versions[key] != seen, timeout=timeout)
        return _versions[key]


def payload(key: str, note: str | None = None) -> str:
    """The NOTIFY payload of a wake-up: the key, then its note after a space."""
    return f"{key} {note}" if note else key


def notify(key: str, note: str | None = None) -> None:
    """Tell every process that `key` has something new (`note`: what); call after commit."""
    wake(key, note)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, payload(key, note)])
