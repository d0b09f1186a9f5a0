"""Every screen answers malformed input with a page or a 4xx, never a server error."""

import datetime
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client

from api.keys import integration_key_create
from catalog.services import guide_draft_create
from core import clock
from counter import services
from evaluations.models import Invite
from org.models import Role
from tests.catalog.test_views import item_post
from tests.factories import StaffFactory, valid_id
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
        "/evaluations/ratings/?date_to=9999-12-31", "/audit/?date_to=9999-12-31&date_from=0001-01-01",
        "/evaluations/usage/?date_to=9999-12-31", "/evaluations/usage/?date_to=0001-01-01",
        "/evaluations/usage/invites/?date_to=9999-12-31", "/evaluations/usage/offline/?date_to=0001-01-01",
        "/calendar/?calc-start=9999-12-31&calc-n=5", "/calendar/?back-day=0001-01-01",
        "/api/ratings?since=0001-01-01T00:00:01%2B00:01", "/api/ratings?since=2026-01-01T00:00:00-17:00",
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


# --- every parameter of every form and query string, spoiled one at a time --------------------------
#
# Each entry starts from input that is valid (so a bad value reaches as deep as it can: the service, the
# query, the database) and spoils one parameter at a time with each of BAD_VALUES, then with another
# unit's id where the parameter names a record. The URLs and parameters come from each app's urls.py
# and forms; a new form or parameter belongs here.

LONG = "长" * 20001  # longer than any text a form takes (the holidays box takes 20000)
HUGE = "99999999999999999999"
BAD_VALUES = ("0001-01-01", "9999-12-31", "2026-02-30", HUGE, "-1", "\x00", LONG)
# Parameters that take a date or a time also get a time with an offset no place uses (PostgreSQL refuses it).
TIME_PARAMS = {"date", "date_from", "date_to", "effective_date", "calc-start", "back-day", "called_at", "since",
               "until", "rated_at"}
BAD_TIME = "2026-01-01T00:00:00-17:00"
PATH_VALUES = (HUGE, "0", "\x00", "x" * 300)


@dataclass
class Entry:
    """One form or query string: where it goes, who sends it, valid input, and what to spoil."""

    method: str  # GET, POST, or JSON (a POST with a JSON body)
    url: str
    who: str | None
    base: dict | Callable[[], dict]
    # parameter -> another unit's value for it (None: no such value), in the order they are spoiled
    params: dict[str, Any] = field(default_factory=dict)
    headers: dict = field(default_factory=dict)


@pytest.fixture
def world(city, people, guide, open_case, pair, settings):
    """Records in both counties: what 鼓楼's people may touch, and 台江's that they may not."""
    from counter import services as counter_services
    from evaluations import services as evaluation_services

    settings.DEVICE_WAIT_SECONDS = 0  # the long poll answers at once
    w = SimpleNamespace(draft=guide_draft_create(guide=guide.version.guide, actor=people.county))
    head2 = StaffFactory(username="head2", full_name="鳌峰所长", unit=city.aofeng, role=Role.STATION_HEAD)
    with clock.at(clock.now() - datetime.timedelta(days=1)):
        # 鼓楼: a case to decide, two bad reviews (one contested), a case for the QR page and one for the device.
        w.case = open_case(guide.birth, "出生医学证明")
        w.reviewed = []
        for _n in range(2):
            case = open_case(guide.birth, "出生医学证明")
            counter_services.case_notify(case=case, actor=people.officer)
            w.reviewed.append(rate_bad(Invite.objects.get(case=case)))
        w.contest = evaluation_services.contest_file(rating=w.reviewed[1], actor=people.officer,
                                                     ground="mistaken", statement="申请人误触了不满意，录像可证。")
        w.public = open_case(guide.birth, "出生医学证明")
        counter_services.case_notify(case=w.public, actor=people.officer)
        # 台江: the same, out of 鼓楼's reach.
        w.other_case = open_case(guide.taijiang_birth, "出生医学证明", actor=people.outsider, window=city.w3)
        w.other_document = counter_services.case_notify(case=w.other_case, actor=people.outsider)
        w.other_invite = Invite.objects.get(case=w.other_case)
        w.other_rating = rate_bad(w.other_invite)
        w.other_contest = evaluation_services.contest_file(
            rating=w.other_rating, actor=people.outsider, ground="mistaken", statement="申请人误触了不满意，录像可证。")
    # A case decided just now, waiting on the evaluator of window 1.
    w.device_case = open_case(guide.birth, "出生医学证明")
    counter_services.case_notify(case=w.device_case, actor=people.officer)
    w.device, w.token = pair(city.w1)
    w.other_device, _token = pair(city.w3, head=head2)
    w.pairing_code = evaluation_services.pairing_code_create(window=city.w2, actor=people.head)
    w.key = integration_key_create(actor=people.cityadmin, name="省好差评平台上报（鼓楼）", county=city.gulou)
    w.invite = Invite.objects.get(case=w.device_case)
    w.stage = Invite.objects.get(case=w.public).stage
    return w


def rate_bad(invite):
    from evaluations import services as evaluation_services

    data = evaluation_services.RatingInput(1, 1, 1, 1, ("attitude",), "", "窗口民警态度生硬")
    return evaluation_services.rating_submit(invite=invite, data=data, channel="qr")


def entries(w, city, people, guide) -> list[Entry]:
    """Every form and query string of every app (config/urls.py and each app's urls.py and forms)."""
    codes = itertools.count(900000001)
    other_item = guide.taijiang_birth
    other_material = other_item.materials.first().pk
    fu, rating, contest = w.reviewed[0].follow_up, w.reviewed[0], w.contest
    today = clock.today()
    called_at = clock.localtime().replace(second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M")
    stage = w.stage
    rate = {f"{stage}-{name}": value for name, value in (
        ("level", "1"), ("efficiency", "1"), ("quality", "1"), ("attitude", "1"), ("reasons", "attitude"),
        ("other_reason", ""), ("comment", "态度不好"), ("idempotency_key", "sweep-key-0001"))}
    device = {"Authorization": f"Device {w.token}"}
    key = {"Authorization": f"Bearer {w.key.secret}"}
    usage = {"date_from": (today - datetime.timedelta(days=6)).isoformat(), "date_to": today.isoformat()}
    item_base = item_post()
    # One field of each kind the item form has (the other long texts and the second phone are checked alike).
    item_params = dict.fromkeys((
        "code", "name", "category", "legal_basis", "time_limit_kind", "promised_days", "statutory_days",
        "fee_amount", "place", "enquiry_phone", "position", "materials-TOTAL_FORMS", "materials-0-name",
        "materials-0-form", "materials-0-copies", "materials-0-condition"))
    return [
        # counter
        Entry("GET", "/counter/", "officer", {}, {"q": None}),
        Entry("GET", "/counter/cases/", "head", {}, {"page": None, "status": None, "window": city.w3.pk,
                                                    "overdue": None, "q": None}),
        Entry("POST", f"/counter/new/{guide.birth.pk}/", "officer", {
            "window": city.w1.pk, "applicant_name": "张三", "applicant_id_number": valid_id(),
            "applicant_phone": "13800138000", "materials": [], "conditions": [], "action": "save",
        }, {"window": city.w3.pk, "applicant_name": None, "applicant_id_number": None, "applicant_phone": None,
            "materials": other_material, "conditions": None, "action": None}),
        Entry("POST", f"/counter/cases/{w.case.number}/decide/", "officer", {
            "action": "accept", "revision": w.case.revision, "materials": [], "conditions": [],
            "override_reason": "", "legal_basis": "", "explanation": "",
        }, {"revision": None, "materials": other_material, "conditions": None, "override_reason": None,
            "legal_basis": None, "explanation": None, "action": None}),
        # catalog
        Entry("GET", "/guide/350102/", "officer", {}, {"version": None}),
        Entry("GET", "/guide/items/search", "officer", {"q": "出生"}, {"q": None, "county": "350103"}),
        Entry("POST", "/guide/350102/draft/items/new/", "county", lambda: {**item_base, "code": str(next(codes))},
              item_params),
        Entry("POST", f"/guide/350102/draft/items/{w.draft.items.first().pk}/", "county",
              lambda: {**item_base, "code": str(next(codes))}, {"position": None, "promised_days": None,
                                                                "fee_amount": None, "materials-0-copies": None}),
        Entry("POST", "/guide/350102/notice/", "county", {
            "notice_title": "一次性告知单", "notice_intro": "您好", "notice_footer": "谢谢"},
            {"notice_title": None, "notice_intro": None, "notice_footer": None}),
        # workdays
        Entry("GET", "/calendar/", "county", {"calc-start": "2026-12-01", "calc-n": "5"},
              {"calc-start": None, "calc-n": None}),
        Entry("GET", "/calendar/", "cityadmin", {}, {"year": None}),
        Entry("GET", "/calendar/2026/", "county", {"back-day": "2026-12-01"}, {"back-day": None}),
        Entry("POST", "/calendar/", "cityadmin", {
            "year": "2027", "holidays": "2027-01-01 元旦", "workdays": "", "source": "国办发明电〔2026〕X号",
            "replace": "on"}, {"year": None, "holidays": None, "workdays": None, "source": None, "replace": None}),
        Entry("POST", "/calendar/2026/", "cityadmin", {"date": "2026-12-31", "kind": "holiday", "name": "临时放假"},
              {"date": None, "kind": None, "name": None}),
        # shell and org
        Entry("GET", "/audit/", "county", {}, {"page": None, "action": None, "date_from": None, "date_to": None,
                                               "person": None, "case": w.other_case.number}),
        Entry("GET", "/audit/export/", "county", {}, {"action": None, "date_from": None, "date_to": None,
                                                      "person": None, "case": w.other_case.number}),
        Entry("GET", "/accounts/login/", None, {}, {"next": None}),
        Entry("POST", "/accounts/login/", None, {"username": "nobody", "password": "x"},
              {"username": None, "password": None}),
        Entry("POST", "/accounts/password/", "civilian", {
            "old_password": "wrong", "new_password1": "Hukou-2026-window", "new_password2": "Hukou-2026-window"},
            {"old_password": None, "new_password1": None, "new_password2": None}),
        # evaluations
        Entry("GET", "/evaluations/ratings/", "county", {}, {
            "window": city.w3.pk, "level": None, "channel": None, "bad": None, "date_from": None, "date_to": None,
            "by": None, "officer": people.outsider.pk, "page": None}),
        Entry("GET", "/evaluations/follow-ups/", "head", {}, {"show": None, "page": None}),
        Entry("GET", "/evaluations/contests/", "county", {}, {"status": None, "page": None}),
        Entry("GET", "/evaluations/usage/", "county", usage, {"date_from": None, "date_to": None,
                                                              "window": city.w3.pk}),
        Entry("GET", "/evaluations/usage/invites/", "county", usage, {
            "date_from": None, "date_to": None, "window": city.w3.pk, "officer": people.outsider.pk, "only": None,
            "page": None}),
        Entry("GET", "/evaluations/usage/offline/", "county", {**usage, "window": city.w1.pk},
              {"date_from": None, "date_to": None, "window": city.w3.pk}),
        Entry("GET", "/evaluations/usage/flags/", "county", usage, {
            "date_from": None, "date_to": None, "window": city.w3.pk, "kind": None, "page": None}),
        Entry("POST", f"/evaluations/follow-ups/{fu.pk}/call/", "head",
              {"called_at": called_at, "call_notes": "联系了申请人，对方反映态度生硬。"},
              {"called_at": None, "call_notes": None}),
        Entry("POST", f"/evaluations/follow-ups/{fu.pk}/verify/", "head",
              {"verdict": "true", "verification": "调取了窗口录像，情况属实。"},
              {"verdict": None, "verification": None}),
        Entry("POST", f"/evaluations/follow-ups/{fu.pk}/close/", "head",
              {"rectification": "已对当事民警批评教育。"}, {"rectification": None}),
        Entry("POST", f"/evaluations/ratings/{rating.pk}/contest/", "officer",
              {"ground": "mistaken", "statement": "申请人误触了不满意，录像可证。"},
              {"ground": None, "statement": None}),
        Entry("POST", f"/evaluations/contests/{contest.pk}/decide/", "county",
              {"decision": "rejected", "reason": "经调取录像核实，申诉理由不能成立。"},
              {"decision": None, "reason": None}),
        Entry("GET", f"/r/{rating_token(w.public)}", None, {}, {"rated": None}),
        Entry("POST", f"/r/{rating_token(w.public)}", None, {"stage": stage, **rate},
              {**dict.fromkeys(rate), "stage": None}),
        # api
        Entry("GET", "/api/ratings", None, {"since": "2026-11-01T00:00:00+08:00", "until": "2026-12-01"},
              {"since": None, "until": None, "page": None, "page_size": None}, headers=key),
        Entry("GET", "/api/ratings", None, {"case": w.public.number}, {"case": w.other_case.number}, headers=key),
        Entry("GET", "/api/devices/next", None, {"after": "0"}, {"after": w.other_invite.pk}, headers=device),
        Entry("JSON", "/api/devices/ratings", None, {
            "invite_id": w.invite.pk, "level": 5, "efficiency": 5, "quality": 5, "attitude": 5, "reasons": [],
            "other_reason": "", "comment": "", "idempotency_key": "sweep-key-0002", "rated_at": None,
        }, {"rated_at": None, "level": None, "efficiency": None, "quality": None, "attitude": None, "reasons": None,
            "other_reason": None, "comment": None, "invite_id": w.other_invite.pk, "idempotency_key": None},
            headers=device),
        Entry("JSON", "/api/devices/pair", None, {"code": w.pairing_code, "name": "2号窗口评价器"},
              {"name": None, "code": None}),
        Entry("POST", "/api/keys/", "cityadmin", {"name": "上报", "county": city.gulou.pk},
              {"name": None, "county": city.dongjie.pk}),
        Entry("POST", "/i18n/setlang/", None, {"language": "zh-hans", "next": "/"}, {"language": None, "next": None}),
        # last: publishing ends the draft
        Entry("POST", "/guide/350102/draft/publish/", "county",
              {"effective_date": (today + datetime.timedelta(days=30)).isoformat(), "note": "第2版"},
              {"effective_date": None, "note": None}),
    ]


def paths(w, city, guide) -> list[tuple[str, str, str | None, dict]]:
    """Every URL with a part that names a record: huge, zero, NUL, overlong, and another unit's."""
    other = {"item": guide.taijiang_birth.pk, "case": w.other_case.number, "doc": w.other_document.public_id,
             "county": "350103", "rating": w.other_rating.pk, "fu": w.other_rating.follow_up.pk,
             "contest": w.other_contest.pk, "window": city.w3.pk, "device": w.other_device.pk,
             "token": rating_token(w.other_case)}
    decide = {"action": "accept", "revision": "0"}
    templates = [
        ("GET", "/counter/new/{item}/", "officer", {}), ("POST", "/counter/new/{item}/", "officer", {}),
        ("GET", "/counter/cases/{case}/", "officer", {}), ("POST", "/counter/cases/{case}/decide/", "officer", decide),
        ("POST", "/counter/cases/{case}/reveal/", "officer", {}), ("GET", "/counter/documents/{doc}/", "officer", {}),
        ("GET", "/counter/documents/{doc}/pdf/", "officer", {}),
        ("GET", "/guide/{county}/", "county", {}), ("GET", "/guide/{county}/versions/", "county", {}),
        ("GET", "/guide/{county}/draft/", "county", {}), ("POST", "/guide/{county}/notice/", "county", {}),
        ("POST", "/guide/{county}/draft/items/new/", "county", {}), ("POST", "/guide/{county}/create/", "county", {}),
        ("POST", "/guide/{county}/draft/publish/", "county", {}),
        ("GET", "/guide/350102/draft/items/{item}/", "county", {}),
        ("POST", "/guide/350102/draft/items/{item}/delete/", "county", {}),
        ("GET", "/calendar/{year}/", "county", {}),
        ("GET", "/evaluations/ratings/{rating}/", "county", {}),
        ("POST", "/evaluations/ratings/{rating}/contest/", "officer", {"ground": "mistaken", "statement": "x" * 20}),
        ("GET", "/evaluations/follow-ups/{fu}/", "head", {}),
        ("POST", "/evaluations/follow-ups/{fu}/phone/", "head", {}),
        ("POST", "/evaluations/follow-ups/{fu}/call/", "head", {"called_at": "2026-12-01T09:00", "call_notes": "x"}),
        ("GET", "/evaluations/contests/{contest}/", "county", {}),
        ("POST", "/evaluations/contests/{contest}/decide/", "county", {"decision": "upheld", "reason": "x" * 20}),
        ("POST", "/evaluations/devices/windows/{window}/code/", "head", {}),
        ("POST", "/evaluations/devices/{device}/revoke/", "head", {}),
        ("POST", "/api/keys/{key}/revoke/", "cityadmin", {}),
        ("GET", "/r/{token}", None, {}), ("POST", "/r/{token}", None, {"stage": "notice"}),
        ("POST", "/guide/{county}/draft/discard/", "county", {}),
    ]
    sent = []
    for method, template, who, data in templates:
        part = re.search(r"\{(\w+)\}", template).group(1)
        for value in (*PATH_VALUES, other[part]) if part in other else PATH_VALUES:
            sent.append((method, template.replace("{" + part + "}", quote(str(value), safe="")), who, data))
    for day in ("9999-12-31", "0001-01-01", "2026-02-30"):
        sent.append(("POST", f"/calendar/2026/days/{day}/remove/", "cityadmin", {}))
    return sent


def _json_variants(value: str) -> list:
    """A bad value as JSON text, and as a JSON number when it is one."""
    return [value, int(value)] if value.lstrip("-").isdigit() else [value]


@pytest.fixture
def _stop_listener():
    """The device long poll starts the PostgreSQL listener; stop it so the test database can be dropped."""
    yield
    from core.live import listener

    listener.stop()


@pytest.mark.usefixtures("_stop_listener")
def test_no_parameter_of_any_form_or_query_string_answers_bad_values_with_a_server_error(world, city, people,
                                                                                      guide):
    clients: dict[str | None, Client] = {}

    def client_of(who):
        if who not in clients:
            clients[who] = Client(raise_request_exception=False)
            if who:
                clients[who].force_login(getattr(people, who))
        return clients[who]

    def send(method, url, who, data, headers=None):
        client = client_of(who)
        if method == "GET":
            return client.get(url, data, headers=headers)
        if method == "JSON":
            return client.post(url, json.dumps(data), content_type="application/json", headers=headers)
        return client.post(url, data, headers=headers)

    failures, sent = [], 0
    for entry in entries(world, city, people, guide):
        for name, foreign in entry.params.items():
            values = [*BAD_VALUES, *([BAD_TIME] if name in TIME_PARAMS else []),
                      *([foreign] if foreign is not None else [])]
            for value in values:
                for variant in _json_variants(str(value)) if entry.method == "JSON" else [value]:
                    data = dict(entry.base() if callable(entry.base) else entry.base)
                    data[name] = variant
                    response = send(entry.method, entry.url, entry.who, data, entry.headers)
                    sent += 1
                    if response.status_code >= 500:
                        failures.append((entry.method, entry.url, name, repr(variant)[:40], response.status_code))
    for method, url, who, data in paths(world, city, guide):
        response = send(method, url, who, data)
        sent += 1
        if response.status_code >= 500:
            failures.append((method, url[:80], "", "", response.status_code))

    print(f"bad-input sweep: {sent} requests")  # for the notes: pytest -s -k any_form
    assert failures == [], "\n".join(map(str, failures))
    assert sent > 1000  # the sweep really ran


def test_nul_characters_in_a_search_are_dropped_not_a_server_error(client_for, people, case_and_document):
    response = client_for(people.officer).get("/counter/cases/", {"q": "张\x00三"})

    assert response.status_code == 200
    assert case_and_document[0].number in response.content.decode()
