"""Signing out and changing one's password."""

from django.urls import reverse

from tests.factories import PASSWORD


def test_the_sign_in_page_is_in_chinese(client, db):
    response = client.get(reverse("org:login"))

    body = response.content.decode()
    assert "工作人员登录" in body
    assert 'lang="zh-hans"' in body


def test_pages_need_a_signed_in_user(client, db):
    response = client.get(reverse("shell:home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("org:login"))


def test_sign_out_ends_the_session_and_says_so(client_for, people):
    client = client_for(people.officer)

    response = client.post(reverse("org:logout"), follow=True)

    assert not response.wsgi_request.user.is_authenticated
    assert "您已安全退出。" in response.content.decode()
    assert client.get(reverse("shell:home")).status_code == 302


def test_sign_out_by_get_is_not_allowed(client_for, people):
    client = client_for(people.officer)

    assert client.get(reverse("org:logout")).status_code == 405


def test_a_password_change_takes_effect_and_keeps_the_user_signed_in(client_for, people):
    client = client_for(people.head)

    response = client.post(reverse("org:password_change"), {
        "old_password": PASSWORD, "new_password1": "Window-bright-2027", "new_password2": "Window-bright-2027",
    }, follow=True)

    assert "密码已修改。" in response.content.decode()
    assert response.wsgi_request.user.is_authenticated
    people.head.refresh_from_db()
    assert people.head.check_password("Window-bright-2027")


def test_a_password_change_needs_the_old_password(client_for, people):
    client = client_for(people.head)

    response = client.post(reverse("org:password_change"), {
        "old_password": "wrong-old-one", "new_password1": "Window-bright-2027", "new_password2": "Window-bright-2027",
    })

    assert response.status_code == 200
    assert "请修改以下内容后再提交" in response.content.decode()
    people.head.refresh_from_db()
    assert people.head.check_password(PASSWORD)


def test_a_weak_new_password_is_refused(client_for, people):
    client = client_for(people.head)

    response = client.post(reverse("org:password_change"), {
        "old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678",
    })

    assert response.status_code == 200
    people.head.refresh_from_db()
    assert people.head.check_password(PASSWORD)


def test_the_password_page_needs_sign_in(client, db):
    response = client.get(reverse("org:password_change"))

    assert response.status_code == 302


def test_station_head_sees_the_stations_staff_and_who_may_decide(client_for, people):
    body = client_for(people.head).get("/accounts/staff/").content.decode()

    assert "王警官" in body and "陈文职" in body and "赵停职" in body
    assert "黄警官" not in body  # another county's officer
    assert "文职人员、协勤人员不得直接办理户政业务" in body
    assert "您已被停止执行职务" in body


def test_city_inspector_sees_every_county_and_an_officer_gets_403(client_for, people):
    assert "黄警官" in client_for(people.inspector).get("/accounts/staff/").content.decode()
    assert client_for(people.officer).get("/accounts/staff/").status_code == 403
