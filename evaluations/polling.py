"""The evaluator's long poll: what it reads, and what this process keeps of it while nothing happens.

An idle tablet asks every DEVICE_WAIT_SECONDS whether its window has a new case, and the answer is almost always
"no". It stays "no" until something is written at the window, and the two writes that matter, a decision (a new
invitation) and a revocation, both wake the window's key in the live hub (core.live) after they commit, in every
process, with a note saying what happened ("invite:<id>", "revoked:<device id>"). So a process may keep, per
device, who the device is and "nothing after invitation N" as read from the database, and trust them as long as
- the window's key has only been woken with notes that do not concern them (core.live.changes),
- the hub hears every process's notifications now (core.live.hears_everything: SQLite's one process, or
  PostgreSQL's listener subscribed and alive), and
- for CACHE_SECONDS at most.
Otherwise it reads the database again. An idle poll then costs its heartbeat (a write every
HEARTBEAT_WRITE_SECONDS) and nothing else; a wake-up that does not concern the device costs nothing at all.

Only the long poll uses what is kept: pairing, heartbeats, the idle screen and ratings always read the device.
"""

import time
from dataclasses import dataclass

from core import live
from core.errors import AccessDenied
from evaluations import services
from evaluations.models import Device, Invite

# How long anything kept here is trusted at most, whatever the hub says (a safety net, not the rule).
CACHE_SECONDS = 300
# Past this many devices a process forgets everything kept (a bound on memory, not a limit on tablets).
MAX_KEPT = 20_000


@dataclass(frozen=True)
class _Device:
    device: Device
    version: int  # the window key's version read before the device was read
    at: float  # time.monotonic() when it was read


@dataclass(frozen=True)
class _Nothing:
    after_id: int
    version: int  # the window key's version read before the invitations were
    at: float


_devices: dict[str, _Device] = {}  # token digest -> the device as last read
_windows: dict[str, int] = {}  # token digest -> its device's window (a device never changes window)
_nothing: dict[str, _Nothing] = {}  # device token hash -> "no invitation to show after after_id"


def forget() -> None:
    """Drop everything kept (tests; and when too much is kept)."""
    _devices.clear()
    _windows.clear()
    _nothing.clear()


def _still_true(key: str, version: int, at: float, concerns) -> int | None:
    """The key's current version if what was read at `version` still holds (nothing that `concerns` it woke the
    key since, the hub hears everything, and it is recent), else None."""
    if time.monotonic() - at >= CACHE_SECONDS or not live.hears_everything():
        return None
    current, notes = live.changes(key, version)
    if notes is None or any(concerns(note) for note in notes):
        return None
    return current


def concerns_device(device_id: int):
    revoked = services.revoked_note(device_id)
    return lambda note: note == revoked


def concerns_invites(device_id: int, after_id: int):
    """Whether a note may change what the device is to show after invitation `after_id`."""
    revoked = services.revoked_note(device_id)

    def concerns(note: str) -> bool:
        kind, _sep, value = note.partition(":")
        if kind == "invite":
            return not value.isdigit() or int(value) > after_id
        return note == revoked

    return concerns


def device_for_poll(token: str) -> Device:
    """The active device holding `token`, as `services.device_authenticate`, read again only when its window was
    woken with a note about it; its heartbeat is noted (which refuses a device revoked meanwhile)."""
    digest = services.token_digest(token) if token else ""
    kept = _devices.get(digest)
    if kept is not None:
        key = services.window_key(kept.device.window_id)
        current = _still_true(key, kept.version, kept.at, concerns_device(kept.device.pk))
        if current is not None:
            _devices[digest] = _Device(kept.device, current, kept.at)  # the notes seen need not be looked at again
            try:
                services.device_heartbeat(device=kept.device)
            except AccessDenied:
                _devices.pop(digest, None)
                raise
            return kept.device
    window_id = _windows.get(digest)
    version = live.version(services.window_key(window_id)) if window_id is not None else None
    _devices.pop(digest, None)
    device = services.device_authenticate(token)
    services.device_heartbeat(device=device)
    if len(_devices) > MAX_KEPT:
        forget()
    _windows[digest] = device.window_id
    if version is not None:  # the first poll of a device in this process only learns its window
        _devices[digest] = _Device(device, version, time.monotonic())
    return device


def invite_for_poll(*, device: Device, after_id: int, version: int) -> Invite | None:
    """`services.invite_next_for_device`, unless this process already found nothing after `after_id` for the
    device and nothing that concerns it woke its window since. `version` is the window key's version read before
    this call."""
    kept = _nothing.get(device.token_hash)
    if kept is not None and kept.after_id == after_id:
        current = _still_true(services.window_key(device.window_id), kept.version, kept.at,
                              concerns_invites(device.pk, after_id))
        if current is not None:
            _nothing[device.token_hash] = _Nothing(after_id, current, kept.at)
            return None
    _nothing.pop(device.token_hash, None)
    invite = services.invite_next_for_device(device=device, after_id=after_id)
    if invite is None and live.hears_everything():
        if len(_nothing) > MAX_KEPT:
            forget()
        _nothing[device.token_hash] = _Nothing(after_id, version, time.monotonic())
    return invite
