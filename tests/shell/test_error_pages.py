"""Every error a person can meet is a Chinese page in the layout they are in, never Django's English or debug page."""

import pytest
from django.test import Client
from django.urls import path

from config.urls import urlpatterns as site_urls
from core.errors import AccessDenied, ConflictError, DomainError, NotFound
from shell import views


def raising(exc):
    def view(request):
        raise exc

    return view


urlpatterns = [
    path("boom/", raising(RuntimeError("database fell over"))),
    path("conflict/", raising(ConflictError("该办件刚刚已被他人处理。"))),
    path("denied/", raising(AccessDenied("只有本所所长可以办理差评回访整改。"))),
    path("gone/", raising(NotFound("没有这个办件。"))),
    path("rule/", raising(DomainError("材料不齐全，不能受理。"))),
    *site_urls,
]
handler400 = "shell.views.bad_request"
handler403 = "shell.views.forbidden"
handler404 = "shell.views.not_found"
handler500 = "shell.views.server_error"


@pytest.fixture
def raising_urls(settings):
    settings.ROOT_URLCONF = __name__


@pytest.mark.parametrize("url, status, message", [
    ("/conflict/", 409, "该办件刚刚已被他人处理。"), ("/denied/", 403, "只有本所所长可以办理差评回访整改。"),
    ("/gone/", 404, "没有这个办件。"), ("/rule/", 400, "材料不齐全，不能受理。"),
])
def test_a_domain_error_a_view_let_through_is_a_chinese_page_with_its_status(client_for, people, raising_urls,
                                                                             url, status, message):
    response = client_for(people.head).get(url)

    assert response.status_code == status
    html = response.content.decode()
    assert message in html and str(views.ERROR_TITLES[status][0]) in html
    assert 'aria-label="主菜单"' in html  # the staff layout, with the menu
    assert str(views.ERROR_TITLES[status][1]) not in html  # the reason, not the reason and a generic text


def test_a_server_error_is_a_chinese_page_that_needs_no_database(people, raising_urls):
    client = Client(raise_request_exception=False)
    client.force_login(people.head)

    response = client.get("/boom/")

    assert response.status_code == 500
    html = response.content.decode()
    assert "系统出错" in html and "database fell over" not in html and "Traceback" not in html


def test_the_public_meets_the_public_layout_and_no_advice_meant_for_staff(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "未找到" in html and "主菜单" not in html and "亮窗 · 户籍窗口服务" in html
    assert "服务评价" not in html and "评价人信息" not in html  # the rating page's own header and footer
    assert 'href="/"' in html


def test_a_public_403_does_not_send_a_citizen_to_a_units_administrator(db):
    response = Client(enforce_csrf_checks=True).post("/r/any-token", {"stage": "notice"})  # no CSRF token

    assert response.status_code == 403
    html = response.content.decode()
    assert "页面已过期或来源不明" in html and "管理员" not in html and "主菜单" not in html


def test_an_unknown_path_under_the_api_answers_json(client, db):
    response = client.get("/api/nope")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_language_menu_names_each_language_in_itself(client_for, people):
    html = client_for(people.officer).get("/accounts/password/").content.decode()

    assert ">简体中文</option>" in html and ">English</option>" in html and "英语" not in html


def test_an_expired_form_is_explained_in_chinese_not_django_csrf_page(people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.officer)

    response = client.post("/accounts/password/", {"old_password": "x"})

    assert response.status_code == 403
    html = response.content.decode()
    assert "页面已过期或来源不明" in html and "CSRF verification failed" not in html


def test_a_bad_request_is_a_chinese_400(client, db, settings):
    settings.ALLOWED_HOSTS = ["testserver"]

    response = client.get("/", HTTP_HOST="evil.example.com")

    assert response.status_code == 400
    assert "请求有误" in response.content.decode()


def test_no_template_comment_leaks_onto_a_page():
    """Django's {# #} comments end at the line's end; a longer one is printed on the page."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    leaks = [f"{p.relative_to(root)}:{n}" for p in root.glob("*/templates/**/*.html")
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
             if "{#" in line and "#}" not in line[line.index("{#"):]]
    assert leaks == []
