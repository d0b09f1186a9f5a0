"""Sign-in: wrong passwords lock the account for a while, then it opens again."""

import datetime

import pytest
from django.urls import reverse
from freezegun import freeze_time

from core.models import AuditEvent

LOGIN = reverse("org:login")


def sign_in(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def test_the_right_password_signs_in_and_is_audited(client, people):
    response = sign_in(client, "officer", people.password)

    assert response.status_code == 302
    assert response.wsgi_request.user == people.officer
    assert AuditEvent.objects.filter(action="auth.login", actor=people.officer).exists()


def test_a_wrong_password_is_refused_in_chinese(client, people):
    response = sign_in(client, "officer", "not-the-password")

    assert response.status_code == 200
    assert "用户名或密码不正确，请重新输入。注意区分大小写。" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_an_unknown_user_gets_the_same_message_as_a_wrong_password(client, people):
    response = sign_in(client, "nobody", "whatever-password")

    assert "用户名或密码不正确" in response.content.decode()


def test_too_many_wrong_passwords_lock_the_account_then_it_opens_again(client, people, settings):
    settings.LOGIN_MAX_FAILURES = 5
    settings.LOGIN_LOCK_MINUTES = 15

    with freeze_time("2026-03-02 01:00:00") as clock:
        for _ in range(4):
            assert "用户名或密码不正确" in sign_in(client, "officer", "wrong-password").content.decode()
        fifth = sign_in(client, "officer", "wrong-password").content.decode()
        assert "连续登录失败次数过多，账号已锁定，请在 15 分钟后再试或联系管理员。" in fifth

        clock.tick(datetime.timedelta(minutes=10))
        refused = sign_in(client, "officer", people.password)
        assert refused.status_code == 200
        assert "账号已锁定，请在 5 分钟后再试" in refused.content.decode()
        assert not refused.wsgi_request.user.is_authenticated

        clock.tick(datetime.timedelta(minutes=5, seconds=1))
        allowed = sign_in(client, "officer", people.password)
        assert allowed.status_code == 302
        assert allowed.wsgi_request.user == people.officer

    people.officer.refresh_from_db()
    assert people.officer.failed_logins == 0
    assert people.officer.locked_until is None


def test_the_failure_count_follows_the_setting(client, people, settings):
    settings.LOGIN_MAX_FAILURES = 2

    sign_in(client, "officer", "wrong-password")
    second = sign_in(client, "officer", "wrong-password")

    assert "账号已锁定" in second.content.decode()


def test_a_good_sign_in_clears_earlier_failures(client, people, settings):
    settings.LOGIN_MAX_FAILURES = 3
    sign_in(client, "officer", "wrong-password")
    sign_in(client, "officer", "wrong-password")
    sign_in(client, "officer", people.password)
    client.logout()

    after = sign_in(client, "officer", "wrong-password")

    assert "账号已锁定" not in after.content.decode()


def test_each_failure_is_audited_against_the_account(client, people):
    sign_in(client, "officer", "wrong-password")

    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.object_id == str(people.officer.pk)
    assert event.unit == people.officer.unit
    assert event.actor is None
    assert event.data == {"failures": 1}


@pytest.mark.parametrize("username", ["stopped", "head"])
def test_locking_one_account_does_not_touch_another(client, people, settings, username):
    settings.LOGIN_MAX_FAILURES = 1
    sign_in(client, "officer", "wrong-password")

    response = sign_in(client, username, people.password)

    assert response.status_code == 302


# --- the lock is per user name AND client address, and says nothing about which names exist ------------------

def sign_in_from(client, address, username, password, **headers):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


def test_a_lock_from_one_address_does_not_lock_the_colleague_out_at_another(client, people, settings):
    settings.LOGIN_MAX_FAILURES = 2
    sign_in_from(client, "10.8.0.66", "officer", "wrong-password")
    sign_in_from(client, "10.8.0.66", "officer", "wrong-password")
    locked = sign_in_from(client, "10.8.0.66", "officer", people.password)
    assert "账号已锁定" in locked.content.decode() and not locked.wsgi_request.user.is_authenticated

    at_the_counter = sign_in_from(client, "10.8.1.21", "officer", people.password)

    assert at_the_counter.status_code == 302
    assert at_the_counter.wsgi_request.user == people.officer


def test_an_unknown_name_is_locked_with_the_same_messages_as_a_real_one(client, people, settings):
    settings.LOGIN_MAX_FAILURES = 2
    answers = {}
    for username in ("officer", "nobody"):
        first = sign_in(client, username, "wrong-password").content.decode()
        second = sign_in(client, username, "wrong-password").content.decode()
        third = sign_in(client, username, "wrong-password").content.decode()
        answers[username] = [
            [m for m in (
                "用户名或密码不正确，请重新输入。注意区分大小写。",
                "连续登录失败次数过多，账号已锁定，请在 15 分钟后再试或联系管理员。",
            ) if m in page]
            for page in (first, second, third)
        ]

    assert answers["nobody"] == answers["officer"]
    assert answers["nobody"][1] == ["连续登录失败次数过多，账号已锁定，请在 15 分钟后再试或联系管理员。"]


def test_a_failure_for_an_unknown_name_is_audited_with_the_name_typed(client, people):
    sign_in(client, "nobody", "wrong-password")

    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.object_type == "org.staff" and event.object_id == ""
    assert event.unit is None and event.actor is None
    assert event.data == {"failures": 1, "username": "nobody"}


def test_behind_nginx_the_address_is_the_one_the_trusted_header_names(client, people, settings):
    settings.TRUSTED_PROXY_ADDRESS_HEADER = "HTTP_X_REAL_IP"
    settings.LOGIN_MAX_FAILURES = 1
    # Every request reaches gunicorn from nginx on 127.0.0.1; nginx says who the client was.
    sign_in_from(client, "127.0.0.1", "officer", "wrong-password", HTTP_X_REAL_IP="10.8.0.66")

    guesser = sign_in_from(client, "127.0.0.1", "officer", people.password, HTTP_X_REAL_IP="10.8.0.66")
    client.logout()
    colleague = sign_in_from(client, "127.0.0.1", "officer", people.password, HTTP_X_REAL_IP="10.8.1.21")

    assert not guesser.wsgi_request.user.is_authenticated
    assert colleague.status_code == 302


def test_without_the_setting_a_client_cannot_choose_its_address_by_a_header(client, people, settings):
    settings.TRUSTED_PROXY_ADDRESS_HEADER = ""
    settings.LOGIN_MAX_FAILURES = 1
    sign_in_from(client, "10.8.0.66", "officer", "wrong-password", HTTP_X_REAL_IP="10.8.0.1")

    again = sign_in_from(client, "10.8.0.66", "officer", people.password, HTTP_X_REAL_IP="10.8.0.2")

    assert "账号已锁定" in again.content.decode()
    assert not again.wsgi_request.user.is_authenticated


def test_a_good_sign_in_is_audited_with_the_client_address(client, people):
    sign_in_from(client, "10.8.1.21", "officer", people.password)

    event = AuditEvent.objects.get(action="auth.login")
    assert event.actor == people.officer
    assert event.data == {"site": "staff", "address": "10.8.1.21"}


def test_a_sign_in_refused_while_locked_is_on_the_record_and_found_under_the_person(client, client_for, people,
                                                                                   settings):
    from core.models import AuditEvent

    settings.LOGIN_MAX_FAILURES = 5
    for _ in range(5):
        sign_in(client, "officer2", "wrong-password")
    sign_in(client, "officer2", people.password)  # the right one, refused: the pair is locked
    sign_in(client, "nobody-here", "x")

    refused = AuditEvent.objects.filter(action="auth.login_locked")
    assert refused.count() == 1 and refused.get().object_id == str(people.officer2.pk)
    body = client_for(people.head).get("/audit/", {"person": people.officer2.full_name}).content.decode()
    assert "锁定期间登录被拒" in body and body.count("登录失败") >= 5


def test_the_lockout_message_does_not_ask_to_correct_the_form(client, people, settings):
    settings.LOGIN_MAX_FAILURES = 5
    for _ in range(4):
        wrong = sign_in(client, "officer", "wrong-password").content.decode()
    assert "请修改以下内容后再提交" in wrong  # a wrong password is something to correct
    locked = sign_in(client, "officer", "wrong-password").content.decode()
    assert "暂时不能登录：" in locked and "请修改以下内容后再提交" not in locked
    assert "账号已锁定" in locked
