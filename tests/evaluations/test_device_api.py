"""The evaluator devices' JSON API: pairing, heartbeat, the long poll for the next case, ratings."""

import datetime
import json
import threading
import time

import pytest
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from freezegun import freeze_time

from core import live
from core.live import hub, listener
from counter import services as counter
from evaluations import services
from evaluations.models import Device, DeviceOffline, FollowUp, Invite, PairingCode, Rating
from tests.factories import StaffFactory

DEVICE_PATHS = ["/api/devices/pair", "/api/devices/heartbeat", "/api/devices/me", "/api/devices/next",
                "/api/devices/ratings"]

NOW = "2026-11-27 09:00:00+08:00"


@pytest.fixture(autouse=True)
def _stop_listener():
    """On PostgreSQL the first wait starts a LISTEN thread; stop it so the test database can be dropped."""
    yield
    listener.stop()


@pytest.fixture
def device(pair):
    return pair()


def auth(token):
    return {"Authorization": f"Device {token}"}


def post(client, url, body, token=None, raw=False):
    data = body if raw else json.dumps(body, ensure_ascii=False)
    return client.post(url, data, content_type="application/json", headers=auth(token) if token else {})


def error_of(response):
    return response.json()["error"]


@pytest.fixture
def notice(open_case, people):
    """A case at window 1 with a one-time notice, hence a rating invitation."""
    case = open_case(None, "出生医学证明")
    counter.case_notify(case=case, actor=people.officer)
    return Invite.objects.get(case=case)


def rating_body(invite, **extra):
    body = {"invite_id": invite.pk, "level": 5, "efficiency": 5, "quality": 4, "attitude": 5,
            "reasons": [], "other_reason": "", "comment": "", "idempotency_key": "key-00000001"}
    body.update(extra)
    return body


# --- pairing ----------------------------------------------------------------------------------


def test_a_device_pairs_once_with_the_code_and_learns_its_window(client, city, people):
    code = services.pairing_code_create(window=city.w1, actor=people.head)

    response = post(client, "/api/devices/pair", {"code": code.lower()[:4] + "-" + code[4:], "name": "1号窗口平板"})

    assert response.status_code == 201
    data = response.json()
    assert data["window"] == {"id": city.w1.pk, "name": city.w1.name, "station": city.dongjie.name}
    assert Device.objects.get().name == "1号窗口平板"
    assert services.device_for_token(data["token"]).window == city.w1

    again = post(client, "/api/devices/pair", {"code": code, "name": "另一台"})
    assert again.status_code == 400
    assert error_of(again) == {"code": "bad_pairing_code", "field": "code",
                               "message": "配对码无效或已过期，请所长重新生成配对码。"}
    assert Device.objects.count() == 1


def test_a_wrong_or_expired_code_is_explained(client, city, people):
    with freeze_time(NOW) as clock:
        code = services.pairing_code_create(window=city.w1, actor=people.head)
        wrong = post(client, "/api/devices/pair", {"code": "ABCDEFGH", "name": "x"})
        clock.tick(datetime.timedelta(minutes=services.PAIRING_CODE_MINUTES, seconds=1))
        late = post(client, "/api/devices/pair", {"code": code, "name": "x"})

    assert wrong.status_code == late.status_code == 400
    assert "配对码无效或已过期" in error_of(wrong)["message"]
    assert error_of(late)["code"] == "bad_pairing_code"
    assert not Device.objects.exists()
    assert PairingCode.objects.get().used_at is None


@pytest.mark.parametrize("body", ["not json", "[1, 2]", "{", json.dumps({"name": "x"}), json.dumps({"code": 12345678}),
                                  json.dumps({"code": "ABCDEFGH", "name": ["x"]})])
def test_pairing_with_a_malformed_body_is_a_clear_400(client, city, body):
    response = post(client, "/api/devices/pair", body, raw=True)

    assert response.status_code == 400
    assert error_of(response)["code"] in ("bad_json", "bad_field")
    assert error_of(response)["message"]


def test_a_wrong_method_is_a_json_405(client, db):  # db: the request limit counts it
    response = client.get("/api/devices/pair")

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert error_of(response)["code"] == "method_not_allowed"


# --- authentication ---------------------------------------------------------------------------


@pytest.mark.parametrize("method, url", [("post", "/api/devices/heartbeat"), ("get", "/api/devices/me"),
                                         ("get", "/api/devices/next"), ("post", "/api/devices/ratings")])
def test_a_revoked_device_is_refused_on_every_call(client, people, device, method, url, settings):
    settings.DEVICE_WAIT_SECONDS = 0
    dev, token = device
    services.device_revoke(device=dev, actor=people.head)

    response = getattr(client, method)(url, content_type="application/json", headers=auth(token))

    assert response.status_code == 403
    assert error_of(response)["code"] == "device_revoked"
    assert "停用" in error_of(response)["message"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Device nope"}, {"Authorization": "Bearer x"}])
def test_without_a_valid_token_the_answer_is_401(client, device, headers):
    response = client.post("/api/devices/heartbeat", headers=headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Device")
    assert error_of(response)["code"] == "device_unknown"


def test_a_staff_session_never_authorises_a_device_call(client_for, people, device):
    client = client_for(people.head)

    assert client.post("/api/devices/heartbeat").status_code == 401
    assert client.get("/api/devices/me").status_code == 401
    assert client.get("/api/devices/next").status_code == 401


# --- heartbeat and idle screen ----------------------------------------------------------------


def test_heartbeat_keeps_the_device_online_and_a_silence_is_recorded_as_offline(client, city, pair):
    with freeze_time(NOW) as clock:
        dev, token = pair()
        clock.tick(datetime.timedelta(seconds=30))
        first = client.post("/api/devices/heartbeat", headers=auth(token))
        clock.tick(datetime.timedelta(minutes=5))
        client.post("/api/devices/heartbeat", headers=auth(token))

    assert first.status_code == 200
    assert first.json()["ok"] is True
    assert first.json()["server_time"].startswith("2026-11-27T01:00:30")
    gap = DeviceOffline.objects.get()
    assert (gap.device, gap.window) == (dev, city.w1)
    assert gap.ended_at - gap.started_at == datetime.timedelta(minutes=5)
    dev.refresh_from_db()
    assert services.device_is_online(dev, dev.last_seen_at)


def test_the_idle_screen_shows_the_window_the_officer_on_duty_and_the_complaint_phone(
    client, city, people, guide, open_case, device
):
    _dev, token = device
    city.dongjie.phone = "0591-83330000"
    city.dongjie.save()

    before = client.get("/api/devices/me", headers=auth(token)).json()
    colleague = StaffFactory(username="colleague", full_name="陈警官", police_number="350777", unit=city.w1)
    counter.case_notify(case=open_case(None, "出生医学证明", actor=colleague), actor=colleague)
    after = client.get("/api/devices/me", headers=auth(token)).json()

    assert before["window"]["name"] == "东街派出所1号窗口"
    assert before["officer"] == {"name": "王警官", "police_number": people.officer.police_number}
    assert before["complaint_phone"] == "0591-87000000"  # from the county's guide
    assert after["officer"] == {"name": "陈警官", "police_number": "350777"}  # today's latest decision


def test_without_a_guide_the_complaint_phone_is_the_stations(client, city, device):
    city.dongjie.phone = "0591-83330000"
    city.dongjie.save()

    assert client.get("/api/devices/me", headers=auth(device[1])).json()["complaint_phone"] == "0591-83330000"


# --- waiting for the next case ----------------------------------------------------------------


def test_next_returns_a_waiting_invitation_at_once_and_marks_it_shown(client, people, device, notice):
    dev, token = device

    response = client.get("/api/devices/next?after=0", headers=auth(token))

    assert response.status_code == 200
    assert response.json()["invite"] == {
        "id": notice.pk, "case_number": notice.case.number, "item": "出生登记", "stage": "notice",
        "stage_label": "一次性告知", "officer": {"name": "王警官", "police_number": people.officer.police_number},
        "created_at": notice.created_at.isoformat(),
    }
    notice.refresh_from_db()
    assert notice.shown_on == dev and notice.shown_at is not None


def test_next_waits_and_answers_204_when_nothing_new_comes(client, device, notice, settings):
    settings.DEVICE_WAIT_SECONDS = 0.3
    start = time.monotonic()

    response = client.get(f"/api/devices/next?after={notice.pk}", headers=auth(device[1]))

    assert response.status_code == 204
    assert 0.25 <= time.monotonic() - start < 2


def test_a_device_never_gets_another_windows_invitation(client, city, people, open_case, pair, settings):
    settings.DEVICE_WAIT_SECONDS = 0
    _dev, token = pair(city.w1)
    counter.case_notify(case=open_case(None, "出生医学证明", actor=people.officer2, window=city.w2),
                        actor=people.officer2)

    assert client.get("/api/devices/next", headers=auth(token)).status_code == 204


@pytest.mark.parametrize("after", ["-1", "abc", "1.5", "９"])
def test_a_bad_after_is_a_clear_400(client, device, after):
    response = client.get(f"/api/devices/next?after={after}", headers=auth(device[1]))

    assert response.status_code == 400
    assert error_of(response)["field"] == "after"


def test_waiting_costs_no_query_and_a_wake_up_about_anything_one_look(client, device, notice, settings,
                                                                       monkeypatch):
    settings.DEVICE_WAIT_SECONDS = 1.5  # room for a slow machine to be waiting when the wake comes
    monkeypatch.setattr(listener, "ensure_started", lambda: False)  # no wake-ups from PostgreSQL's listener
    monkeypatch.setattr(live, "hears_everything", lambda: False)  # nothing kept between polls
    dev, token = device
    url = f"/api/devices/next?after={notice.pk}"

    with CaptureQueriesContext(connection) as quiet:
        client.get(url, headers=auth(token))
    # A wake-up without a note (the listener reconnected: anything may have happened).
    waker = threading.Timer(0.5, hub.wake, args=[services.window_key(dev.window_id)])
    waker.start()
    with CaptureQueriesContext(connection) as woken:
        response = client.get(url, headers=auth(token))
    waker.join()

    assert response.status_code == 204
    assert len(quiet) <= 3  # the request limit, the device, the invitation (the heartbeat is not due)
    assert len(woken) == len(quiet) + 2  # after the wake-up: is the device still active, anything new?


# serialized_rollback: the flush afterwards must not re-create content types under new ids, or the browser
# tests that restore the migrations' rows after it would collide with them.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_next_answers_within_a_second_when_the_officer_decides_during_the_wait(client, people, open_case, pair,
                                                                                settings):
    settings.DEVICE_WAIT_SECONDS = 10
    _dev, token = pair()
    case = open_case(None, "出生医学证明")

    def decide():
        time.sleep(0.3)
        try:
            counter.case_notify(case=case, actor=people.officer)
        finally:
            connections.close_all()

    officer = threading.Thread(target=decide)
    start = time.monotonic()
    officer.start()
    response = client.get("/api/devices/next?after=0", headers=auth(token))
    elapsed = time.monotonic() - start
    officer.join()

    assert response.status_code == 200
    assert response.json()["invite"]["case_number"] == case.number
    assert elapsed < 1.5


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="LISTEN/NOTIFY needs PostgreSQL")
def test_on_postgresql_a_notification_from_another_process_wakes_the_waiters(db, city):
    import psycopg

    assert listener.ensure_started()
    assert listener.wait_listening(10)
    key = services.window_key(city.w1.pk)
    seen = hub.version(key)
    with psycopg.connect(**listener.connection_params()) as other_process:
        other_process.execute("SELECT pg_notify(%s, %s)", [hub.CHANNEL, key])
    start = time.monotonic()

    assert hub.wait(key, seen, 5) != seen
    assert time.monotonic() - start < 1


def test_on_sqlite_there_is_no_listener(db):
    if connection.vendor == "sqlite":
        assert listener.ensure_started() is False


def test_revoking_a_waiting_device_ends_its_wait(client, people, device, settings, monkeypatch):
    settings.DEVICE_WAIT_SECONDS = 5
    dev, token = device
    real_wait = hub.wait

    def station_head_revokes_meanwhile(key, seen, timeout):
        services.device_revoke(device=dev, actor=people.head)  # wakes the window's waiters
        return real_wait(key, seen, timeout)

    monkeypatch.setattr(hub, "wait", station_head_revokes_meanwhile)
    start = time.monotonic()
    response = client.get("/api/devices/next", headers=auth(token))

    assert response.status_code == 403
    assert error_of(response)["code"] == "device_revoked"
    assert time.monotonic() - start < 1


# --- ratings ----------------------------------------------------------------------------------


def test_a_rating_is_stored_once_and_a_repeat_with_the_same_key_gets_the_same_answer(client, device, notice):
    dev, token = device
    body = rating_body(notice, rated_at="2020-01-01T00:00:00+08:00")

    first = post(client, "/api/devices/ratings", body, token)
    again = post(client, "/api/devices/ratings", body, token)

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    rating = Rating.objects.get()
    assert (rating.channel, rating.device, rating.level, rating.quality) == ("device", dev, 5, 4)
    assert rating.rated_at == notice.created_at  # a device clock far behind is capped at the invitation
    assert first.json()["rating"]["case_number"] == notice.case.number


def test_a_second_rating_of_the_same_case_is_a_409(client, device, notice):
    post(client, "/api/devices/ratings", rating_body(notice), device[1])

    second = post(client, "/api/devices/ratings", rating_body(notice, idempotency_key="key-00000002"), device[1])

    assert second.status_code == 409
    assert error_of(second)["code"] == "already_rated"
    assert Rating.objects.count() == 1


def test_a_bad_review_with_a_reason_opens_a_follow_up(client, device, notice):
    body = rating_body(notice, level=2, efficiency=3, quality=2, attitude=1, reasons=["attitude", "slow"],
                       comment="等了很久")

    response = post(client, "/api/devices/ratings", body, device[1])

    assert response.status_code == 201
    assert response.json()["rating"]["follow_up"] is True
    follow_up = FollowUp.objects.get()
    assert follow_up.rating.reasons == ["attitude", "slow"]


def test_another_windows_invitation_is_403_and_an_unknown_one_404(client, city, pair, notice):
    _dev, other_token = pair(city.w2, name="2号窗口评价器")
    _dev, token = pair(city.w1)

    other = post(client, "/api/devices/ratings", rating_body(notice), other_token)
    unknown = post(client, "/api/devices/ratings", rating_body(notice, invite_id=notice.pk + 1000), token)

    assert other.status_code == 403
    assert error_of(other)["code"] == "wrong_window"
    assert unknown.status_code == 404
    assert error_of(unknown)["code"] == "unknown_invite"
    assert not Rating.objects.exists()


def test_a_staff_session_cannot_rate_even_with_a_device_token(client_for, people, device, notice):
    client = client_for(people.officer)

    response = post(client, "/api/devices/ratings", rating_body(notice), device[1])

    assert response.status_code == 403
    assert error_of(response)["code"] == "staff_cannot_rate"
    assert not Rating.objects.exists()


@pytest.mark.parametrize("change, field", [
    ({"level": "abc"}, "level"),
    ({"level": 9}, "level"),
    ({"level": True}, "level"),
    ({"level": 4.0}, "level"),
    ({"efficiency": 0}, "efficiency"),
    ({"level": 2, "reasons": []}, "reasons"),
    ({"level": 1, "reasons": ["nope"]}, "reasons"),
    ({"level": 2, "reasons": "attitude"}, "reasons"),
    ({"level": 2, "reasons": ["other"], "other_reason": ""}, "other_reason"),
    ({"comment": 5}, "comment"),
    ({"comment": "长" * 501}, "comment"),
    ({"invite_id": "1"}, "invite_id"),
    ({"invite_id": None}, "invite_id"),
    ({"idempotency_key": None}, "idempotency_key"),
    ({"idempotency_key": "short"}, "idempotency_key"),
    ({"idempotency_key": "空格 不行 000000"}, "idempotency_key"),
    ({"rated_at": "yesterday"}, "rated_at"),
    ({"rated_at": "2026-02-30T10:00:00"}, "rated_at"),
])
def test_a_malformed_rating_is_a_clear_400_naming_the_field(client, device, notice, change, field):
    response = post(client, "/api/devices/ratings", rating_body(notice, **change), device[1])

    assert response.status_code == 400
    assert error_of(response)["field"] == field
    assert error_of(response)["message"]
    assert not Rating.objects.exists()


@pytest.mark.parametrize("raw", ["", "not json", "[]", "{\"invite_id\": ", "\"text\"", "[" * 100000])
def test_a_body_that_is_not_a_json_object_is_a_clear_400(client, device, raw):
    response = post(client, "/api/devices/ratings", raw, device[1], raw=True)

    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_json"


# --- CSRF and the OpenAPI description ---------------------------------------------------------


def test_only_the_token_endpoints_are_exempt_from_csrf(city, people, device, notice):
    from evaluations import device_views

    assert all(getattr(resolve(url).func, "csrf_exempt", False) for url in DEVICE_PATHS)
    assert not any(getattr(p.callback, "csrf_exempt", False) for p in device_views.urlpatterns)

    client = Client(enforce_csrf_checks=True)
    rated = post(client, "/api/devices/ratings", rating_body(notice), device[1])
    client.force_login(people.head)
    page = client.post(f"/evaluations/devices/windows/{city.w1.pk}/code/")

    assert rated.status_code == 201
    assert page.status_code == 403  # the station head's forms need their CSRF token
    assert PairingCode.objects.count() == 1  # only the fixture's


def test_the_openapi_paths_describe_exactly_the_device_endpoints(client, db):
    spec = client.get("/api/openapi.json").json()
    documented = {}
    for url in DEVICE_PATHS:
        item = spec["paths"][url]
        documented[resolve(url).url_name] = {m.upper() for m in item if m in ("get", "post")}
        for method, operation in item.items():
            assert operation["operationId"] and operation["summary"] and operation["responses"], (url, method)
            if url != "/api/devices/pair":
                assert operation["security"] == [{"DeviceToken": []}]
    assert documented == {
        "device_pair": {"POST"}, "device_heartbeat": {"POST"}, "device_me": {"GET"}, "device_next": {"GET"},
        "device_ratings": {"POST"},
    }
    assert sorted(p for p in spec["paths"] if p.startswith("/api/devices/")) == sorted(DEVICE_PATHS)
    ratings = spec["paths"]["/api/devices/ratings"]["post"]
    assert set(ratings["responses"]) >= {"200", "201", "400", "401", "403", "404", "409"}
    body = ratings["requestBody"]["content"]["application/json"]["schema"]
    body = spec["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]] if "$ref" in body else body
    assert set(body["required"]) == {"invite_id", "level", "idempotency_key"}


def test_a_nul_character_in_a_rating_is_refused_with_a_clear_400(client, device, notice):
    _device, token = device

    response = post(client, "/api/devices/ratings", rating_body(notice, comment="好\u0000"), token)

    assert response.status_code == 400
    assert "空字符" in error_of(response)["message"]
    assert not notice.case.ratings.exists()


# --- what a device shows (issue 7, item 1) ----------------------------------------------------


def test_a_device_paired_after_a_decision_never_shows_that_case(client, people, open_case, pair, settings):
    """The next person at the counter must not rate the case of an applicant served before the tablet came."""
    settings.DEVICE_WAIT_SECONDS = 0
    with freeze_time(NOW) as clock:
        case = open_case(None, "出生医学证明")
        counter.case_notify(case=case, actor=people.officer)  # no tablet at the window yet
        clock.tick(datetime.timedelta(minutes=1))
        _dev, token = pair()
        response = client.get("/api/devices/next?after=0", headers=auth(token))

    assert response.status_code == 204
    assert Invite.objects.get(case=case).shown_at is None


def test_a_decision_made_while_the_device_was_offline_is_shown_only_within_the_fresh_minutes(
    people, open_case, pair, settings
):
    settings.DEVICE_FRESH_MINUTES = 5
    with freeze_time(NOW) as clock:
        dev, _token = pair()
        clock.tick(datetime.timedelta(minutes=10))  # the tablet has been silent since 09:00
        counter.case_notify(case=open_case(None, "出生医学证明"), actor=people.officer)
        late = Invite.objects.get()
        assert late.device_offline
        clock.tick(datetime.timedelta(minutes=3))
        services.device_heartbeat(device=dev)  # back after 13 minutes
        assert services.invite_next_for_device(device=dev) == late  # three minutes old: still shown

        counter.case_notify(case=open_case(None, "出生医学证明"), actor=people.officer)
        missed = Invite.objects.exclude(pk=late.pk).get()
        assert not missed.device_offline
        clock.tick(datetime.timedelta(minutes=10))  # the tablet went silent right after the decision
        services.device_heartbeat(device=dev)
        # Ten minutes later that applicant is gone and someone else may be at the counter: the QR link is his.
        assert services.invite_next_for_device(device=dev, after_id=late.pk) is None


def test_a_decision_made_while_the_device_was_online_is_shown_even_after_the_fresh_minutes(
    people, open_case, pair, settings
):
    settings.DEVICE_FRESH_MINUTES = 5
    with freeze_time(NOW) as clock:
        dev, _token = pair()
        counter.case_notify(case=open_case(None, "出生医学证明"), actor=people.officer)
        invite = Invite.objects.get()
        for _minute in range(8):  # heartbeats every minute
            clock.tick(datetime.timedelta(minutes=1))
            services.device_heartbeat(device=dev)
        assert services.invite_next_for_device(device=dev) == invite
        clock.tick(datetime.timedelta(hours=2, minutes=1))
        services.device_heartbeat(device=dev)
        assert services.invite_next_for_device(device=dev) is None  # never more than two hours back


# --- text that cannot be stored (issue 7, item 4) ----------------------------------------------


@pytest.mark.parametrize("field", ["comment", "other_reason"])
def test_a_lone_surrogate_in_a_rating_text_is_a_400_naming_the_field(client, device, notice, field):
    body = rating_body(notice, level=2, reasons=["other"], other_reason="说不清楚")
    body[field] = "\ud800x"

    response = post(client, "/api/devices/ratings", json.dumps(body), device[1], raw=True)

    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_field"
    assert error_of(response)["field"] == field
    assert "字符" in error_of(response)["message"]
    assert not Rating.objects.exists()


@pytest.mark.parametrize("field", ["code", "name"])
def test_a_lone_surrogate_in_the_pairing_is_a_400_naming_the_field(client, city, people, field):
    body = {"code": services.pairing_code_create(window=city.w1, actor=people.head), "name": "平板"}
    body[field] = body[field] + "\udfff"

    response = post(client, "/api/devices/pair", json.dumps(body), raw=True)

    assert response.status_code == 400
    assert (error_of(response)["code"], error_of(response)["field"]) == ("bad_field", field)
    assert not Device.objects.exists()


def test_the_service_refuses_a_lone_surrogate_whatever_the_channel(notice):
    from core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        services.rating_submit(invite=notice, data=services.RatingInput(5, 5, 5, 5, comment="好\udc80"),
                               channel="qr")
    assert (refused.value.code, refused.value.field) == ("bad_rating", "comment")


# --- parallel repeats (issue 7, item 5) --------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs real concurrent transactions (PostgreSQL, as in CI)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_repeats_of_one_key_answer_201_once_and_200_with_the_same_body(people, open_case, pair,
                                                                                 monkeypatch):
    _dev, token = pair()
    counter.case_notify(case=open_case(None, "出生医学证明"), actor=people.officer)
    body = rating_body(Invite.objects.get())
    real_audit = services.audit_record

    def slow_audit(**kwargs):
        # The first writer holds its transaction open a moment, so the others find no rating yet and
        # their inserts wait for its commit.
        real_audit(**kwargs)
        time.sleep(0.3)

    monkeypatch.setattr(services, "audit_record", slow_audit)
    repeats = 5
    barrier = threading.Barrier(repeats)
    answers = []

    def send():
        barrier.wait()
        try:
            response = post(Client(), "/api/devices/ratings", body, token)
            answers.append((response.status_code, response.json()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(repeats)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)

    statuses = sorted(status for status, _body in answers)
    assert statuses == [200] * (repeats - 1) + [201]
    assert len({json.dumps(data, sort_keys=True) for _status, data in answers}) == 1
    assert Rating.objects.count() == 1
