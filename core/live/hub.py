"""Wake the requests waiting on a key (for example a window's evaluators waiting for the next case).

In one process a condition variable per key is enough (runserver, the demo, tests). Across several
processes on PostgreSQL, notify() also sends NOTIFY on CHANNEL, and a listener thread in each process
wakes its own waiters (core/live/listener.py).

Waiting costs no database query and no CPU: a waiting request thread sleeps on the condition.
"""

import threading
from collections import defaultdict

CHANNEL = "bw_live"

_lock = threading.Lock()
_conditions: dict[str, threading.Condition] = defaultdict(lambda: threading.Condition(_lock))
_versions: dict[str, int] = defaultdict(int)


def version(key: str) -> int:
    with _lock:
        return _versions[key]


def wake(key: str) -> None:
    """Wake this process's waiters for `key`."""
    with _lock:
        _versions[key] += 1
        _conditions[key].notify_all()


def wake_all() -> None:
    """Wake every waiter of this process, e.g. after notifications may have been missed."""
    with _lock:
        for key in list(_versions):
            _versions[key] += 1
            _conditions[key].notify_all()


def wait(key: str, seen: int, timeout: float) -> int:
    """Block until the key's version moves past `seen` or `timeout` seconds pass; return the version."""
    with _lock:
        condition = _conditions[key]
        condition.wait_for(lambda: _versions[key] != seen, timeout=timeout)
        return _versions[key]


def notify(key: str) -> None:
    """Tell every process that `key` has something new; call after commit."""
    wake(key)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, key])
