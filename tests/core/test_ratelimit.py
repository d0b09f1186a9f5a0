"""Guessable endpoints are limited per client address, in the database (shared by every process), with a 429."""

import datetime
import json

import pytest
from django.conf import settings as django_settings
from django.http import HttpResponse
from django.test import RequestFactory
from freezegun import freeze_time

from core import ratelimit
from core.models import RateLimitCounter

PAGE_TITLE = "请求过于频繁"


@pytest.fixture(autouse=True)
def in_one_window():
    """Counts are per minute: without a frozen clock a test could straddle two windows."""
    with freeze_time("2026-03-02 09:00:30+08:00"):
        yield


def limits(**overrides):
    """The configured rules, with the limits of the named ones replaced."""
    return [(name, methods, pattern, overrides.get(name, count), seconds, *rest)
            for name, methods, pattern, count, seconds, *rest in django_settings.RATE_LIMITS]


def only(name, count, seconds=60):
    """Every rule off but `name`."""
    return [(n, m, p, count if n == name else 0, seconds, *rest)
            for n, m, p, _c, _s, *rest in django_settings.RATE_LIMITS]


def test_every_guessable_endpoint_has_its_rule_and_the_rest_have_none():
    rf = RequestFactory()
    cases = {
        ("POST", "/accounts/login/"): "sign_in",
        ("POST", "/admin/login/"): "sign_in",
        ("GET", "/accounts/login/"): None,
        ("POST", "/api/devices/pair"): "pairing",
        ("GET", "/api/devices/next"): "device_poll",
        ("GET", "/api/devices/me"): "device_api",
        ("POST", "/api/devices/ratings"): "device_api",
        ("GET", "/api/ratings"): "integration_api",
        ("GET", "/r/abc123"): "rating_link",
        ("POST", "/r/abc123"): "rating_link",
        ("GET", "/counter/"): None,
        ("GET", "/api/keys/"): None,
    }
    for (method, path), name in cases.items():
        rule = ratelimit.rule_for(rf.generic(method, path))
        assert (rule.name if rule else None) == name, (method, path)


@freeze_time("2026-03-02 09:00:10+08:00")
def test_sign_in_over_the_limit_gets_a_chinese_page_with_retry_after(client, db, settings):
    settings.RATE_LIMITS = only("sign_in", 3)
    for _ in range(3):
        assert client.post("/accounts/login/", {"username": "x", "password": "y"}).status_code == 200
    assert client.get("/accounts/login/").status_code == 200  # looking at the form is not a guess

    refused = client.post("/accounts/login/", {"username": "x", "password": "y"})

    assert refused.status_code == 429
    assert refused["Retry-After"] == "50"
    body = refused.content.decode()
    assert PAGE_TITLE in body and "请求过于频繁，请在 50 秒后再试。" in body
    assert refused["Content-Type"].startswith("text/html")


@freeze_time("2026-03-02 09:00:00+08:00")
def test_the_api_answers_429_with_its_json_error(client, db, settings):
    settings.RATE_LIMITS = only("pairing", 2)
    for _ in range(2):
        answer = client.post("/api/devices/pair", {"code": "ABCD2345"}, content_type="application/json")
        assert answer.status_code == 400

    refused = client.post("/api/devices/pair", {"code": "ABCD2345"}, content_type="application/json",
                          HTTP_ACCEPT_LANGUAGE="en")

    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert json.loads(refused.content) == {"error": {
        "code": "rate_limited", "message": "请求过于频繁，请在 60 秒后再试。", "field": None}}


def test_the_public_rating_page_counts_gets_and_posts(client, db, settings):
    settings.RATE_LIMITS = only("rating_link", 2)
    client.get("/r/no-such-token")
    client.post("/r/no-such-token", {})

    refused = client.get("/r/no-such-token")

    assert refused.status_code == 429
    assert PAGE_TITLE in refused.content.decode()


def test_each_client_address_has_its_own_count(client, db, settings):
    settings.RATE_LIMITS = only("rating_link", 1)
    client.get("/r/x", REMOTE_ADDR="10.8.0.1")

    assert client.get("/r/x", REMOTE_ADDR="10.8.0.1").status_code == 429
    assert client.get("/r/x", REMOTE_ADDR="10.8.0.2").status_code == 404


def test_behind_nginx_the_count_is_by_the_trusted_header(client, db, settings):
    settings.RATE_LIMITS = only("rating_link", 1)
    settings.TRUSTED_PROXY_ADDRESS_HEADER = "HTTP_X_REAL_IP"
    client.get("/r/x", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="10.8.0.1")

    assert client.get("/r/x", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="10.8.0.1").status_code == 429
    assert client.get("/r/x", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="10.8.0.2").status_code == 404


def test_the_next_window_starts_afresh(client, db, settings):
    settings.RATE_LIMITS = only("rating_link", 1)
    with freeze_time("2026-03-02 09:00:59+08:00") as clock:
        client.get("/r/x")
        assert client.get("/r/x").status_code == 429
        clock.tick(datetime.timedelta(seconds=1))

        assert client.get("/r/x").status_code == 404


def test_a_limit_of_zero_is_off(client, db, settings):
    settings.RATE_LIMITS = only("rating_link", 0)
    for _ in range(5):
        assert client.get("/r/x").status_code == 404
    assert not RateLimitCounter.objects.exists()


def test_a_counted_request_costs_one_statement(db, settings, django_assert_num_queries):
    settings.RATE_LIMITS = only("rating_link", 100)
    middleware = ratelimit.RateLimitMiddleware(lambda request: HttpResponse("ok"))
    request = RequestFactory().get("/r/x")
    middleware(request)

    with django_assert_num_queries(1):
        assert middleware(request).status_code == 200
    with django_assert_num_queries(0):
        middleware(RequestFactory().get("/counter/"))


def test_ipv6_clients_are_counted_by_their_64_bit_network(client, db, settings):
    settings.RATE_LIMITS = only("rating_link", 1)
    client.get("/r/x", REMOTE_ADDR="2001:db8:1:2::10")

    assert client.get("/r/x", REMOTE_ADDR="2001:db8:1:2:ffff::1").status_code == 429
    assert client.get("/r/x", REMOTE_ADDR="2001:db8:1:3::10").status_code == 404


def test_client_address_takes_the_last_entry_of_the_trusted_header_and_ignores_garbage(settings):
    rf = RequestFactory()
    settings.TRUSTED_PROXY_ADDRESS_HEADER = "HTTP_X_FORWARDED_FOR"

    assert ratelimit.client_address(rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.8.0.7")) == "10.8.0.7"
    assert ratelimit.client_address(rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="junk")) == "127.0.0.1"
    assert ratelimit.client_address(rf.get("/", REMOTE_ADDR="127.0.0.1")) == "127.0.0.1"


def test_old_windows_are_purged(db, settings):
    settings.RATE_LIMITS = only("rating_link", 100)
    with freeze_time("2026-03-02 09:00:00+08:00"):
        ratelimit.RateLimitMiddleware(lambda request: HttpResponse())(RequestFactory().get("/r/x"))
    with freeze_time("2026-03-02 09:05:00+08:00"):
        assert ratelimit.rate_limits_purge() == 1
    assert not RateLimitCounter.objects.exists()


@pytest.mark.parametrize("value", ["X-Real-IP", "HTTP_X REAL"])
def test_a_malformed_proxy_header_setting_stops_the_start(settings, value):
    from core.checks import client_limits

    settings.TRUSTED_PROXY_ADDRESS_HEADER = value

    assert [m.id for m in client_limits()] == ["core.E015"]


def test_a_negative_limit_stops_the_start(settings):
    from core.checks import client_limits

    settings.RATE_LIMITS = limits(pairing=-1)

    assert [m.id for m in client_limits()] == ["core.E016"]


@freeze_time("2026-03-02 09:00:10+08:00")
def test_the_long_poll_counts_only_its_refusals(client, db, settings, city, people, pair):
    settings.RATE_LIMITS = only("device_poll", 3)
    settings.DEVICE_WAIT_SECONDS = 0
    _device, token = pair(city.w1)
    ratelimit._blocked.clear()

    # A tablet that proves who it is polls all day: nothing is written for it.
    for _ in range(5):
        assert client.get("/api/devices/next", HTTP_AUTHORIZATION=f"Device {token}").status_code == 204
    assert not RateLimitCounter.objects.exists()

    # A client guessing tokens is counted, then refused without reaching the view.
    for _ in range(3):
        assert client.get("/api/devices/next", HTTP_AUTHORIZATION="Device guess").status_code == 401
    assert client.get("/api/devices/next", HTTP_AUTHORIZATION="Device guess").status_code == 401  # the 4th counted
    refused = client.get("/api/devices/next", HTTP_AUTHORIZATION="Device guess")
    assert refused.status_code == 429 and refused["Retry-After"] == "50"
    assert json.loads(refused.content)["error"]["code"] == "rate_limited"
    # The same address with a good token waits its turn too (it is counted by address, as every rule).
    assert client.get("/api/devices/next", HTTP_AUTHORIZATION=f"Device {token}").status_code == 429
    # Another address is not affected.
    assert client.get("/api/devices/next", HTTP_AUTHORIZATION=f"Device {token}",
                      REMOTE_ADDR="10.8.0.9").status_code == 204
    ratelimit._blocked.clear()
