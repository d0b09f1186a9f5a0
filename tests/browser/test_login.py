"""A station head signs in through a real browser, sees the Chinese menu, and signs out."""

import re

from playwright.sync_api import expect


def sign_in(page, username, password):
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_sign_in_see_the_chinese_menu_and_sign_out(page, people, artifacts):
    page.goto("/audit/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/audit/$"))
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()

    sign_in(page, "head", people.password)

    expect(page).to_have_url(re.compile(r"/audit/$"))
    menu = page.get_by_role("navigation", name="主菜单")
    expect(menu.get_by_role("link", name="审计日志")).to_be_visible()
    expect(menu.get_by_role("link", name="办件列表")).to_be_visible()
    expect(page.locator(".who")).to_contain_text("张所长 · 所长（队长） · 东街派出所")
    expect(page.get_by_role("heading", name="审计日志")).to_be_visible()
    # This very sign-in was audited, and the log says so in words, not as the code auth.login.
    newest = page.locator("tbody tr").first
    expect(newest).to_contain_text("登录")
    expect(newest).to_contain_text("张所长")
    expect(page.locator("tbody")).not_to_contain_text("auth.login")
    # The stylesheet came through the live server: the top bar has the brand colour.
    expect(page.locator("header.topbar")).to_have_css("background-color", "rgb(11, 79, 156)")
    page.screenshot(path=str(artifacts / "login-signed-in.png"), full_page=True)

    page.get_by_role("button", name="退出").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("status")).to_have_text("您已安全退出。")
    page.goto("/audit/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_a_wrong_password_shows_the_chinese_error(page, people, artifacts):
    page.goto("/accounts/login/")

    sign_in(page, "head", "not-the-password")

    expect(page.get_by_role("alert").first).to_contain_text("用户名或密码不正确，请重新输入。注意区分大小写。")
    expect(page.get_by_role("navigation", name="主菜单")).to_have_count(0)
    page.screenshot(path=str(artifacts / "login-wrong-password.png"), full_page=True)
