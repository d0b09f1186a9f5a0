"""The city administrator enters next year's holiday schedule in a real browser; officers may not."""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import expect

from workdays.models import CalendarDay, CalendarYear, DayKind

MISSING_WARNING = "{year} 年的法定节假日安排尚未录入：该年的期限暂按周末计算并标注为“暂定”，请市局管理员尽快录入。"



def years_due(today: datetime.date) -> list[int]:
    """The years an administrator is warned about: this one, and from November the next one."""
    return [today.year] + ([today.year + 1] if today.month >= 11 else [])


def test_city_admin_enters_2027_and_the_calculator_uses_it(page, sign_in, people, artifacts):
    today = timezone.localdate()
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert CalendarYear.objects.filter(year=today.year).exists()  # seeded by the migrations

    sign_in("cityadmin", people.password)

    # From November on, every page warns that next year is not entered yet (it depends on the real date) ...
    warning = page.locator("main > .alert.warn").filter(has_text="年的法定节假日安排尚未录入")
    due = [y for y in years_due(today) if not CalendarYear.objects.filter(year=y).exists()]
    expect(warning).to_have_count(len(due))
    for year in due:
        expect(warning.filter(has_text=MISSING_WARNING.format(year=year))).to_have_count(1)

    # ... except the calendar pages, which carry their own, more specific warning instead.
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="工作日历").click()
    expect(page.get_by_role("heading", name="工作日历", exact=True)).to_be_visible()
    expect(warning).to_have_count(0)
    expect(page.locator("[data-missing-year]")).to_have_count(len(due))
    for year in due:
        expect(page.locator(f"[data-missing-year='{year}']")).to_contain_text("请在下方“录入新年度”中录入")
    if today.month >= 11 and today.year == 2026:
        assert due == [2027]
    page.screenshot(path=str(artifacts / "calendar-list-missing-2027.png"), full_page=True)

    # Paste the schedule from the State Council notice.
    enter = page.locator("#enter")
    expect(enter.get_by_label("年份")).to_have_value("2027" if 2027 in due else str(today.year + 1))
    expect(enter.get_by_role("checkbox")).to_have_count(0)  # nothing to replace yet
    enter.get_by_label("年份").fill("2027")
    enter.get_by_label("放假日期").fill("2027-01-01 元旦\n2027-02-05至2027-02-11 春节\n")
    enter.get_by_label("调休上班日期").fill("2027-02-14 春节\n")
    enter.get_by_label("依据").fill("国办发明电〔2026〕7号")
    page.screenshot(path=str(artifacts / "calendar-enter-2027.png"), full_page=True)
    enter.get_by_role("button", name="录入").click()

    # The form posts to "#enter"; the redirect names its own fragment, one that exists on the year's page.
    expect(page).to_have_url(re.compile(r"/calendar/2027/#main$"))
    expect(page.get_by_role("heading", name="2027 年工作日历")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="已录入")).to_have_text(
        "已录入 2027 年节假日安排：放假 6 天（周一至周五），调休上班 1 天。")
    expect(page.get_by_role("status").filter(has_text="暂定期限")).to_have_text("没有需要重新计算的暂定期限。")
    expect(page.locator("main > .alert.warn").filter(has_text="2027 年的节假日安排尚未录入")).to_have_count(0)
    new_year = page.locator("tr[data-date='2027-01-01']")
    expect(new_year).to_contain_text("星期五")
    expect(new_year).to_contain_text("放假")
    expect(new_year).to_contain_text("元旦")
    expect(page.locator("tr[data-date='2027-02-05']")).to_contain_text("春节")
    expect(page.locator("tr[data-date='2027-02-06']")).to_have_count(0)  # a Saturday: skipped, it is off anyway
    makeup = page.locator("tr[data-date='2027-02-14']")
    expect(makeup).to_contain_text("星期日")
    expect(makeup).to_contain_text("调休上班")
    expect(page.locator("tbody tr[data-date]")).to_have_count(7)
    expect(page.locator("dl.kv")).to_contain_text("国办发明电〔2026〕7号")
    expect(page.locator("dl.kv")).to_contain_text("周处长")
    page.screenshot(path=str(artifacts / "calendar-2027-entered.png"), full_page=True)

    # The calculator: 2 working days after 2026-12-31 skips 元旦 and the weekend.
    calc = page.locator("#calculator")
    calc.get_by_label("起算日期").fill("2026-12-31")
    calc.get_by_label("工作日数").fill("2")
    calc.get_by_role("button", name="计算").first.click()
    result = page.locator("[data-result='add']")
    expect(result).to_contain_text("2026-12-31（星期四）起 2 个工作日后：2027-01-05（星期二）")
    expect(result).not_to_contain_text("暂定")
    # ... and the makeup Sunday counts as a working day.
    calc.get_by_label("截止日期").fill("2027-02-14")
    calc.get_by_role("button", name="计算").nth(1).click()
    expect(page.locator("[data-result='back']")).to_contain_text(
        "2027-02-14（星期日）当天或之前的最后一个工作日：2027-02-14（星期日）")
    page.screenshot(path=str(artifacts / "calendar-calculator.png"), full_page=True)

    # Elsewhere the page-top warning about 2027 is gone too.
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="办事指南").click()
    expect(page.get_by_role("heading", name="户籍业务办事指南")).to_be_visible()
    expect(warning.filter(has_text="2027 年")).to_have_count(0)

    cal = CalendarYear.objects.get(year=2027)
    assert cal.entered_by == people.cityadmin and cal.source == "国办发明电〔2026〕7号"
    days = {d.date.isoformat(): (d.kind, d.name) for d in CalendarDay.objects.filter(date__year=2027)}
    assert days["2027-01-01"] == (DayKind.HOLIDAY, "元旦")
    assert days["2027-02-14"] == (DayKind.WORKDAY, "春节")
    assert len(days) == 7


def test_an_officer_gets_the_403_page_and_no_calendar_menu(page, sign_in, people, artifacts):
    sign_in("officer", people.password)
    menu = page.get_by_role("navigation", name="主菜单")
    expect(menu.get_by_role("link", name="办件列表")).to_be_visible()
    expect(menu.get_by_role("link", name="工作日历")).to_have_count(0)
    expect(page.get_by_text("年的法定节假日安排尚未录入")).to_have_count(0)  # not his concern

    response = page.goto("/calendar/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="无权访问")).to_be_visible()
    expect(page.get_by_text("您没有查看或办理该内容的权限。如确需访问，请联系本单位管理员。")).to_be_visible()
    page.screenshot(path=str(artifacts / "calendar-officer-403.png"), full_page=True)

    # Nor can he post a schedule by hand (with a valid CSRF token, so the refusal is about his role).
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post("/calendar/", headers={"X-CSRFToken": token},
                                 form={"year": "2027", "holidays": "2027-01-01 元旦", "source": "x"})
    assert response.status == 403
    assert "无权访问" in response.text()
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_entering_a_year_again_asks_for_confirmation_next_to_the_box(page, sign_in, people, artifacts):
    sign_in("cityadmin", people.password)
    page.goto("/calendar/")
    enter = page.locator("#enter")
    enter.get_by_label("年份").fill("2026")
    enter.get_by_label("放假日期").fill("2026-01-01 元旦\n")
    enter.get_by_label("依据").fill("国办发明电〔2025〕7号")
    enter.get_by_role("button", name="录入").click()

    # Refused: the page comes back at the form, with the box, its label beside it and the reason below.
    expect(page).to_have_url(re.compile(r"/calendar/#enter$"))
    enter = page.locator("#enter")
    box = enter.get_by_role("checkbox", name="确认用本次内容整体替换该年度已录入的节假日安排")
    expect(box).to_be_visible()
    expect(box).not_to_be_checked()
    reason = "2026 年已录入。如要用本次内容整体替换，请勾选表单末尾的确认框后再提交；只改个别日期请到该年度页面增删。"
    expect(enter.locator(".replace-year .error-text")).to_have_text(reason)
    expect(enter.get_by_label("放假日期")).to_have_value("2026-01-01 元旦\n")
    label = enter.locator(".replace-year label span").bounding_box()
    checkbox = box.bounding_box()
    assert checkbox["x"] < label["x"] < checkbox["x"] + 60  # side by side, the box first
    assert abs((checkbox["y"] + checkbox["height"] / 2) - (label["y"] + label["height"] / 2)) < 12
    enter.screenshot(path=str(artifacts / "calendar-replace-asked.png"))
    assert CalendarDay.objects.filter(date__year=2026).count() > 1  # nothing replaced yet

    box.check()
    enter.get_by_role("button", name="录入").click()
    expect(page).to_have_url(re.compile(r"/calendar/2026/#main$"))
    expect(page.get_by_role("status").filter(has_text="已录入")).to_have_text(
        "已录入 2026 年节假日安排：放假 1 天（周一至周五），调休上班 0 天。")
    assert list(CalendarDay.objects.filter(date__year=2026).values_list("date", flat=True)) == [
        datetime.date(2026, 1, 1)]
