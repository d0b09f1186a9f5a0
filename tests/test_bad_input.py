"""Every screen answers malformed input with a page or a 4xx, never a server error."""


import pytest
from django.test import Client

from counter import services
from tests.factories import valid_id
from tests.fixtures.cases import rating_token

GARBAGE = {
    "action": "accept", "revision": "x", "materials": ["abc", "-1"], "conditions": ["不存在"], "window": "x",
    "year": "abc", "date": "2026-02-30", "effective_date": "2026-02-30", "holidays": "garbage\n2027-13-01 元旦",
    "workdays": "x", "applicant_id_number": "1" * 40, "applicant_name": "名" * 80, "q": "\x00",
}


@pytest.fixture
def case_and_document(city, people, demo_guide):
    version = demo_guide
    item = version.items.get(name="居民身份证首次申领")
    case = services.case_open(actor=people.officer, window=city.w1, item=item,
                              applicant=services.Applicant("张三", valid_id(), "13800138000"))
    document = services.case_notify(case=case, actor=people.officer)
    return case, document, item


def urls(case, document, item):
    gets = [
        "/", "/counter/", "/counter/?q=%00", "/counter/new/0/", f"/counter/new/{item.pk}/",
        "/counter/cases/?page=abc&status=zzz&window=x&overdue=1&q=%27", "/counter/cases/?page=99999",
        f"/counter/cases/{case.number}/", "/counter/cases/nope/", f"/counter/documents/{document.public_id}/",
        f"/counter/documents/{document.public_id}/pdf/", "/counter/documents/zz/pdf/",
        "/guide/", "/guide/350102/", "/guide/350102/?version=abc", "/guide/350102/?version=-1", "/guide/999/",
        "/guide/350102/versions/", "/guide/350102/draft/", "/guide/items/search?q=%00&county=zz",
        "/calendar/", "/calendar/2027/", "/calendar/99999/", "/calendar/0/", "/calendar/2026/?date=2026-13-45&days=x",
        "/audit/?page=x&action=zz&date_from=abc&date_to=2026-99-99", "/accounts/staff/", "/accounts/password/",
        "/evaluations/ratings/?window=x&level=9&channel=zz&date_from=abc&page=-1",
        "/evaluations/ratings/999999/", "/evaluations/follow-ups/?status=zz", "/evaluations/follow-ups/999999/",
        "/evaluations/contests/?status=zz", "/evaluations/contests/999999/",
        "/evaluations/usage/?date_from=2026-02-30&date_to=abc", "/evaluations/usage/invites/?window=x",
        "/evaluations/usage/offline/?window=x", "/evaluations/devices/", "/evaluations/device/",
        f"/r/{rating_token(case)}", "/r/nope", "/api/ratings?case=x", "/api/ratings?since=abc", "/api/keys/",
        "/api/openapi.json", "/api/docs", "/api/devices/next?after=abc", "/api/devices/me",
    ]
    posts = [
        f"/counter/cases/{case.number}/decide/", f"/counter/cases/{case.number}/reveal/", f"/counter/new/{item.pk}/",
        "/guide/350102/draft/create/", "/guide/350102/draft/publish/", "/guide/350102/notice/",
        "/guide/350102/draft/items/new/", "/guide/350102/draft/discard/", "/calendar/", "/calendar/2026/",
        "/calendar/2026/days/2026-01-01/remove/", "/accounts/password/", "/accounts/login/",
        "/evaluations/follow-ups/1/call/", "/evaluations/follow-ups/1/verify/", "/evaluations/ratings/1/contest/",
        "/evaluations/contests/1/decide/", f"/r/{rating_token(case)}", "/api/keys/", "/api/keys/1/revoke/",
        "/api/devices/pair", "/api/devices/heartbeat", "/api/devices/ratings",
    ]
    return gets, posts


@pytest.mark.parametrize("who", ["officer", "civilian", "head", "county", "cityadmin", "inspector", "outsider", None])
def test_no_screen_answers_bad_input_with_a_server_error(people, case_and_document, who):
    client = Client(raise_request_exception=False)
    if who:
        client.force_login(getattr(people, who))
    gets, posts = urls(*case_and_document)

    failures = [("GET", url, r.status_code) for url in gets if (r := client.get(url)).status_code >= 500]
    for url in posts:
        for data in ({}, GARBAGE):
            response = client.post(url, data)
            if response.status_code >= 500:
                failures.append(("POST", url, response.status_code))

    assert failures == []


def test_nul_characters_in_a_search_are_dropped_not_a_server_error(client_for, people, case_and_document):
    response = client_for(people.officer).get("/counter/cases/", {"q": "张\x00三"})

    assert response.status_code == 200
    assert case_and_document[0].number in response.content.decode()
