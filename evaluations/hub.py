"""Wake the devices waiting for their window's next rating screen.

In one process a condition variable per window is enough (runserver, the demo, tests). Across
several processes on PostgreSQL, notify() also sends NOTIFY on the channel below, and a listener
thread in each process wakes its own waiters (see evaluations/listener.py).

Waiting costs no database query and no CPU: a waiting request thread sleeps on the condition.
"""

import threading
from collections import defaultdict

CHANNEL = "bw_rating_invites"

_lock = threading.Lock()
_conditions: dict[int, threading.Condition] = defaultdict(lambda: threading.Condition(_lock))
_versions: dict[int, int] = defaultdict(int)


def version(window_id: int) -> int:
    with _lock:
        return _versions[window_id]


def wake(window_id: int) -> None:
    """Wake this process's waiters for `window_id`."""
    with _lock:
        _versions[window_id] += 1
        _conditions[window_id].notify_all()


def wake_all() -> None:
    """Wake every waiter of this process, e.g. after notifications may have been missed."""
    with _lock:
        for window_id in list(_versions):
            _versions[window_id] += 1
            _conditions[window_id].notify_all()


def wait(window_id: int, seen: int, timeout: float) -> int:
    """Block until the window's version moves past `seen` or `timeout` seconds pass; return the version."""
    with _lock:
        condition = _conditions[window_id]
        condition.wait_for(lambda: _versions[window_id] != seen, timeout=timeout)
        return _versions[window_id]


def notify(window_id: int) -> None:
    """Tell every process that `window_id` has something new; call after commit."""
    wake(window_id)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, str(window_id)])
