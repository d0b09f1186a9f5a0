"""The front door: health check, home redirect, error pages."""

from django.urls import reverse


def test_healthz_answers_ok_without_signing_in(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_window_staff_land_on_the_counter_desk(client_for, people):
    for persona in (people.officer, people.civilian):
        response = client_for(persona).get(reverse("shell:home"))
        assert response.status_code == 302
        assert response["Location"] == reverse("counter:desk")


def test_supervisors_land_on_the_case_list(client_for, people):
    for persona in (people.head, people.county, people.cityadmin, people.inspector):
        response = client_for(persona).get(reverse("shell:home"))
        assert response["Location"] == reverse("counter:case_list")


def test_an_unknown_page_gets_the_chinese_404(client_for, people):
    response = client_for(people.officer).get("/no-such-page/")

    assert response.status_code == 404
    assert "您要找的页面或记录不存在" in response.content.decode()


def test_the_city_administrator_is_warned_when_printed_links_would_not_open_this_site(client_for, people, settings):
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    page = client_for(people.cityadmin).get("/accounts/password/", HTTP_HOST="127.0.0.1:18731").content.decode()
    assert "文书二维码印的地址是 127.0.0.1:8000" in page and "127.0.0.1:18731" in page

    same = client_for(people.cityadmin).get("/accounts/password/", HTTP_HOST="127.0.0.1:8000").content.decode()
    assert "文书二维码印的地址" not in same
    officer = client_for(people.officer).get("/accounts/password/", HTTP_HOST="127.0.0.1:18731").content.decode()
    assert "文书二维码印的地址" not in officer


def test_the_menu_shows_each_role_only_what_it_can_use(client_for, people):
    def menu(persona):
        html = client_for(persona).get("/accounts/password/").content.decode()
        return html.split('aria-label="主菜单"')[1].split("</nav>")[0]

    civilian = menu(people.civilian)
    assert "窗口受理" in civilian and "申诉复核" not in civilian and "服务评价" not in civilian
    officer = menu(people.officer)
    assert "申诉复核" in officer and "服务评价" in officer and "差评回访" not in officer
    assert "窗口受理" not in menu(people.stopped)  # stopped from duty: no window work
