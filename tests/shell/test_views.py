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
