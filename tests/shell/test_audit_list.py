"""The audit log page: who may open it, what each of them sees, filters and pages."""

import datetime

import pytest
from django.urls import reverse
from freezegun import freeze_time

from core import clock
from core.audit import audit_record

URL = reverse("shell:audit_list")


@pytest.fixture
def events(people, city):
    """One event at each level of the tree, named by where it happened."""
    made = {}
    for key, unit in [("city", city.city), ("gulou", city.gulou), ("dongjie", city.dongjie), ("w1", city.w1),
                      ("w2", city.w2), ("taijiang", city.taijiang), ("w3", city.w3)]:
        made[key] = audit_record(actor=people.officer, action="test.event", object_type="test.thing",
                                 object_id=f"at-{key}", unit=unit, data={"where": key})
    return made


def visible_object_ids(response):
    """The test's own events on the page (the personas' accounts and units were opened with events too)."""
    return {row["event"].object_id for row in response.context["rows"]
            if row["event"].object_type in ("test.thing", "t")}


def test_signing_in_is_needed(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("org:login"))


@pytest.mark.parametrize("persona", ["officer", "civilian", "auxiliary", "outsider"])
def test_window_staff_are_refused_with_the_chinese_403_page(client_for, people, persona):
    response = client_for(getattr(people, persona)).get(URL)

    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


def test_a_station_head_sees_the_events_of_the_station_and_its_windows(client_for, people, events):
    response = client_for(people.head).get(URL)

    assert response.status_code == 200
    assert visible_object_ids(response) == {"at-dongjie", "at-w1", "at-w2"}


def test_a_county_admin_sees_the_whole_county_and_nothing_else(client_for, people, events):
    assert visible_object_ids(client_for(people.county).get(URL)) == {"at-gulou", "at-dongjie", "at-w1", "at-w2"}


def test_the_other_county_sees_only_its_own_events(client_for, people, events):
    assert visible_object_ids(client_for(people.outsider_county).get(URL)) == {"at-taijiang", "at-w3"}


@pytest.mark.parametrize("persona", ["cityadmin", "inspector"])
def test_city_roles_see_every_event_of_the_city(client_for, people, events, persona):
    assert visible_object_ids(client_for(getattr(people, persona)).get(URL)) == {f"at-{k}" for k in events}


def test_events_without_a_unit_are_not_shown_to_anyone_below_the_city(client_for, people, events):
    audit_record(actor=None, action="test.event", object_type="test.thing", object_id="nowhere")

    for persona in ("head", "county", "cityadmin"):
        assert "nowhere" not in visible_object_ids(client_for(getattr(people, persona)).get(URL))


def test_each_row_shows_time_actor_action_object_unit_and_data(client_for, people, city):
    with freeze_time("2026-03-02 01:30:00"):
        audit_record(actor=people.county, action="staff.duty_status", obj=people.officer, unit=city.w1,
                     data={"from": "on_duty", "to": "stopped", "reason": "停止执行职务"})

    body = client_for(people.head).get(URL).content.decode()

    assert "审计日志" in body
    assert "2026-03-02 09:30:00" in body  # shown in Beijing time
    assert "刘科长" in body
    assert "staff.duty_status" in body
    assert f"org.staff:{people.officer.pk}" in body
    assert "东街派出所1号窗口" in body
    assert "停止执行职务" in body  # data shown as readable Chinese, not \\u escapes


def test_an_event_without_actor_is_shown_as_system(client_for, people, city):
    audit_record(actor=None, action="auth.login_failed", obj=people.officer, unit=city.w1, data={"failures": 1})

    assert "系统/未登录" in client_for(people.head).get(URL).content.decode()


def test_filtering_by_action(client_for, people, city, events):
    audit_record(actor=people.head, action="auth.login", obj=people.head, unit=city.dongjie)

    response = client_for(people.head).get(URL, {"action": "auth.login"})

    assert [row["event"].action for row in response.context["rows"]] == ["auth.login"]
    assert '<option value="auth.login" selected>' in response.content.decode()


def test_the_action_menu_offers_only_actions_the_user_can_see(client_for, people, city):
    audit_record(actor=None, action="only.in.taijiang", object_type="x", object_id="1", unit=city.w3)

    response = client_for(people.head).get(URL, {"action": "only.in.taijiang"})

    offered = [value for value, _label in response.context["form"].fields["action"].choices]
    assert "only.in.taijiang" not in offered
    assert response.context["rows"] == []


def test_filtering_by_local_dates_includes_both_ends(client_for, people, city):
    # 2026-03-01 23:30 Beijing time is still 1 March locally, though 15:30 UTC.
    for moment, oid in [("2026-02-28 15:59:00", "feb-28"), ("2026-03-01 15:30:00", "mar-01"),
                        ("2026-03-02 02:00:00", "mar-02"), ("2026-03-02 16:00:00", "mar-03")]:
        with freeze_time(moment):
            audit_record(actor=None, action="test.event", object_type="t", object_id=oid, unit=city.w1)
    client = client_for(people.head)

    assert visible_object_ids(client.get(URL, {"date_from": "2026-03-01", "date_to": "2026-03-02"})) == {
        "mar-01", "mar-02"}
    assert visible_object_ids(client.get(URL, {"date_from": "2026-03-03"})) == {"mar-03"}
    assert visible_object_ids(client.get(URL, {"date_to": "2026-02-28"})) == {"feb-28"}


def test_a_reversed_date_range_is_explained_and_lists_nothing(client_for, people, events):
    response = client_for(people.head).get(URL, {"date_from": "2026-03-05", "date_to": "2026-03-01"})

    assert "起始日期不能晚于截止日期。" in response.content.decode()
    assert response.context["rows"] == []


def test_fifty_events_a_page_newest_first_with_filters_kept(client_for, people, city):
    start = datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC)
    # Each event at its own minute, so "newest first" has one right answer.
    for n in range(120):
        with clock.at(start + datetime.timedelta(minutes=n)):
            audit_record(actor=None, action="bulk.event", object_type="t", object_id=str(n), unit=city.w1)
    client = client_for(people.head)

    first = client.get(URL, {"action": "bulk.event"})
    last = client.get(URL, {"action": "bulk.event", "page": 3})

    assert len(first.context["rows"]) == 50
    assert first.context["rows"][0]["event"].object_id == "119"
    assert len(last.context["rows"]) == 20
    assert last.context["rows"][-1]["event"].object_id == "0"
    assert "?action=bulk.event&amp;page=2" in first.content.decode()
    assert "第 1 / 3 页" in first.content.decode()
    assert len(client.get(URL, {"action": "bulk.event", "page": "99"}).context["rows"]) == 20


def test_the_menu_shows_the_audit_log_to_supervisors_only(client_for, people):
    assert "审计日志" in client_for(people.head).get(reverse("org:password_change")).content.decode()
    assert "审计日志" not in client_for(people.officer).get(reverse("org:password_change")).content.decode()
