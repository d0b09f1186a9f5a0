"""An idle evaluator costs almost nothing: what the long poll keeps between polls, and when it looks again.

Pinned query counts: a later change that makes an idle poll read the database again fails here.
"""

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import live
from core.live import hub, listener
from counter import services as counter
from evaluations import polling, services
from evaluations.models import Device, Invite


@pytest.fixture(autouse=True)
def _stop_listener():
    yield
    listener.stop()


@pytest.fixture
def short_waits(settings):
    settings.DEVICE_WAIT_SECONDS = 0.2


@pytest.fixture
def tablet(pair, client, short_waits):
    """A paired tablet that has polled twice (the first poll of a process only learns its window)."""
    dev, token = pair()

    def poll(after=0):
        return client.get(f"/api/devices/next?after={after}", headers={"Authorization": f"Device {token}"})

    assert poll().status_code == 204
    assert poll().status_code == 204
    return dev, token, poll


def wake_later(key, note=None, after=0.05):
    waker = threading.Timer(after, hub.wake, args=[key, note])
    waker.start()
    return waker


def test_an_idle_poll_costs_no_query(tablet, django_assert_num_queries):
    _dev, _token, poll = tablet
    # The request limit counts only a refused poll (core.ratelimit, rule device_poll); the heartbeat is not due,
    # nothing else is read.
    with django_assert_num_queries(0):
        assert poll().status_code == 204


def test_a_due_heartbeat_is_the_one_write_of_an_idle_poll(tablet, monkeypatch, django_assert_num_queries):
    dev, _token, poll = tablet
    monkeypatch.setattr(services, "HEARTBEAT_WRITE_SECONDS", 0)
    with django_assert_num_queries(1):  # UPDATE last_seen_at
        assert poll().status_code == 204
    assert Device.objects.get(pk=dev.pk).last_seen_at > dev.paired_at


def test_a_wake_up_that_does_not_concern_the_device_costs_no_query(tablet, settings):
    dev, _token, poll = tablet
    settings.DEVICE_WAIT_SECONDS = 1
    key = services.window_key(dev.window_id)
    waker = wake_later(key, services.revoked_note(dev.pk + 1000))  # another tablet of the window revoked
    with CaptureQueriesContext(connection) as queries:
        response = poll()
    waker.join()
    assert response.status_code == 204
    assert len(queries) == 0


def test_a_wake_up_without_a_note_looks_again(tablet, settings):
    dev, _token, poll = tablet
    settings.DEVICE_WAIT_SECONDS = 1
    waker = wake_later(services.window_key(dev.window_id))  # e.g. the listener reconnected
    with CaptureQueriesContext(connection) as queries:
        response = poll()
    waker.join()
    assert response.status_code == 204
    assert len(queries) == 2  # the device, the invitations


def test_a_decision_at_the_window_is_shown_at_the_next_poll(tablet, open_case, people,
                                                           django_capture_on_commit_callbacks):
    _dev, _token, poll = tablet
    case = open_case(None, "出生医学证明")
    with django_capture_on_commit_callbacks(execute=True):  # the decision's notification, after its commit
        counter.case_notify(case=case, actor=people.officer)
    response = poll()
    assert response.status_code == 200
    assert response.json()["invite"]["case_number"] == case.number


def test_a_case_already_shown_does_not_make_the_device_look_again(tablet, open_case, people,
                                                                 django_capture_on_commit_callbacks):
    _dev, _token, poll = tablet
    case = open_case(None, "出生医学证明")
    with django_capture_on_commit_callbacks(execute=True):
        counter.case_notify(case=case, actor=people.officer)
    invite = Invite.objects.get(case=case)
    assert poll().json()["invite"]["id"] == invite.pk
    assert poll(after=invite.pk).status_code == 204  # looks once after it
    with CaptureQueriesContext(connection) as queries:
        assert poll(after=invite.pk).status_code == 204
    assert len(queries) == 0


def test_a_revocation_elsewhere_ends_the_cached_device_at_once(tablet, people, django_capture_on_commit_callbacks):
    dev, _token, poll = tablet
    services.device_revoke(device=dev, actor=people.head)  # notifies the window with a note about the device
    response = poll()
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "device_revoked"


def test_a_revocation_the_hub_never_heard_of_is_caught_by_the_next_heartbeat(tablet, monkeypatch):
    dev, _token, poll = tablet
    Device.objects.filter(pk=dev.pk).update(revoked_at=dev.paired_at)  # not through the service: no notification
    monkeypatch.setattr(services, "HEARTBEAT_WRITE_SECONDS", 0)
    assert poll().status_code == 403


def test_without_the_hub_hearing_every_process_each_poll_reads_the_database(tablet, monkeypatch,
                                                                           django_assert_num_queries):
    _dev, _token, poll = tablet
    monkeypatch.setattr(live, "hears_everything", lambda: False)  # e.g. PostgreSQL's listener is reconnecting
    with django_assert_num_queries(2):  # the device, the invitations
        assert poll().status_code == 204


def test_what_is_kept_expires(tablet, monkeypatch, django_assert_num_queries):
    _dev, _token, poll = tablet
    monkeypatch.setattr(polling, "CACHE_SECONDS", 0)
    with django_assert_num_queries(2):
        assert poll().status_code == 204


def test_the_hub_tells_which_notes_woke_a_key(db):
    key = "window:test-notes"
    seen = hub.version(key)
    hub.wake(key, "invite:7")
    hub.wake(key, "revoked:3")
    assert hub.changes(key, seen) == (seen + 2, ["invite:7", "revoked:3"])
    assert hub.changes(key, seen + 2) == (seen + 2, [])
    hub.wake_all()
    assert hub.changes(key, seen + 2)[1] is None  # unknown: anything may have happened
    for n in range(hub.NOTES_KEPT + 1):
        hub.wake(key, f"invite:{n}")
    assert hub.changes(key, seen + 3)[1] is None  # too long ago to tell


def test_a_notification_from_another_process_carries_its_note(db):
    key = "window:test-payload"
    seen = hub.version(key)
    listener._wake(hub.payload(key, "invite:42"))
    assert hub.changes(key, seen) == (seen + 1, ["invite:42"])


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="LISTEN/NOTIFY needs PostgreSQL")
def test_on_postgresql_polls_keep_nothing_until_the_listener_hears(tablet, monkeypatch, django_assert_num_queries):
    _dev, _token, poll = tablet
    assert listener.wait_listening(10)
    assert live.hears_everything()
    with django_assert_num_queries(0):
        assert poll().status_code == 204
    monkeypatch.setattr(listener, "_alive_at", 0.0)  # its connection stopped answering
    assert not live.hears_everything()
    with django_assert_num_queries(2):
        assert poll().status_code == 204
