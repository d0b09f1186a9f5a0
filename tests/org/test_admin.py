import pytest
from django.urls import reverse

from core.models import AuditEvent
from org.models import Staff, Unit, UnitKind


@pytest.fixture
def engineer(db, city):
    return Staff.objects.create_superuser("engineer", password="x-Very-long-pass-1", full_name="运维")


def test_a_window_added_in_the_admin_gets_its_county_and_station_and_is_audited(client, engineer, city):
    client.force_login(engineer)

    response = client.post(reverse("admin:org_unit_add"), {
        "name": "东街派出所3号窗口", "code": "350102001W3", "kind": UnitKind.WINDOW, "parent": city.dongjie.pk,
    })

    assert response.status_code == 302
    window = Unit.objects.get(code="350102001W3")
    assert (window.city, window.county, window.station) == (city.city, city.gulou, city.dongjie)
    assert AuditEvent.objects.filter(action="admin.add", object_id=str(window.pk), actor=engineer).exists()


def test_a_window_cannot_hang_directly_under_a_county(client, engineer, city):
    client.force_login(engineer)

    response = client.post(reverse("admin:org_unit_add"), {
        "name": "错误窗口", "code": "X1", "kind": UnitKind.WINDOW, "parent": city.gulou.pk,
    })

    assert response.status_code == 200
    assert "该类单位的上级应为" in response.content.decode()
    assert not Unit.objects.filter(code="X1").exists()


def test_stopping_an_officer_from_duty_in_the_admin_is_audited(client, engineer, people):
    client.force_login(engineer)
    officer = people.officer
    url = reverse("admin:org_staff_change", args=[officer.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"duty_status": "stopped", "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00"})
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data.pop("password", None)

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    officer.refresh_from_db()
    assert officer.duty_status == "stopped"
    event = AuditEvent.objects.get(action="admin.change", object_id=str(officer.pk))
    assert "duty_status" in event.data["changed"]


# --- signing in to the admin: the same lockout and audit as the staff sign-in -------------------------------

ADMIN_LOGIN = "/admin/login/"


def admin_sign_in(client, password, username="engineer", address="10.8.9.9"):
    return client.post(ADMIN_LOGIN, {"username": username, "password": password, "next": "/admin/"},
                       REMOTE_ADDR=address)


def test_a_locked_superuser_cannot_sign_in_to_the_admin_even_with_the_right_password(client, engineer, settings):
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_LOCK_MINUTES = 15
    for _ in range(2):
        assert "用户名或密码不正确" in admin_sign_in(client, "wrong-password").content.decode()
    assert "账号已锁定，请在 15 分钟后再试" in admin_sign_in(client, "wrong-password").content.decode()

    refused = admin_sign_in(client, "x-Very-long-pass-1")

    assert refused.status_code == 200
    assert "账号已锁定" in refused.content.decode()
    assert not refused.wsgi_request.user.is_authenticated
    assert AuditEvent.objects.filter(action="auth.login_failed", object_id=str(engineer.pk)).count() == 3


def test_a_lock_earned_on_the_staff_sign_in_holds_on_the_admin_sign_in(client, engineer, settings):
    settings.LOGIN_MAX_FAILURES = 1
    client.post(reverse("org:login"), {"username": "engineer", "password": "wrong"}, REMOTE_ADDR="10.8.9.9")

    refused = admin_sign_in(client, "x-Very-long-pass-1")

    assert "账号已锁定" in refused.content.decode()


def test_admin_sign_ins_and_failures_are_audited(client, engineer):
    admin_sign_in(client, "wrong-password")
    signed_in = admin_sign_in(client, "x-Very-long-pass-1")

    assert signed_in.status_code == 302
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert failed.object_id == str(engineer.pk) and failed.data == {"failures": 1, "site": "admin"}
    login = AuditEvent.objects.get(action="auth.login")
    assert login.actor == engineer and login.data == {"site": "admin", "address": "10.8.9.9"}


def test_a_person_who_is_not_staff_gets_the_wrong_password_message_in_the_admin(client, people):
    refused = admin_sign_in(client, people.password, username="officer")

    assert refused.status_code == 200
    assert "用户名或密码不正确" in refused.content.decode()
    assert not refused.wsgi_request.user.is_authenticated
    assert not AuditEvent.objects.filter(action="auth.login").exists()
