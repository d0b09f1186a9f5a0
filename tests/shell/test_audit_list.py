"""The audit log page and its Excel export: who may open them, what each of them sees, in words, filtered."""

import datetime
import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from api.keys import integration_key_create, integration_key_revoke
from core import clock
from core.audit import action_label, actions_known, audit_record, events_describe
from core.models import AuditEvent
from counter import services as counter_services
from counter.states import Decision
from evaluations import services as evaluation_services
from evaluations.models import Invite
from org.services import staff_set_duty_status
from shell import audit_export
from tests.factories import PASSWORD

URL = reverse("shell:audit_list")
EXPORT = reverse("shell:audit_export")
ROOT = Path(__file__).resolve().parents[2]


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
    return {row.event.object_id for row in response.context["rows"] if row.event.object_type in ("test.thing", "t")}


def bad_review(case):
    invite = Invite.objects.get(case=case)
    data = evaluation_services.RatingInput(1, 1, 1, 1, ("attitude",), "", "窗口民警态度生硬")
    return evaluation_services.rating_submit(invite=invite, data=data, channel="qr")


@pytest.fixture
def working_day(city, people, guide, open_case, pair, client):
    """A day of the city's work, each step through its service: every kind of event the apps write."""
    with clock.at(clock.now() - datetime.timedelta(hours=3)):
        case = open_case(guide.birth, "出生医学证明")
        document = counter_services.case_notify(case=case, actor=people.officer)
        rating = bad_review(case)
        counter_services.case_reveal_personal_data(case=case, actor=people.officer)
    follow_up = rating.follow_up
    called_at = clock.now() - datetime.timedelta(minutes=30)
    evaluation_services.follow_up_record_call(follow_up=follow_up, actor=people.head, called_at=called_at,
                                              notes="联系了申请人，对方反映态度生硬。")
    evaluation_services.follow_up_verify(follow_up=follow_up, actor=people.head, verdict="true",
                                         verification="调取了窗口录像，情况属实。")
    evaluation_services.follow_up_close(follow_up=follow_up, actor=people.head, rectification="已对当事民警批评教育。")
    contest = evaluation_services.contest_file(rating=rating, actor=people.officer, ground="mistaken",
                                               statement="申请人误触了不满意，录像可证。")
    evaluation_services.contest_decide(contest=contest, actor=people.county, upheld=False,
                                       reason="经调取录像核实，申诉理由不能成立。")
    device, _token = pair(city.w1)
    evaluation_services.device_revoke(device=device, actor=people.head)
    key = integration_key_create(actor=people.cityadmin, name="省好差评平台上报", county=city.gulou).key
    integration_key_revoke(key=key, actor=people.cityadmin)
    staff_set_duty_status(staff=people.officer2, status="stopped", actor=people.county, reason="停止执行职务")
    client.post(reverse("org:login"), {"username": "head", "password": "wrong-password"}, REMOTE_ADDR="10.8.1.7")
    client.post(reverse("org:login"), {"username": "head", "password": PASSWORD}, REMOTE_ADDR="10.8.1.7")
    other = open_case(guide.taijiang_birth, "出生医学证明", actor=people.outsider, window=city.w3)
    counter_services.case_notify(case=other, actor=people.outsider)
    return case, document, rating, other


# --- every code in words ------------------------------------------------------------------------------------

SOURCES = [p for app in ("core", "org", "workdays", "catalog", "counter", "evaluations", "api", "shell", "demo")
           for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]
# An audit action is "<what>.<verb>"; argparse's action="store_true" has no dot.
ACTION_LITERAL = re.compile(r"""\baction=(f?)(["'])([a-z_]+\.[^"']*)\2""")


def written_actions() -> tuple[set[str], set[str]]:
    """The action codes the source writes: literal ones, and f-strings as patterns ("case.{...}" -> r"case\\..+")."""
    literal, patterns = set(), set()
    for path in SOURCES:
        for is_f, _quote, code in ACTION_LITERAL.findall(path.read_text(encoding="utf-8")):
            if is_f and "{" in code:
                patterns.add("".join(".+" if part.startswith("{") else re.escape(part)
                                     for part in re.split(r"(\{[^}]*\})", code) if part))
            else:
                literal.add(code)
    return literal, patterns


def test_every_action_code_written_anywhere_has_a_label(db):
    literal, patterns = written_actions()
    known = actions_known()

    assert len(literal) > 40 and patterns  # the scan found the services' codes
    assert sorted(code for code in literal if code not in known) == []
    assert sorted(p for p in patterns if not any(re.fullmatch(p, code) for code in known)) == []
    # The codes the f-strings make, one by one.
    for code in [f"case.{d}" for d in Decision] + ["admin.add", "admin.change"]:
        assert code in known, code
    assert all(label != code and re.search(r"[\u4e00-\u9fff]", label) for code, label in known.items())


# Keys the catalog's vocabulary (catalog/audit.py) does not label yet; shown as stored until it does.
CATALOG_GAPS: set[tuple[str, str]] = set()  # fields of catalog events still without a label


def test_every_event_of_a_working_day_reads_in_words(working_day):
    views = events_describe(AuditEvent.objects.all())
    actions = {v.event.action for v in views}

    assert {"case.opened", "case.notice", "document.issued", "rating.invited", "rating.submitted",
            "follow_up.opened", "follow_up.called", "follow_up.verified", "follow_up.closed", "contest.filed",
            "contest.decided", "device.pairing_code", "device.paired", "device.revoked", "api_key.created",
            "api_key.revoked", "staff.duty_status", "auth.login", "auth.login_failed", "unit.created",
            "staff.created", "case.personal_data_viewed"} <= actions
    unnamed = [(v.event.action, v.object.text) for v in views
               if v.event.object_id and (v.object is None or v.object.text.startswith("#"))]
    unlabelled = sorted({(v.event.action, key) for v in views
                         for (label, _value), key in zip(v.data, v.event.data, strict=True) if label == key}
                        - CATALOG_GAPS)
    assert unnamed == []
    assert unlabelled == []
    assert all(v.action != v.event.action for v in views)


def test_the_page_shows_labels_names_and_links_and_no_codes(client_for, people, working_day):
    case, document, rating, _other = working_day

    page = client_for(people.county).get(URL, {"case": case.number}).content.decode()
    body = page[page.index("<table"):]  # the rows, not the menu of actions

    assert "出具文书" in body and "提交评价" in body and "差评回访" in body and "提出申诉复核" in body
    assert f'href="{reverse("counter:case_detail", args=[case.number])}"' in body
    assert f'href="{reverse("counter:document", args=[document.public_id])}"' in body
    assert f'href="{reverse("evaluations:rating_detail", args=[rating.pk])}"' in body
    assert f'href="{reverse("evaluations:follow_up_detail", args=[rating.follow_up.pk])}"' in body
    assert document.number in body
    assert "补充材料告知单" in body  # the document's kind, not "notice"
    assert "父母户口簿" in body  # the notice's missing materials by name, not by id
    assert "非常不满意" in body and "扫码评价" in body and "属实" in body
    for raw in ("counter.document:", "counter.case:", "document.issued", "rating.submitted", "follow_up.",
                "evaluations.rating", "&quot;", "{"):
        assert raw not in body, raw


def test_each_row_shows_time_person_action_object_unit_details_and_address(client_for, people, city):
    with freeze_time("2026-03-02 01:30:00"):
        audit_record(actor=people.county, action="staff.duty_status", obj=people.officer, unit=city.w1,
                     data={"from": "on_duty", "to": "stopped", "reason": "违反窗口纪律"}, address="10.8.3.4")

    body = client_for(people.head).get(URL, {"action": "staff.duty_status"}).content.decode()

    assert "审计日志" in body
    assert "2026-03-02 09:30:00" in body  # shown in Beijing time
    assert "刘科长" in body and people.county.police_number in body
    assert "变更在岗状态" in body and "staff.duty_status</td>" not in body
    assert f"王警官（{people.officer.police_number}）" in body and f"org.staff:{people.officer.pk}" not in body
    assert "东街派出所1号窗口" in body
    assert "<dt>原在岗状态</dt><dd>在岗</dd>" in body
    assert "<dt>变更为</dt><dd>停止执行职务</dd>" in body
    assert "<dt>理由</dt><dd>违反窗口纪律</dd>" in body
    assert "10.8.3.4" in body


def test_an_event_without_actor_is_shown_as_system(client_for, people, city):
    audit_record(actor=None, action="auth.login_failed", obj=people.officer, unit=city.w1, data={"failures": 1})

    body = client_for(people.head).get(URL).content.decode()

    assert "系统/未登录" in body and "登录失败" in body and "<dt>连续失败次数</dt><dd>1</dd>" in body


# --- who sees what ------------------------------------------------------------------------------------------

def test_signing_in_is_needed(client, db):
    for url in (URL, EXPORT):
        response = client.get(url)

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("org:login"))


@pytest.mark.parametrize("persona", ["officer", "civilian", "auxiliary", "outsider"])
def test_window_staff_are_refused_with_the_chinese_403_page(client_for, people, persona):
    for url in (URL, EXPORT):
        response = client_for(getattr(people, persona)).get(url)

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


def test_another_units_case_shows_nothing_not_even_by_its_number(client_for, people, working_day):
    _case, _document, _rating, other = working_day

    response = client_for(people.county).get(URL, {"case": other.number})

    assert response.status_code == 200
    assert list(response.context["rows"]) == []
    body = response.content.decode()
    assert "没有符合条件的审计记录。" in body and "鳌峰" not in body[body.index("<table"):]


# --- filters ------------------------------------------------------------------------------------------------

def test_filtering_by_action_offers_the_registered_actions_by_their_labels(client_for, people, city, events):
    audit_record(actor=people.head, action="auth.login", obj=people.head, unit=city.dongjie)

    response = client_for(people.head).get(URL, {"action": "auth.login"})

    assert [row.event.action for row in response.context["rows"]] == ["auth.login"]
    body = response.content.decode()
    assert '<option value="auth.login" selected>登录</option>' in body
    assert '<option value="rating.submitted">提交评价</option>' in body


def test_an_action_nobody_registered_is_refused_with_400_in_chinese(client_for, people, city):
    audit_record(actor=None, action="only.in.taijiang", object_type="x", object_id="1", unit=city.w3)

    response = client_for(people.head).get(URL, {"action": "only.in.taijiang"})

    assert response.status_code == 400
    assert "请从列表中选择动作。" in response.content.decode()
    assert list(response.context["rows"]) == []


def test_filtering_by_person_by_part_of_the_name_or_the_police_number(client_for, people, city, events):
    audit_record(actor=people.head, action="auth.login", obj=people.head, unit=city.dongjie)
    client = client_for(people.county)

    by_name = client.get(URL, {"person": "张所"})
    by_number = client.get(URL, {"person": people.head.police_number})
    nobody = client.get(URL, {"person": "黄警官"})  # 台江's officer: no event of his in 鼓楼

    # What he did, and what was recorded about him (his account opened, with nobody signed in).
    rows = by_name.context["rows"]
    assert people.head in {row.event.actor for row in rows}
    assert all(row.event.actor == people.head or row.event.object_id == str(people.head.pk) for row in rows)
    assert "auth.login" in [row.event.action for row in by_number.context["rows"]]
    assert all(row.event.actor == people.head or row.event.object_id == str(people.head.pk)
               for row in by_number.context["rows"])
    assert list(nobody.context["rows"]) == []
    assert 'value="张所"' in by_name.content.decode()


def test_filtering_by_case_shows_the_case_its_documents_ratings_follow_up_and_contest(client_for, people,
                                                                                     working_day, open_case, guide):
    case, _document, rating, _other = working_day
    unrelated = open_case(guide.birth, "出生医学证明")

    response = client_for(people.county).get(URL, {"case": case.number})

    rows = response.context["rows"]
    assert {row.event.action for row in rows} == {
        "case.opened", "case.notice", "case.personal_data_viewed", "document.issued", "rating.invited",
        "rating.submitted", "follow_up.opened", "follow_up.called", "follow_up.verified", "follow_up.closed",
        "contest.filed", "contest.decided"}
    assert str(unrelated.pk) not in {row.event.object_id for row in rows if row.event.object_type == "counter.case"}


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

    assert response.status_code == 400
    assert "起始日期不能晚于截止日期。" in response.content.decode()
    assert list(response.context["rows"]) == []


@pytest.mark.parametrize(("params", "field", "message"), [
    ({"case": "abc"}, "case", "请输入完整的办件编号，例如 350102001-2026-000012。"),
    ({"case": "1" * 41}, "case", "不能超过40个字"),
    ({"person": "名" * 51}, "person", "不能超过50个字"),
    ({"person": "张\x01"}, "person", "操作人不能含有控制字符。"),
    ({"date_from": "2026-02-30"}, "date_from", "请输入有效日期"),
    ({"date_to": "9999-12-31"}, "date_to", "截止日期应在2000-01-01到2100-12-31之间"),
])
def test_bad_filters_answer_400_in_chinese_next_to_the_field_keeping_what_was_typed(client_for, people, params,
                                                                                    field, message):
    for url in (URL, EXPORT):
        response = client_for(people.head).get(url, params)

        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        body = response.content.decode()
        error = re.search(rf'<div id="id_{field}_error">(.*?)</div>', body, re.S)
        assert error and message in error.group(1)
        if "\x01" not in params[field]:
            assert f'value="{params[field]}"' in body


def test_fifty_events_a_page_newest_first_with_filters_kept(client_for, people, city):
    start = datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC)
    # Each event at its own minute, so "newest first" has one right answer.
    for n in range(120):
        with clock.at(start + datetime.timedelta(minutes=n)):
            audit_record(actor=None, action="auth.login_failed", object_type="t", object_id=str(n), unit=city.w1)
    client = client_for(people.head)

    first = client.get(URL, {"action": "auth.login_failed"})
    last = client.get(URL, {"action": "auth.login_failed", "page": 3})

    assert len(first.context["rows"]) == 50
    assert first.context["rows"][0].event.object_id == "119"
    assert len(last.context["rows"]) == 20
    assert last.context["rows"][-1].event.object_id == "0"
    assert "?action=auth.login_failed&amp;page=2" in first.content.decode()
    assert "第 1 / 3 页" in first.content.decode()
    assert len(client.get(URL, {"action": "auth.login_failed", "page": "99"}).context["rows"]) == 20


def test_more_rows_of_a_page_cost_no_more_queries(client_for, people, working_day, open_case, guide):
    client = client_for(people.cityadmin)

    def queries(params):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, params)
        return len(captured), len(response.context["rows"])

    few = {action: queries({"action": action}) for action in ("case.notice", "rating.submitted", "")}
    for _n in range(10):
        case = open_case(guide.birth, "出生医学证明")
        counter_services.case_notify(case=case, actor=people.officer)
        bad_review(case)
    many = {action: queries({"action": action}) for action in ("case.notice", "rating.submitted", "")}

    # Each kind of object and of stored id costs one query for the whole page, never one per row.
    for action in ("case.notice", "rating.submitted"):
        assert many[action][1] == few[action][1] + 10
        assert many[action][0] == few[action][0]
    assert many[""][1] == 50 and many[""][0] <= few[""][0]


def test_the_menu_shows_the_audit_log_to_supervisors_only(client_for, people):
    assert "审计日志" in client_for(people.head).get(reverse("org:password_change")).content.decode()
    assert "审计日志" not in client_for(people.officer).get(reverse("org:password_change")).content.decode()


# --- the Excel export ---------------------------------------------------------------------------------------

def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"] == audit_export.XLSX
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(response.content))


def test_the_page_links_to_the_export_with_its_filters(client_for, people, working_day):
    case = working_day[0]

    body = client_for(people.county).get(URL, {"case": case.number, "page": "1"}).content.decode()

    assert f'href="{EXPORT}?case={case.number}">导出Excel</a>' in body
    assert "最多导出最新的 50000 条" in body


def test_the_export_holds_the_rows_of_the_page_in_the_same_words(client_for, people, working_day):
    case = working_day[0]
    client = client_for(people.county)
    page = client.get(URL, {"case": case.number})

    book = workbook(client.get(EXPORT, {"case": case.number}))

    sheet = book["审计日志"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("时间", "操作人", "警号/工号", "动作", "对象类别", "对象", "单位", "详情", "客户端地址")
    shown = page.context["rows"]
    assert len(rows) - 1 == len(shown) == 12
    for cells, view in zip(rows[1:], shown, strict=True):
        assert cells[0] == clock.localtime(view.event.at).strftime("%Y-%m-%d %H:%M:%S")
        assert cells[1] == (view.event.actor.display_name if view.event.actor else "系统/未登录")
        assert cells[3] == view.action and cells[5] == view.object.text
        for label, value in view.data:
            assert f"{label}：{value}" in cells[7]
    assert "counter.document:" not in str(rows)
    notes = dict(book["说明"].iter_rows(values_only=True))
    assert notes["导出人"] == str(people.county)
    assert notes["筛选条件"] == f"办件编号：{case.number}"
    assert notes["导出条数"] == "12"


def test_an_export_is_itself_audited_with_its_filters(client_for, people, city, working_day):
    case = working_day[0]

    client_for(people.county).get(EXPORT, {"case": case.number, "action": "rating.submitted"})

    event = AuditEvent.objects.get(action="audit.export")
    assert event.actor == people.county and event.unit == city.gulou
    assert event.data == {"case": case.number, "action": "rating.submitted", "rows": 1, "matched": 1}
    body = client_for(people.county).get(URL, {"action": "audit.export"}).content.decode()
    assert "导出审计日志" in body and "<dt>筛选的动作</dt><dd>提交评价</dd>" in body
    assert action_label("audit.export") == "导出审计日志"


def test_the_export_keeps_the_scope_of_the_page(client_for, people, events):
    book = workbook(client_for(people.head).get(EXPORT, {"person": people.officer.full_name}))

    objects = {row[5] for row in book["审计日志"].iter_rows(min_row=2, values_only=True)}
    # His events at the station and its windows, and his account's opening (an event about him); 台江's none.
    assert objects == {"#at-dongjie", "#at-w1", "#at-w2", f"{people.officer} 东街派出所1号窗口"}


def test_the_export_stops_at_its_cap_and_says_so(client_for, people, city, monkeypatch):
    monkeypatch.setattr(audit_export, "EXPORT_CAP", 3)
    for n in range(5):
        with clock.at(clock.now() + datetime.timedelta(minutes=n)):
            audit_record(actor=None, action="auth.login_failed", object_type="t", object_id=str(n), unit=city.w1)

    book = workbook(client_for(people.head).get(EXPORT, {"action": "auth.login_failed"}))

    assert book["审计日志"].max_row == 1 + 3
    notes = dict(book["说明"].iter_rows(values_only=True))
    assert "共 5 条" in notes["注意"] and "只导出了最新的 3 条" in notes["注意"]


def test_recorded_text_is_exported_as_text_never_as_a_formula(client_for, people, city):
    audit_record(actor=people.county, action="staff.duty_status", obj=people.officer, unit=city.w1,
                 data={"from": "on_duty", "to": "stopped", "reason": '=HYPERLINK("http://x","点我")'})

    response = client_for(people.head).get(EXPORT, {"action": "staff.duty_status"})

    cell = workbook(response)["审计日志"]["H2"]
    assert cell.data_type == "s" and '理由：=HYPERLINK("http://x","点我")' in cell.value
