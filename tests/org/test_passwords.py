"""Passwords (OWASP ASVS level 2): at least 12 characters, not like the person's name, refused in Chinese."""

import pytest
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from org.services import staff_create
from tests.factories import PASSWORD, StaffFactory


def refusal(password, user=None) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    return refused.value.messages


def test_a_password_of_eleven_characters_is_too_short(db):
    assert refusal("Bright-win1") == ["密码太短，至少需要 12 个字符。"]


def test_twelve_characters_unlike_the_name_are_enough(people):
    validate_password("Bright-win12", people.officer)


@pytest.mark.parametrize("password", ["wangjianhua2026", "Wang-Jianhua-88", "jianhua-2026-x"])
def test_a_password_made_of_the_pinyin_of_the_name_is_refused(city, password):
    user = StaffFactory(username="w0127", full_name="王建华", unit=city.w1)

    assert refusal(password, user) == ["密码与您的姓名过于相似。"]


def test_a_password_like_the_user_name_is_refused(city):
    user = StaffFactory(username="zhangguoqing", full_name="张国庆", unit=city.w1)

    assert "密码与您的用户名过于相似。" in refusal("zhangguoqing1", user)


def test_the_rules_are_explained_in_chinese_on_the_password_page(client_for, people):
    body = client_for(people.head).get(reverse("org:password_change")).content.decode()

    assert "密码至少 12 个字符。" in body
    assert "密码不能与您的姓名、用户名等个人信息相似。" in body
    assert all("password" not in text.lower() for text in password_validators_help_texts())


def test_a_new_password_of_eleven_characters_is_refused_on_the_password_page(client_for, people):
    response = client_for(people.head).post(reverse("org:password_change"), {
        "old_password": PASSWORD, "new_password1": "Bright-win1", "new_password2": "Bright-win1",
    })

    assert response.status_code == 200
    assert "密码太短，至少需要 12 个字符。" in response.content.decode()
    people.head.refresh_from_db()
    assert people.head.check_password(PASSWORD)


def test_accounts_opened_by_the_services_keep_the_password_given(city):
    # The demo's accounts use demo2026: set_password does not validate, and the demo stays as it is.
    staff = staff_create(username="demo-officer", full_name="王建华", unit=city.w1, role="window_officer",
                         password="demo2026")

    assert staff.check_password("demo2026")
