"""Dates, times and numbers outside what the pages and the database hold are a 400 in Chinese, never a 500."""

import pytest
from django.test import Client

from api.keys import integration_key_create
from tests.catalog.test_views import item_post


@pytest.fixture
def staff_client(people):
    def sign_in(who):
        client = Client(raise_request_exception=False)
        client.force_login(getattr(people, who))
        return client
    return sign_in


@pytest.mark.parametrize("url", [
    "/evaluations/ratings/?date_to=9999-12-31",
    "/evaluations/ratings/?date_from=0001-01-01",
    "/audit/?date_to=9999-12-31",
    "/audit/?date_from=0001-01-01",
    "/evaluations/usage/?date_to=9999-12-31",
    "/evaluations/usage/?date_to=0001-01-01",
    "/evaluations/usage/invites/?date_to=9999-12-31",
    "/evaluations/usage/invites/?date_to=0001-01-01",
    "/evaluations/usage/offline/?date_to=9999-12-31",
    "/evaluations/usage/offline/?date_to=0001-01-01",
])
def test_a_filter_date_outside_2000_to_2100_is_explained_next_to_the_field(staff_client, url):
    response = staff_client("county").get(url)

    assert response.status_code == 400
    page = response.content.decode()
    assert "日期应在2000-01-01到2100-12-31之间" in page
    assert ("9999-12-31" if "9999" in url else "0001-01-01") in page  # what was typed stays


def test_the_calculator_refuses_a_start_outside_2000_to_2100(staff_client):
    response = staff_client("county").get("/calendar/", {"calc-start": "9999-12-31", "calc-n": "5"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "起算日期应在2000-01-01到2100-12-31之间" in page
    assert 'value="9999-12-31"' in page


@pytest.mark.parametrize(("params", "field"), [
    ({"since": "0001-01-01T00:00:01+00:01"}, "since"),
    ({"since": "2026-01-01T00:00:00-17:00"}, "since"),
    ({"since": "2026-01-01", "until": "9999-12-31T23:59:59-10:00"}, "until"),
    ({"since": "2026-01-01T00:00:00+23:59"}, "since"),
    ({"since": "2026-01-01", "until": "2026-06-01T00:00:00-12:30"}, "until"),
])
def test_an_api_time_outside_the_range_or_with_an_impossible_offset_is_400(client, people, params, field):
    key = integration_key_create(actor=people.cityadmin, name="省平台")

    response = client.get("/api/ratings", params, headers={"Authorization": f"Bearer {key.secret}"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("bad_parameter", field)
    assert field in error["message"] and any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])


@pytest.mark.parametrize(("position", "message"), [
    ("99999999999999999999", "排序应为0到2147483647之间的整数"),
    ("-1", "排序应为0到2147483647之间的整数"),
])
def test_a_guide_item_position_the_database_cannot_hold_is_explained(staff_client, guide, position, message):
    client = staff_client("county")
    assert client.post("/guide/350102/draft/create/").status_code == 302

    response = client.post("/guide/350102/draft/items/new/", item_post(position=position, name="我输入的事项"))

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "我输入的事项" in page and position in page


@pytest.mark.parametrize(("typed", "message"), [
    ("0001-01-01T00:00", "回访时间应在2000-01-01到2100-12-31之间"),
    ("9999-12-31T23:59", "回访时间应在2000-01-01到2100-12-31之间"),
])
def test_a_call_back_time_outside_2000_to_2100_is_explained(client_for, people, city, guide, open_case,
                                                            typed, message):
    from counter import services as counter_services
    from evaluations import services
    from evaluations.models import Invite

    case = open_case(guide.birth, "出生医学证明")
    counter_services.case_notify(case=case, actor=people.officer)
    rating = services.rating_submit(invite=Invite.objects.get(case=case), channel="qr",
                                    data=services.RatingInput(1, 1, 1, 1, ("attitude",), "", "态度生硬"))

    response = client_for(people.head).post(f"/evaluations/follow-ups/{rating.follow_up.pk}/call/",
                                            {"called_at": typed, "call_notes": "联系了申请人，对方反映态度生硬。"})

    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_call_back_time_with_an_offset_no_place_uses_is_kept_as_beijing_time():
    from core.bounds import BoundedDateTimeField

    moment = BoundedDateTimeField().clean("2026-12-01T00:00:00-17:00")

    assert moment.utcoffset().total_seconds() == 8 * 3600
    assert moment.isoformat() == "2026-12-02T01:00:00+08:00"
