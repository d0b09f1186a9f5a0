"""On a phone (390 wide) and a tablet (820 wide) no page is wider than the screen: wide lists scroll in their box."""

import pytest
from playwright.sync_api import expect

from counter import services
from tests.factories import valid_id

PAGES = {
    "head": ["/counter/cases/", "/evaluations/ratings/", "/evaluations/follow-ups/", "/evaluations/usage/",
             "/audit/", "/accounts/staff/", "/evaluations/devices/", "/guide/"],
    "officer": ["/counter/"],
    "cityadmin": ["/calendar/", "/api/keys/", "/guide/"],
}


def signed_in(context, username, password):
    """A new page of `context`, signed in through the form."""
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


@pytest.mark.parametrize("width, height", [(390, 844), (820, 1180)])
def test_no_page_is_wider_than_a_phone_or_a_tablet(browser, live_server, people, demo_guide, width, height):
    item = demo_guide.items.get(name="居民身份证首次申领")
    for n in range(3):
        case = services.case_open(actor=people.officer, window=people.officer.unit, item=item,
                                  applicant=services.Applicant(f"申请人{n}", valid_id(), "13905910000"))
        notice = services.case_notify(case=case, actor=people.officer)
    too_wide = []
    for username, urls in PAGES.items():
        context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height},
                                      base_url=live_server.url)
        page = signed_in(context, username, people.password)
        for url in urls + ([f"/counter/documents/{notice.public_id}/"] if username == "officer" else []):
            page.goto(url)
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width + 1:
                too_wide.append((username, url, scroll_width))
        if username == "head":
            # The pairing code page (after a POST): the tablet's address wraps inside its card.
            page.goto("/evaluations/devices/")
            page.get_by_role("button", name="生成配对码").first.click()
            page.locator("#pairing-code").wait_for()
            overflow = page.evaluate("""() => {
                const box = document.querySelector('.card .kbd'), card = box.closest('.card');
                return box.getBoundingClientRect().right - card.getBoundingClientRect().right; }""")
            if overflow > 1:
                too_wide.append((username, "pairing code address", overflow))
        context.close()
    assert too_wide == []


@pytest.mark.parametrize("width, hinted", [(390, True), (1280, False)])
def test_a_list_wider_than_a_phone_says_it_scrolls_sideways(browser, live_server, people, demo_guide, width, hinted):
    item = demo_guide.items.get(name="居民身份证首次申领")
    case = services.case_open(actor=people.officer, window=people.officer.unit, item=item,
                              applicant=services.Applicant("申请人", valid_id(), "13905910000"))
    services.case_notify(case=case, actor=people.officer)
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 844}, base_url=live_server.url)
    page = signed_in(context, "head", people.password)
    page.goto("/counter/cases/")
    hint = page.get_by_text("表格较宽，左右滑动可查看其余各列")
    if hinted:
        expect(hint.first).to_be_visible()
        # The hint sits right above the list it is about.
        assert page.evaluate("document.querySelector('.scroll-hint').nextElementSibling.tagName") == "TABLE"
    else:
        expect(hint).to_have_count(0)
    context.close()


def test_on_a_phone_the_menu_folds_behind_one_button_and_opens_with_a_tap(browser, live_server, people):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, base_url=live_server.url)
    page = signed_in(context, "head", people.password)
    menu = page.get_by_role("navigation", name="主菜单")
    expect(menu).to_be_hidden()
    assert page.locator("header.topbar").bounding_box()["height"] < 100  # not a third of the screen any more

    page.get_by_role("button", name="菜单").click()
    expect(page.get_by_role("button", name="菜单")).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")  # closes it again, the focus back on the button
    expect(menu).to_be_hidden()
    expect(page.get_by_role("button", name="菜单")).to_be_focused()
    page.get_by_role("button", name="菜单").click()
    menu.get_by_role("link", name="办件列表").click()
    page.wait_for_url("**/counter/cases/")
    expect(page.get_by_role("navigation", name="主菜单")).to_be_hidden()
    context.close()


def test_on_a_wide_screen_the_menu_is_always_shown(browser, live_server, people):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800}, base_url=live_server.url)
    page = signed_in(context, "head", people.password)
    expect(page.get_by_role("navigation", name="主菜单").get_by_role("link", name="办件列表")).to_be_visible()
    expect(page.get_by_role("button", name="菜单")).to_be_hidden()
    context.close()
