"""The live wake-up hub: a request thread sleeps until something it waits for happens, in any process.

`wait(key, seen, timeout)` sleeps on a condition variable (no query, no CPU) until `notify(key)` is
called, in this process or, on PostgreSQL, in any other (NOTIFY on one channel, and one listener
thread per process that LISTENs and wakes its own waiters). Keys are strings such as "window:12".
"""

from core.live import hub, listener

CHANNEL = hub.CHANNEL


def version(key: str) -> int:
    return hub.version(key)


def wait(key: str, seen: int, timeout: float) -> int:
    return hub.wait(key, seen, timeout)


def notify(key: str) -> None:
    hub.notify(key)


def ensure_listening() -> bool:
    return listener.ensure_started()
