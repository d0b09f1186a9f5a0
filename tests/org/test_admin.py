"""The engineer's back office: every change, deletion and password reset audited; no move that strands records."""

import pytest
from django.urls import reverse

from core.audit import events_describe
from core.errors import DomainError
from core.models import AuditEvent
from counter.models import Case
from org.models import Role, Staff, Unit, UnitKind
from tests.factories import StaffFactory, make_unit


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
    assert event.data["duty_status"] == "stopped" and event.unit == officer.unit
    [view] = events_describe([event])
    assert (view.action, view.object.text) == ("在后台修改", f"王警官（{officer.police_number}） 东街派出所1号窗口")
    assert ("在岗状态", "停止执行职务") in view.data and ("开设时间", "2026-01-01 00:00") in view.data


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


# --- password resets and deletions ------------------------------------------------------------------------

def test_a_password_reset_in_the_admin_is_audited_without_the_password(client, engineer, people):
    client.force_login(engineer)
    officer = people.officer

    response = client.post(reverse("admin:auth_user_password_change", args=[officer.pk]), {
        "password1": "Reset-by-admin-2027", "password2": "Reset-by-admin-2027", "usable_password": "true",
    })

    assert response.status_code == 302, response.content.decode()[:2000]
    officer.refresh_from_db()
    assert officer.check_password("Reset-by-admin-2027")
    event = AuditEvent.objects.get(action="admin.password_change")
    assert (event.actor, event.object_id, event.unit) == (engineer, str(officer.pk), officer.unit)
    assert event.data == {"usable": True}
    assert "Reset-by-admin-2027" not in str(event.data) and officer.password not in str(event.data)
    assert events_describe([event])[0].action == "在后台重设密码"


def test_a_refused_password_reset_changes_nothing_and_records_nothing(client, engineer, people):
    client.force_login(engineer)
    before = people.officer.password

    response = client.post(reverse("admin:auth_user_password_change", args=[people.officer.pk]), {
        "password1": "Reset-by-admin-2027", "password2": "Something-else-2027", "usable_password": "true",
    })

    assert response.status_code == 200
    people.officer.refresh_from_db()
    assert people.officer.password == before
    assert not AuditEvent.objects.filter(action="admin.password_change").exists()


def test_deleting_a_selection_in_the_admin_records_each_deleted_record(client, engineer, city):
    client.force_login(engineer)
    leaving = [StaffFactory(username=f"leaving{n}", full_name=f"调离{n}", unit=city.w2) for n in range(2)]
    staying = StaffFactory(username="staying", full_name="留任", unit=city.w2)
    url = reverse("admin:org_staff_changelist")
    selected = {"action": "delete_selected", "_selected_action": [s.pk for s in leaving]}

    confirm = client.post(url, selected)
    assert confirm.status_code == 200 and "调离0" in confirm.content.decode()
    assert Staff.objects.filter(pk__in=[s.pk for s in leaving]).count() == 2  # asked, not yet done

    done = client.post(url, {**selected, "post": "yes"})

    assert done.status_code == 302
    assert not Staff.objects.filter(pk__in=[s.pk for s in leaving]).exists()
    assert Staff.objects.filter(pk=staying.pk).exists()
    events = AuditEvent.objects.filter(action="admin.delete").order_by("object_id")
    assert [(e.object_id, e.actor, e.unit, e.data) for e in events] == [
        (str(s.pk), engineer, city.w2, {"repr": str(s), "bulk": True}) for s in leaving]
    assert {v.action for v in events_describe(events)} == {"在后台删除"}


def test_deleting_one_unit_in_the_admin_records_it_at_its_parent(client, engineer, city):
    client.force_login(engineer)
    spare = Unit.objects.create(name="备用窗口", code="350102001W9", kind=UnitKind.WINDOW, parent=city.dongjie)

    response = client.post(reverse("admin:org_unit_delete", args=[spare.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not Unit.objects.filter(pk=spare.pk).exists()
    event = AuditEvent.objects.get(action="admin.delete", object_id=str(spare.pk))
    assert event.unit == city.dongjie and event.data == {"repr": "备用窗口"}


# --- moving units --------------------------------------------------------------------------------------------

def unit_post(unit, **changes):
    return {"name": unit.name, "code": unit.code, "kind": unit.kind, "parent": unit.parent_id, "doc_prefix":
            unit.doc_prefix, "address": unit.address, "phone": unit.phone, **changes}


def test_a_station_with_windows_cannot_move_to_another_county_in_the_admin(client, engineer, city):
    client.force_login(engineer)

    response = client.post(reverse("admin:org_unit_change", args=[city.dongjie.pk]),
                           unit_post(city.dongjie, parent=city.taijiang.pk))

    assert response.status_code == 200
    assert "东街派出所已有窗口或办件，不能改到其他县（市、区）局" in response.content.decode()
    for unit in (city.dongjie, city.w1, city.w2):
        unit.refresh_from_db()
        assert unit.county == city.gulou
    assert city.dongjie.parent == city.gulou
    assert not AuditEvent.objects.filter(action="admin.change", object_id=str(city.dongjie.pk)).exists()


def test_a_window_with_cases_cannot_move_to_another_station(client, engineer, city, open_case):
    case = open_case()
    other_station = make_unit("南街派出所", "350102002", UnitKind.STATION, city.gulou)
    client.force_login(engineer)

    response = client.post(reverse("admin:org_unit_change", args=[city.w1.pk]),
                           unit_post(city.w1, parent=other_station.pk))

    assert response.status_code == 200
    assert "已有下级单位或办件等业务记录，不能改换上级单位" in response.content.decode()
    city.w1.refresh_from_db()
    assert city.w1.station == city.dongjie
    assert Case.objects.get(pk=case.pk).station == city.dongjie


def test_no_save_outside_the_admin_moves_a_station_with_windows_either(city):
    station = Unit.objects.get(pk=city.dongjie.pk)
    station.parent = city.taijiang

    with pytest.raises(DomainError) as refused:
        station.save()

    assert refused.value.code == "unit_move_blocked"
    assert Unit.objects.get(pk=city.dongjie.pk).county == city.gulou


def test_a_station_with_nothing_under_it_may_move_and_the_move_is_audited(client, engineer, city, people):
    empty = make_unit("新设派出所", "350102009", UnitKind.STATION, city.gulou)
    head = StaffFactory(username="newhead", full_name="新所长", unit=empty, role=Role.STATION_HEAD)
    client.force_login(engineer)

    response = client.post(reverse("admin:org_unit_change", args=[empty.pk]), unit_post(empty, parent=city.taijiang.pk))

    assert response.status_code == 302, response.content.decode()[:2000]
    empty.refresh_from_db()
    assert (empty.parent, empty.county, empty.city) == (city.taijiang, city.taijiang, city.city)
    assert head.unit.county_or_self() == city.taijiang  # its people follow it: their scope is read from the unit
    event = AuditEvent.objects.get(action="admin.change", object_id=str(empty.pk))
    assert event.data == {"parent": city.taijiang.pk}
    assert events_describe([event])[0].data == [("上级单位", "台江分局")]


def test_renaming_a_station_with_windows_is_still_allowed(client, engineer, city):
    client.force_login(engineer)

    response = client.post(reverse("admin:org_unit_change", args=[city.dongjie.pk]),
                           unit_post(city.dongjie, name="东街派出所（新址）"))

    assert response.status_code == 302
    city.dongjie.refresh_from_db()
    assert city.dongjie.name == "东街派出所（新址）" and city.dongjie.county == city.gulou
