"""Integrations read ratings with a county or city key, by case or by time, in the shape the province takes."""

import datetime

import pytest
from django.utils import timezone
from freezegun import freeze_time

from api.keys import integration_key_create, integration_key_revoke
from api.models import IntegrationKey
from core.models import AuditEvent
from counter import services
from evaluations.models import Channel, Invite
from evaluations.services import RatingInput, contest_decide, contest_file, rating_submit

BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def at(day: int, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=BEIJING)


def notice(open_case, people, city, guide, *, taijiang=False):
    if taijiang:
        case = open_case(guide.taijiang_birth, actor=people.outsider, window=city.w3)
        services.case_notify(case=case, actor=people.outsider)
    else:
        case = open_case()
        services.case_notify(case=case, actor=people.officer)
    return Invite.objects.get(case=case)


@pytest.fixture
def rated(city, people, guide, open_case, pair):
    """鼓楼: a QR rating, a device bad review later excluded on appeal, a default; 台江: one QR rating."""
    with freeze_time(at(2, 8)):
        device, _token = pair(city.w1, name="1号评价器")
    with freeze_time(at(2, 9)):
        qr_invite = notice(open_case, people, city, guide)
        bad_invite = notice(open_case, people, city, guide)
        default_invite = notice(open_case, people, city, guide)
        taijiang_invite = notice(open_case, people, city, guide, taijiang=True)
    with freeze_time(at(2, 10)):
        qr = rating_submit(invite=qr_invite, channel=Channel.QR, idempotency_key="qr-first-rating-000001",
                           data=RatingInput(5, 5, 4, 5, comment="很好"))
    with freeze_time(at(2, 11)):
        bad = rating_submit(invite=bad_invite, channel=Channel.DEVICE, device=device,
                            data=RatingInput(1, 2, 1, 1, reasons=("attitude", "other"), other_reason="态度生硬"))
    with freeze_time(at(2, 12)):
        taijiang = rating_submit(invite=taijiang_invite, channel=Channel.QR, data=RatingInput(4, 4, 4, 4))
    with freeze_time(at(3, 9)):
        contest = contest_file(rating=bad, actor=people.officer, ground="mistaken",
                               statement="申请人误按了非常不满意，当场已说明。")
        contest_decide(contest=contest, actor=people.county, upheld=True, reason="经调取录像核实，属于误评。")
    with freeze_time(at(10, 9)):
        default = rating_submit(invite=default_invite, channel=Channel.DEFAULT, data=RatingInput(4, 4, 4, 4))
    for r in (qr, bad, taijiang, default):
        r.refresh_from_db()
    return type("Rated", (), {"qr": qr, "bad": bad, "default": default, "taijiang": taijiang, "device": device})


@pytest.fixture
def gulou_key(people, city):
    return integration_key_create(actor=people.cityadmin, name="省好差评平台上报（鼓楼）", county=city.gulou)


@pytest.fixture
def city_key(people):
    return integration_key_create(actor=people.cityadmin, name="省好差评平台上报（全市）")


def get(client, key, **params):
    headers = {"Authorization": f"Bearer {key.secret}"} if key else {}
    return client.get("/api/ratings", params, headers=headers)


def error_of(response) -> dict:
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}
    return body["error"]


# --- authentication ----------------------------------------------------------------------------


class TestAuthentication:
    def test_without_a_key_the_answer_is_401_in_chinese(self, client, db):
        response = client.get("/api/ratings", {"since": "2026-11-01"})
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        error = error_of(response)
        assert error["code"] == "unauthorized" and "Authorization" in error["message"]

    @pytest.mark.parametrize("header", ["Bearer bwk_not-a-real-key", "Bearer ", "Token abc", "bwk_x", "Basic Zm9v"])
    def test_a_wrong_key_is_401(self, client, gulou_key, header):
        response = client.get("/api/ratings", {"since": "2026-11-01"}, headers={"Authorization": header})
        assert response.status_code == 401
        assert error_of(response)["code"] in ("unauthorized", "invalid_key")

    def test_a_revoked_key_is_401(self, client, people, gulou_key):
        assert get(client, gulou_key, since="2026-11-01").status_code == 200
        integration_key_revoke(key=gulou_key.key, actor=people.cityadmin)
        response = get(client, gulou_key, since="2026-11-01")
        assert response.status_code == 401
        assert error_of(response)["code"] == "invalid_key"

    def test_only_the_hash_is_stored_and_use_is_noted(self, client, gulou_key):
        stored = IntegrationKey.objects.get(pk=gulou_key.key.pk)
        assert gulou_key.secret not in (stored.key_hash, stored.prefix)
        assert gulou_key.secret.startswith(stored.prefix)
        assert stored.last_used_at is None
        get(client, gulou_key, since="2026-11-01")
        stored.refresh_from_db()
        assert stored.last_used_at is not None

    def test_other_methods_are_refused(self, client, gulou_key):
        response = client.post("/api/ratings", {}, headers={"Authorization": f"Bearer {gulou_key.secret}"})
        assert response.status_code == 405
        assert error_of(response)["code"] == "method_not_allowed"


# --- by case -----------------------------------------------------------------------------------


class TestByCase:
    def test_a_rating_carries_everything_the_province_needs(self, client, rated, gulou_key, people):
        response = get(client, gulou_key, case=rated.qr.case.number)
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 1
        row = body["results"][0]
        assert row == {
            "case_number": rated.qr.case.number,
            "item_code": "122001001",
            "item_name": "出生登记",
            "stage": "notice",
            "stage_label": "一次性告知",
            "level": 5,
            "level_label": "非常满意",
            "efficiency": 5,
            "quality": 4,
            "attitude": 5,
            "reasons": [],
            "other_reason": "",
            "comment": "很好",
            "channel": "qr",
            "channel_label": "扫码评价",
            "pf": 3,
            "rated_at": "2026-11-02T10:00:00+08:00",
            "received_at": "2026-11-02T10:00:00+08:00",
            "is_default": False,
            "excluded": False,
            "excluded_reason": "",
            "county": {"code": "350102", "name": "鼓楼分局"},
            "station": {"code": "350102001", "name": "东街派出所"},
            "window": {"code": "350102001W1", "name": "东街派出所1号窗口"},
            "officer": {"name": "王警官", "police_number": people.officer.police_number},
            "assess_number": 1,
        }

    def test_a_device_bad_review_excluded_on_appeal_says_so(self, client, rated, gulou_key):
        row = get(client, gulou_key, case=rated.bad.case.number).json()["results"][0]
        assert (row["channel"], row["pf"], row["level"], row["level_label"]) == ("device", 4, 1, "非常不满意")
        assert row["reasons"] == [{"code": "attitude", "label": "服务态度差"}, {"code": "other", "label": "其他"}]
        assert row["other_reason"] == "态度生硬"
        assert row["excluded"] is True and row["excluded_reason"] == "经调取录像核实，属于误评。"
        assert row["is_default"] is False

    def test_a_default_rating_is_marked(self, client, rated, gulou_key):
        row = get(client, gulou_key, case=rated.default.case.number).json()["results"][0]
        assert (row["channel"], row["pf"], row["is_default"], row["level"]) == ("default", 7, True, 4)

    def test_a_case_outside_the_keys_county_is_404_but_the_city_key_sees_it(self, client, rated, gulou_key,
                                                                              city_key):
        number = rated.taijiang.case.number
        response = get(client, gulou_key, case=number)
        assert response.status_code == 404
        assert error_of(response) == {"code": "case_not_found", "field": "case",
                                      "message": "未找到该办件，或该办件不在本密钥的范围内。"}
        assert get(client, city_key, case=number).json()["results"][0]["county"]["name"] == "台江分局"

    def test_an_unknown_case_is_404_and_an_unrated_case_is_an_empty_list(self, client, rated, gulou_key, open_case):
        assert get(client, gulou_key, case="nope-000").status_code == 404
        unrated = open_case()
        body = get(client, gulou_key, case=unrated.number).json()
        assert body["count"] == 0 and body["results"] == []

    def test_case_and_time_cannot_be_mixed(self, client, rated, gulou_key):
        response = get(client, gulou_key, case=rated.qr.case.number, since="2026-11-01")
        assert response.status_code == 400
        assert error_of(response)["field"] == "case"


# --- by time -----------------------------------------------------------------------------------


class TestByTime:
    def test_the_keys_county_only_in_received_order(self, client, rated, gulou_key):
        body = get(client, gulou_key, since="2026-11-01T00:00:00+08:00", until="2026-12-01T00:00:00+08:00").json()
        assert [r["case_number"] for r in body["results"]] == [
            rated.qr.case.number, rated.bad.case.number, rated.default.case.number]
        assert (body["count"], body["page"], body["pages"], body["next"], body["previous"]) == (3, 1, 1, None, None)
        assert body["since"] == "2026-11-01T00:00:00+08:00"

    def test_the_city_key_sees_every_county(self, client, rated, city_key):
        body = get(client, city_key, since="2026-11-01").json()
        assert body["count"] == 4
        assert [r["channel"] for r in body["results"]] == ["qr", "device", "qr", "default"]
        assert [r["pf"] for r in body["results"]] == [3, 4, 3, 7]

    def test_since_is_inclusive_and_until_exclusive(self, client, rated, gulou_key):
        body = get(client, gulou_key, since="2026-11-02T10:00:00+08:00", until="2026-11-02T11:00:00+08:00").json()
        assert [r["case_number"] for r in body["results"]] == [rated.qr.case.number]

    def test_until_defaults_to_now_and_times_without_offset_are_beijing_time(self, client, rated, gulou_key):
        body = get(client, gulou_key, since="2026-11-02 10:30").json()
        assert [r["channel"] for r in body["results"]] == ["device", "default"]
        assert timezone.now() - datetime.datetime.fromisoformat(body["until"]) < datetime.timedelta(minutes=1)

    def test_a_plus_sign_lost_in_the_query_string_is_put_back(self, client, rated, gulou_key):
        response = client.get("/api/ratings?since=2026-11-02T10:30:00+08:00",
                              headers={"Authorization": f"Bearer {gulou_key.secret}"})
        assert response.status_code == 200
        assert response.json()["count"] == 2

    def test_pages_follow_one_another(self, client, rated, city_key):
        first = get(client, city_key, since="2026-11-01", page_size="3").json()
        assert (first["count"], first["pages"], len(first["results"])) == (4, 2, 3)
        assert first["previous"] is None and first["next"].startswith("/api/ratings?")
        second = client.get(first["next"], headers={"Authorization": f"Bearer {city_key.secret}"}).json()
        assert second["page"] == 2 and len(second["results"]) == 1
        assert second["results"][0]["channel"] == "default"
        assert second["next"] is None and second["previous"]
        seen = [r["case_number"] for r in first["results"] + second["results"]]
        assert len(set(seen)) == 4

    def test_an_empty_window_is_one_empty_page(self, client, rated, gulou_key):
        body = get(client, gulou_key, since="2026-10-01", until="2026-10-02").json()
        assert (body["count"], body["pages"], body["results"]) == (0, 1, [])

    @pytest.mark.parametrize("params, field, code", [
        ({}, "since", "missing_parameter"),
        ({"since": "yesterday"}, "since", "bad_parameter"),
        ({"since": "2026-13-01"}, "since", "bad_parameter"),
        ({"since": "0512-12-26T02:45:11-07:11"}, "since", "bad_parameter"),
        ({"since": "2026-11-01", "until": "99999-01-01"}, "until", "bad_parameter"),
        ({"since": "2026-11-02", "until": "2026-11-01"}, "until", "bad_parameter"),
        ({"since": "2026-11-02", "until": "2026-11-02"}, "until", "bad_parameter"),
        ({"since": "2026-11-01", "until": "x"}, "until", "bad_parameter"),
        ({"since": "2026-11-01", "page": "0"}, "page", "bad_parameter"),
        ({"since": "2026-11-01", "page": "abc"}, "page", "bad_parameter"),
        ({"since": "2026-11-01", "page": "-1"}, "page", "bad_parameter"),
        ({"since": "2026-11-01", "page": "9"}, "page", "page_out_of_range"),
        ({"since": "2026-11-01", "page_size": "501"}, "page_size", "bad_parameter"),
        ({"case": ""}, "case", "bad_parameter"),
        ({"case": "x" * 41}, "case", "bad_parameter"),
    ])
    def test_bad_parameters_are_400_with_the_field(self, client, rated, gulou_key, params, field, code):
        response = get(client, gulou_key, **params)
        assert response.status_code == 400
        error = error_of(response)
        assert (error["field"], error["code"]) == (field, code)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])


# --- the key page ------------------------------------------------------------------------------


class TestKeyPage:
    @pytest.mark.parametrize("who", ["officer", "head", "county", "inspector"])
    def test_only_the_city_administrator_manages_keys(self, client_for, people, who):
        client = client_for(getattr(people, who))
        assert client.get("/api/keys/").status_code == 403
        assert client.post("/api/keys/", {"name": "x"}).status_code == 403
        assert not IntegrationKey.objects.exists()

    def test_signed_out_goes_to_the_sign_in_page(self, client, db):
        assert client.get("/api/keys/")["Location"].startswith("/accounts/login/")

    def test_a_created_key_is_shown_once_and_works(self, client_for, people, city):
        client = client_for(people.cityadmin)
        response = client.post("/api/keys/", {"name": "省平台上报", "county": city.gulou.pk})
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        key = IntegrationKey.objects.get()
        html = response.content.decode()
        secret = html.split('id="issued-secret" type="text" readonly value="')[1].split('"')[0]
        assert secret.startswith(key.prefix) and "只显示这一次" in html
        assert (key.county, key.city, key.created_by) == (city.gulou, city.city, people.cityadmin)
        event = AuditEvent.objects.get(action="api_key.created")
        assert event.actor == people.cityadmin and secret not in str(event.data)
        listing = client.get("/api/keys/").content.decode()
        assert secret not in listing and key.prefix in listing and "鼓楼分局" in listing
        assert client.get("/api/ratings", {"since": "2026-11-01"},
                          headers={"Authorization": f"Bearer {secret}"}).status_code == 200

    def test_a_whole_city_key_has_no_county(self, client_for, people):
        client_for(people.cityadmin).post("/api/keys/", {"name": "市局数据中心", "county": ""})
        key = IntegrationKey.objects.get()
        assert key.county is None

    def test_bad_input_is_explained(self, client_for, people, city):
        client = client_for(people.cityadmin)
        html = client.post("/api/keys/", {"name": "", "county": city.dongjie.pk}).content.decode()
        assert "请填写密钥用途。" in html and "请选择本市的县（市、区）局" in html
        assert not IntegrationKey.objects.exists()

    def test_revoking_is_audited_and_stops_the_key(self, client_for, client, people, gulou_key):
        admin = client_for(people.cityadmin)
        response = admin.post(f"/api/keys/{gulou_key.key.pk}/revoke/")
        assert response.status_code == 302
        key = IntegrationKey.objects.get()
        assert key.revoked_at is not None and key.revoked_by == people.cityadmin
        assert AuditEvent.objects.filter(action="api_key.revoked", object_id=str(key.pk)).count() == 1
        admin.post(f"/api/keys/{key.pk}/revoke/")  # twice is harmless
        assert AuditEvent.objects.filter(action="api_key.revoked").count() == 1
        assert "已停用" in admin.get("/api/keys/").content.decode()
        admin.logout()
        assert get(client, gulou_key, since="2026-11-01").status_code == 401

    def test_others_cannot_revoke(self, client_for, people, gulou_key):
        assert client_for(people.county).post(f"/api/keys/{gulou_key.key.pk}/revoke/").status_code == 403
        assert client_for(people.cityadmin).get(f"/api/keys/{gulou_key.key.pk}/revoke/").status_code == 405
        assert client_for(people.cityadmin).post("/api/keys/999999/revoke/").status_code == 404
        assert IntegrationKey.objects.get().revoked_at is None
