"""The station head's case list in a real browser: overdue cases on top, filters, and county walls."""

import datetime
import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from catalog.models import Item
from core import clock
from counter import services
from counter.models import CaseStatus
from demo.catalog import demo_items
from tests.factories import guide_publish, valid_id


def _open(officer, window, item, name, *material_names):
    ids = [m.pk for m in item.materials.all() if m.name in material_names]
    return services.case_open(actor=officer, window=window, item=item,
                              applicant=services.Applicant(name, valid_id(), "13905910000"), material_ids=ids)


@pytest.fixture
def cases(city, people):
    """An old case now overdue, then a newer one in progress, one waiting for materials, one just recorded."""
    guide = guide_publish(county=city.gulou, actor=people.county, items=demo_items(city.gulou))
    id_card = Item.objects.get(version=guide, code="123001001")
    complete = ("居民户口簿", "《居民身份证申领登记表》")

    # Accepted seven weeks ago, so its promised date has passed.
    with clock.at(clock.now() - datetime.timedelta(weeks=7)):
        overdue = services.case_accept(case=_open(people.officer, city.w1, id_card, "陈超期", *complete),
                                       actor=people.officer)
    running = services.case_accept(case=_open(people.officer2, city.w2, id_card, "林在办", *complete),
                                   actor=people.officer2)
    waiting = services.case_notify(case=_open(people.officer, city.w1, id_card, "郑补正", "居民户口簿"),
                                   actor=people.officer)
    intake = _open(people.officer, city.w1, id_card, "吴收件", *complete)
    return SimpleNamespace(overdue=overdue, running=running, waiting=waiting, intake=intake)


def test_station_head_sees_the_overdue_case_first_filters_and_opens_it(page, sign_in, people, cases, artifacts):
    assert cases.overdue.status == CaseStatus.ACCEPTED and cases.overdue.is_overdue()
    assert not cases.running.is_overdue()

    sign_in("head", people.password)
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="办件列表").click()
    expect(page.get_by_role("heading", name="办件列表")).to_be_visible()
    expect(page.get_by_text("共 4 件，其中 1 件已超期")).to_be_visible()

    rows = page.locator("table.cases tbody tr")
    expect(rows).to_have_count(4)
    top = rows.first
    # The oldest case comes first because it is overdue; it is marked in words and in colour.
    expect(top).to_have_attribute("data-case", cases.overdue.number)
    expect(top).to_have_class(re.compile(r"\boverdue\b"))
    expect(top).to_contain_text("陈超期")
    expect(top).to_contain_text("已超期")
    expect(top.locator("td").first).to_have_css("background-color", "rgb(253, 236, 234)")
    expect(top.locator("td").last).to_have_text(cases.overdue.deadline.isoformat())
    for other in (1, 2, 3):
        expect(rows.nth(other)).not_to_have_class(re.compile(r"\boverdue\b"))
        expect(rows.nth(other)).not_to_contain_text("已超期")
    # Then the newest first.
    expect(rows.nth(1)).to_contain_text("吴收件")
    expect(rows.nth(3)).to_contain_text("林在办")
    page.screenshot(path=str(artifacts / "lists-head-all.png"), full_page=True)

    # Filter by status.
    page.get_by_label("状态").select_option(label="待补正（已一次性告知）")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"status=notice"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("郑补正")
    expect(rows.first).to_contain_text("待补正（已一次性告知）")
    expect(page.get_by_label("状态")).to_have_value("notice")  # the filter stays as chosen
    page.screenshot(path=str(artifacts / "lists-head-filter-notice.png"), full_page=True)

    page.get_by_label("状态").select_option(label="已受理办理中")
    page.get_by_role("button", name="筛选").click()
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("陈超期")

    # Only the overdue ones.
    page.get_by_label("状态").select_option(label="全部")
    page.get_by_label(re.compile("只看超期")).check()
    page.get_by_role("button", name="筛选").click()
    expect(rows).to_have_count(1)

    # Open the overdue case.
    rows.first.get_by_role("link", name=cases.overdue.number).click()
    expect(page).to_have_url(re.compile(rf"/counter/cases/{cases.overdue.number}/$"))
    expect(page.get_by_role("heading", name=re.compile("居民身份证首次申领"))).to_be_visible()
    expect(page.locator("#case-status")).to_have_text("已受理办理中")
    expect(page.locator("h1 .badge.bad")).to_have_text("已超期")
    expect(page.locator("dl.kv")).to_contain_text("陈超期")
    expect(page.locator("#id-number")).to_have_text(re.compile(r"^3501\*{10}\d{3}[\dX]$"))
    page.screenshot(path=str(artifacts / "lists-head-case.png"), full_page=True)


def test_another_countys_officer_neither_lists_nor_opens_the_case(page, sign_in, people, cases, artifacts):
    sign_in("outsider", people.password)
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="办件列表").click()
    expect(page.get_by_role("heading", name="办件列表")).to_be_visible()
    expect(page.get_by_text("共 0 件")).to_be_visible()
    expect(page.get_by_text("没有符合条件的办件。")).to_be_visible()
    expect(page.locator("table.cases")).not_to_contain_text("陈超期")
    # Searching by the number does not find it either.
    page.get_by_label("业务编号、文书编号、身份证号、申请人或事项").fill(cases.overdue.number)
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_text("没有符合条件的办件。")).to_be_visible()
    page.screenshot(path=str(artifacts / "lists-outsider-empty.png"), full_page=True)

    response = page.goto(f"/counter/cases/{cases.overdue.number}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="未找到")).to_be_visible()
    expect(page.get_by_text("您要找的页面或记录不存在，或不在您的管辖范围内。")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("陈超期")
    page.screenshot(path=str(artifacts / "lists-outsider-404.png"), full_page=True)
