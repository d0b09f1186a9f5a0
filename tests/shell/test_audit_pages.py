"""The audit log's pages at any depth: "next" and "previous" by position, no count of millions, pinned queries.

A city-year holds millions of events (bench/lists_shell.py measures them); here the same pages are walked on a
few hundred, with the limits of core.pagination turned down where a test needs a "big" log.
"""

import datetime
import re

import pytest
from django.db import connection
from django.urls import reverse

from core import clock, pagination
from core.audit import audit_record
from core.models import AuditEvent
from tests.shell.test_audit_list import working_day  # noqa: F401 (a fixture)

URL = reverse("shell:audit_list")
START = datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC)


def log(city, count, *, action="auth.login_failed", same_instant=False, start=START):
    """`count` events at the station's windows, a minute apart (or all at one instant), oldest first."""
    for n in range(count):
        with clock.at(start if same_instant else start + datetime.timedelta(minutes=n)):
            audit_record(actor=None, action=action, object_type="t", object_id=str(n),
                         unit=(city.w1, city.w2)[n % 2])


def ids(response) -> list[str]:
    return [row.event.object_id for row in response.context["rows"] if row.event.object_type == "t"]


def link(response, rel: str) -> str | None:
    """The query string of the pager's "next" or "prev" link, as the browser would follow it."""
    found = re.search(rf'<a href="([^"]*)" rel="{rel}">', response.content.decode())
    if found is None:
        return None
    href = found.group(1).replace("&amp;", "&")
    return href.split("?", 1)[1] if "?" in href else ""


def follow(client, query: str):
    return client.get(f"{URL}?{query}" if query else URL)


@pytest.mark.parametrize("same_instant", [False, True], ids=["a-minute-apart", "all-at-one-instant"])
@pytest.mark.parametrize("long_list", [False, True], ids=["paged-among-its-ids", "read-from-the-cursor"])
def test_next_walks_every_event_once_newest_first_and_previous_walks_back(client_for, people, city, same_instant,
                                                                          long_list, monkeypatch):
    if long_list:  # past COUNT_LIMIT a list is read from the cursor down the index, not among its ids
        monkeypatch.setattr(pagination, "COUNT_LIMIT", 20)
    log(city, 130, same_instant=same_instant)
    client = client_for(people.head)

    pages, response = [], client.get(URL, {"action": "auth.login_failed"})
    while True:
        pages.append(ids(response))
        query = link(response, "next")
        if query is None:
            break
        assert "action=auth.login_failed" in query and "after=" in query
        response = follow(client, query)

    assert [len(p) for p in pages] == [50, 50, 30]
    walked = [i for p in pages for i in p]
    assert sorted(walked, key=int) == [str(n) for n in range(130)]  # each once, none left out
    if not same_instant:
        assert walked == [str(n) for n in reversed(range(130))]
    back = []
    while (query := link(response, "prev")) is not None:
        response = follow(client, query)
        back.append(ids(response))
    assert back == pages[-2::-1]
    assert link(response, "next") is not None


def test_the_pager_numbers_the_pages_and_counts_a_small_log_exactly(client_for, people, city):
    log(city, 120)
    client = client_for(people.head)

    first = client.get(URL, {"action": "auth.login_failed"})
    second = follow(client, link(first, "next"))

    body = second.content.decode()
    assert "共 120 条记录。" in first.content.decode()
    assert "第 1 / 3 页" in first.content.decode() and link(first, "prev") is None
    assert "第 2 / 3 页" in body
    assert link(second, "prev") == "action=auth.login_failed"  # back to the first page: no position needed
    # Page numbers alone still work (old links), and one past the end gives the last page.
    assert ids(client.get(URL, {"action": "auth.login_failed", "page": 3}))[-1] == "0"
    assert len(ids(client.get(URL, {"action": "auth.login_failed", "page": 99}))) == 20


def test_a_big_log_is_not_counted_past_the_limit(client_for, people, city, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 100)
    log(city, 120)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE core_auditevent")  # the planner's statistics, as autovacuum keeps them

    response = client_for(people.head).get(URL, {"action": "auth.login_failed"})

    body = response.content.decode()
    assert len(ids(response)) == 50 and link(response, "next") is not None
    assert "第 1 页" in body and "/ 3 页" not in body
    if connection.vendor == "postgresql":
        assert re.search(r"约 1\d\d 条记录。", body)  # the planner's estimate, rounded
    else:
        assert "超过 100 条记录。" in body
    assert "共 120 条" not in body


def test_page_numbers_alone_reach_only_so_far_down_then_the_pager_walks(client_for, people, city, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 60)
    monkeypatch.setattr(pagination, "OFFSET_LIMIT", 100)
    log(city, 200)
    client = client_for(people.head)

    deep = client.get(URL, {"action": "auth.login_failed", "page": 40})

    assert "第 2 页" in deep.content.decode()  # 100 rows down by number: page 2 is as far as it goes
    assert ids(deep) == [str(n) for n in range(149, 99, -1)]
    assert ids(follow(client, link(deep, "next")))[0] == "99"


@pytest.mark.parametrize("cursor", ["abc", "1-", "-5-3", "12-x", "99999999999999999999-1", "9" * 19 + "-1"])
def test_a_position_nobody_made_is_ignored(client_for, people, city, cursor):
    log(city, 60)
    client = client_for(people.head)

    for key in ("after", "before"):
        alone = client.get(URL, {"action": "auth.login_failed", key: cursor})
        numbered = client.get(URL, {"action": "auth.login_failed", key: cursor, "page": "2"})

        assert alone.status_code == numbered.status_code == 200
        assert ids(alone)[0] == "59" and "第 1 / 2 页" in alone.content.decode()
        assert ids(numbered) == [str(n) for n in range(9, -1, -1)]  # the page number alone counts


def test_a_position_past_the_end_gives_the_last_page(client_for, people, city):
    log(city, 60)
    oldest = AuditEvent.objects.filter(object_type="t").order_by("at", "id").first()

    response = client_for(people.head).get(URL, {"action": "auth.login_failed", "page": "3",
                                                 "after": pagination.keyset_cursor(oldest)})

    assert ids(response) == [str(n) for n in range(49, -1, -1)]
    assert link(response, "next") is None and link(response, "prev") is not None


def test_the_next_page_keeps_the_dates_and_the_person_and_the_export_link_drops_the_position(client_for, people,
                                                                                            city):
    log(city, 80)
    audit_record(actor=people.head, action="auth.login", obj=people.head, unit=city.dongjie)
    client = client_for(people.head)
    filters = {"action": "auth.login_failed", "date_from": "2026-03-02", "date_to": "2026-03-02"}

    first = client.get(URL, filters)
    second = follow(client, link(first, "next"))

    assert len(ids(first)) == 50 and len(ids(second)) == 30
    assert "date_from=2026-03-02" in link(first, "next")
    export = re.search(r'href="/audit/export/\?([^"]*)">导出Excel', second.content.decode()).group(1)
    assert "after" not in export and "page" not in export and "date_from=2026-03-02" in export
    by_person = client.get(URL, {"person": people.head.full_name})
    assert {row.event.action for row in by_person.context["rows"]} >= {"auth.login"}


def test_every_scope_has_an_index_leading_with_it_and_the_time():
    indexes = {tuple(index.fields) for index in AuditEvent._meta.indexes}

    assert {("county", "-at", "-id"), ("station", "-at", "-id")} <= indexes
    assert AuditEvent._meta.get_field("at").db_index  # the city's log: (nearly) the whole table, by time


# --- pinned queries ------------------------------------------------------------------------------------------

# A page of the log: the session, the person (with their unit and its ancestors), the bounded count, the page's
# rows (actor, unit, county and station joined), then one query per kind of object and per namer of stored ids
# on the page: here the staff and the units the events are about, and the codes of "unit.created"'s parent.
# The roles who read the calendar (county, city) also get its warning, one query. The same on SQLite and
# PostgreSQL (past COUNT_LIMIT, PostgreSQL adds one EXPLAIN for the estimate: never in these tests).
PAGE_QUERIES = 2 + 2 + 3
CALENDAR_WARNING = {"head": 0, "county": 1, "cityadmin": 1, "inspector": 1}


def busy_log(people, city, count, start):
    """`count` events of three kinds (about a person, about a unit, about nobody), by several people."""
    actors = [people.head, people.county, people.officer, people.officer2, None]
    for n in range(count):
        with clock.at(start + datetime.timedelta(minutes=n)):
            unit = (city.dongjie, city.w1, city.w2)[n % 3]
            if n % 3 == 0:
                audit_record(actor=actors[n % 5], action="staff.duty_status", obj=people.officer2, unit=unit,
                             data={"from": "on_duty", "to": "stopped", "reason": f"第{n}次"})
            elif n % 3 == 1:
                audit_record(actor=actors[n % 5], action="unit.created", obj=unit, unit=unit,
                             data={"code": unit.code, "kind": unit.kind, "parent": city.dongjie.code})
            else:
                audit_record(actor=None, action="auth.login_failed", obj=people.officer, unit=unit,
                             data={"failures": n})


@pytest.mark.parametrize("persona", ["head", "county", "cityadmin", "inspector"])
def test_each_page_of_the_audit_log_costs_the_same_queries_for_every_role_and_depth(
        client_for, people, city, persona, django_assert_num_queries):
    busy_log(people, city, 120, START)
    client = client_for(getattr(people, persona))
    expected = PAGE_QUERIES + CALENDAR_WARNING[persona]

    with django_assert_num_queries(expected):
        first = client.get(URL)
    with django_assert_num_queries(expected):
        second = follow(client, link(first, "next"))
    with django_assert_num_queries(expected):
        back = follow(client, link(second, "prev"))
    with django_assert_num_queries(expected):
        numbered = client.get(URL, {"page": 2})

    assert len(first.context["rows"]) == len(second.context["rows"]) == 50
    assert [r.event.pk for r in back.context["rows"]] == [r.event.pk for r in first.context["rows"]]
    assert [r.event.pk for r in numbered.context["rows"]] == [r.event.pk for r in second.context["rows"]]
    # More events, more people and units on a page: not one query more.
    busy_log(people, city, 200, START + datetime.timedelta(days=1))
    with django_assert_num_queries(expected):
        first = client.get(URL)
    with django_assert_num_queries(expected):
        second = follow(client, link(first, "next"))
    assert len(first.context["rows"]) == len(second.context["rows"]) == 50


def test_a_person_or_a_case_costs_one_query_more_and_nobody_found_reads_no_log(
        client_for, people, city, working_day, django_assert_num_queries):  # noqa: F811 (the fixture)
    busy_log(people, city, 120, START)
    client = client_for(people.county)
    case = working_day[0]
    county = PAGE_QUERIES + CALENDAR_WARNING["county"]

    # The people of that name (or the records of that case, in one query) are read first, then the log by them.
    with django_assert_num_queries(county + 1):
        by_person = client.get(URL, {"person": people.officer2.full_name, "date_from": "2026-03-02"})
    # The case's page names six kinds of record (case, document, invitation, rating, follow-up, contest) and the
    # notice's materials, but no person or unit: the page's own queries, less two namers, plus seven.
    with django_assert_num_queries(county + 1 - 3 + 7):
        by_case = client.get(URL, {"case": case.number})
    with django_assert_num_queries(2 + 1 + CALENDAR_WARNING["county"]):
        nobody = client.get(URL, {"person": "查无此人"})

    him = people.officer2
    assert len(by_person.context["rows"]) == 50
    assert all(r.event.actor == him or r.event.object_id == str(him.pk) for r in by_person.context["rows"])
    assert {row.event.object_type for row in by_case.context["rows"]} >= {"counter.case", "counter.document"}
    assert list(nobody.context["rows"]) == [] and "没有符合条件的审计记录。" in nobody.content.decode()
