"""A counter PC is shared: a sign-in left idle ends after SESSION_IDLE_MINUTES, and every sign-in ends after
SESSION_COOKIE_AGE however busy it is."""

import datetime

from django.urls import reverse
from freezegun import freeze_time

HOME = reverse("shell:home")


def sign_in(client, people):
    response = client.post(reverse("org:login"), {"username": "officer", "password": people.password})
    assert response.status_code == 302
    return response


def test_a_session_left_idle_ends_and_the_sign_in_page_says_why(client, people, settings):
    settings.SESSION_IDLE_MINUTES = 30
    with freeze_time("2026-03-02 01:00:00") as clock:
        sign_in(client, people)
        clock.tick(datetime.timedelta(minutes=31))

        response = client.get("/counter/", follow=True)

    assert response.redirect_chain[0][0].startswith(reverse("org:login"))
    assert "next=/counter/" in response.redirect_chain[0][0]
    assert not response.wsgi_request.user.is_authenticated
    assert "您已连续 30 分钟未操作，为保护信息安全已自动退出，请重新登录。" in response.content.decode()


def test_work_within_the_idle_time_keeps_the_session(client, people, settings):
    settings.SESSION_IDLE_MINUTES = 30
    with freeze_time("2026-03-02 01:00:00") as clock:
        sign_in(client, people)
        for _ in range(4):
            clock.tick(datetime.timedelta(minutes=20))
            response = client.get(HOME)
            assert response.status_code == 302 and not response["Location"].startswith(reverse("org:login"))


def test_the_idle_time_follows_the_setting(client, people, settings):
    settings.SESSION_IDLE_MINUTES = 5
    with freeze_time("2026-03-02 01:00:00") as clock:
        sign_in(client, people)
        clock.tick(datetime.timedelta(minutes=6))

        response = client.get(HOME, follow=True)

    assert "您已连续 5 分钟未操作" in response.content.decode()


def test_a_busy_session_still_ends_at_the_absolute_age(client, people, settings):
    settings.SESSION_IDLE_MINUTES = 30
    settings.SESSION_COOKIE_AGE = 3600
    with freeze_time("2026-03-02 01:00:00") as clock:
        sign_in(client, people)
        for _ in range(2):
            clock.tick(datetime.timedelta(minutes=25))
            assert client.get(HOME).wsgi_request.user.is_authenticated
        clock.tick(datetime.timedelta(minutes=11))

        response = client.get(HOME)

    assert not response.wsgi_request.user.is_authenticated
    assert response["Location"].startswith(reverse("org:login"))
