"""Wake this process's waiters when another process notifies their key (PostgreSQL only).

hub.notify() sends NOTIFY bw_live '<key>' after the change commits. Each process that has requests
waiting runs one daemon thread with its own psycopg connection doing LISTEN on that channel and
calling hub.wake() for every notification. It starts lazily, on the first wait of the process, and
reconnects after errors; after every (re)connection it wakes all waiters, since notifications sent
while it was away are lost and the waiters must look in the database again.

On SQLite there is no listener: one process (runserver, the demo) only needs the in-process hub.
"""

import logging
import threading
import time

from django.conf import settings
from django.db import connection

from core.live import hub

log = logging.getLogger(__name__)

# How long one wait for notifications lasts before the thread checks that it should go on and that
# the connection is alive (a dead TCP peer otherwise goes unnoticed).
POLL_SECONDS = 2.0
RETRY_MAX_SECONDS = 30.0
# The listener counts as hearing everything while its connection answered within this many seconds.
ALIVE_SECONDS = POLL_SECONDS * 3 + 4
# Django-only keys of DATABASES[...]["OPTIONS"] that psycopg.connect() does not accept.
_DJANGO_OPTIONS = {"isolation_level", "server_side_binding", "pool", "assume_role", "cursor_factory"}

_lock = threading.Lock()
_thread: threading.Thread | None = None
_stop = threading.Event()
_listening = threading.Event()
# time.monotonic() when the listener last knew its connection alive (subscribed, or a round of its loop done).
_alive_at = 0.0


def connection_params() -> dict:
    """psycopg.connect() keyword arguments for the default database."""
    db = settings.DATABASES["default"]
    params = {
        "dbname": db.get("NAME") or "postgres",
        "user": db.get("USER"),
        "password": db.get("PASSWORD"),
        "host": db.get("HOST"),
        "port": str(db["PORT"]) if db.get("PORT") else None,
    }
    params = {key: value for key, value in params.items() if value}
    params.update({k: v for k, v in (db.get("OPTIONS") or {}).items() if k not in _DJANGO_OPTIONS})
    params.update(autocommit=True, application_name="brightwindow-listener", connect_timeout=10)
    return params


def ensure_started() -> bool:
    """Start this process's listener if the database is PostgreSQL; return whether one runs."""
    global _thread
    if connection.vendor != "postgresql":
        return False
    if _thread is not None and _thread.is_alive():
        return True
    with _lock:
        if _thread is None or not _thread.is_alive():
            _stop.clear()
            _thread = threading.Thread(target=_run, name="bw-live-listener", daemon=True)
            _thread.start()
    return True


def hears_everything() -> bool:
    """Whether this process hears every notify() of every process now: the listener is subscribed and its
    connection answered within the last few seconds (a connection that died silently stops answering)."""
    return _listening.is_set() and time.monotonic() - _alive_at < ALIVE_SECONDS


def wait_listening(timeout: float) -> bool:
    """Block until the listener has subscribed (or `timeout` passes); return whether it has."""
    return _listening.wait(timeout)


def stop(timeout: float = POLL_SECONDS * 3) -> None:
    """Stop the listener and close its connection (tests do this before the test database is dropped)."""
    global _thread
    with _lock:
        thread, _thread = _thread, None
    if thread is not None:
        _stop.set()
        thread.join(timeout)


def _run() -> None:
    global _alive_at
    import psycopg

    delay = 1.0
    while not _stop.is_set():
        try:
            with psycopg.connect(**connection_params()) as conn:
                conn.execute(f"LISTEN {hub.CHANNEL}")
                _alive_at = time.monotonic()
                _listening.set()
                hub.wake_all()
                delay = 1.0
                while not _stop.is_set():
                    for notice in conn.notifies(timeout=POLL_SECONDS):
                        _wake(notice.payload)
                    conn.execute("SELECT 1")
                    _alive_at = time.monotonic()
            _listening.clear()
        except Exception:
            _listening.clear()
            if _stop.is_set():
                break
            log.warning("live listener lost its database connection; retrying in %.0f s", delay, exc_info=True)
            hub.wake_all()
            _stop.wait(delay)
            delay = min(delay * 2, RETRY_MAX_SECONDS)


def _wake(payload: str) -> None:
    """Wake the waiters of the notification's key ("<key>" or "<key> <note>", hub.payload)."""
    if not payload or len(payload) > 100:
        log.warning("ignoring a malformed %s notification: %r", hub.CHANNEL, payload)
        return
    key, _sep, note = payload.partition(" ")
    hub.wake(key, note or None)
