"""The county administrator revises the service guide in a real browser; an officer only reads it."""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import expect

from catalog.models import GuideVersion, Item, VersionStatus

ID_FIRST = "居民身份证首次申领"




def open_guide_list(page):
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="办事指南").click()
    expect(page.get_by_role("heading", name="户籍业务办事指南")).to_be_visible()


def gulou_row(page):
    return page.locator("tbody tr").filter(has_text="鼓楼分局")


def start_draft(page):
    """From the guide list to a fresh draft (a copy of the published version)."""
    open_guide_list(page)
    gulou_row(page).get_by_role("link", name="维护指南").click()
    expect(page.get_by_role("heading", name="维护鼓楼分局办事指南")).to_be_visible()
    page.get_by_role("button", name="新建草稿版本").click()
    expect(page.get_by_role("status").filter(has_text="已新建第2版草稿")).to_be_visible()
    expect(page.get_by_role("heading", name="第2版草稿")).to_be_visible()


def accept_confirms(page) -> list[str]:
    """The publish button asks through window.confirm; the administrator says yes. Returns the questions asked."""
    asked = []

    def accept(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    return asked


def test_county_admin_revises_an_item_and_publishes_version_2(page, sign_in, people, demo_guide, artifacts):
    asked = accept_confirms(page)
    sign_in("county", people.password)
    open_guide_list(page)
    expect(gulou_row(page)).to_contain_text("第1版")
    expect(gulou_row(page)).to_contain_text("2020-01-01 起施行")
    page.screenshot(path=str(artifacts / "guide-list-county.png"), full_page=True)

    start_draft(page)
    page.screenshot(path=str(artifacts / "guide-draft.png"), full_page=True)

    # Edit the ID card item: a shorter promise, and one more material at the end of the list.
    draft_row = page.locator("tbody tr").filter(has_text=ID_FIRST)
    expect(draft_row).to_contain_text("承诺20个工作日")
    draft_row.get_by_role("link", name="修改").click()
    expect(page.get_by_role("heading", name=f"修改事项：{ID_FIRST}")).to_be_visible()
    expect(page.get_by_label("承诺时限")).to_have_value("20")
    page.get_by_label("承诺时限").fill("15")
    # The free-text note repeats the promise; a careful administrator updates it too.
    note = page.get_by_label("时限说明")
    expect(note).to_have_value(re.compile("本地承诺20个工作日$"))
    note.fill(note.input_value().replace("本地承诺20个工作日", "本地承诺15个工作日"))
    # Every cell of the materials table has its own accessible name: column and row.
    materials = page.get_by_role("table", name="申请材料")
    expect(materials.get_by_role("textbox", name="材料名称（第1行）")).to_have_value("居民户口簿")
    expect(materials.get_by_role("combobox", name="形式（第1行）")).to_have_value("original")
    expect(materials.get_by_role("spinbutton", name="份数（第1行）")).to_have_value("1")
    blank = materials.get_by_role("textbox", name="材料名称（第4行）")  # the first empty row after the three
    expect(blank).to_have_value("")
    blank.fill("近期免冠彩色照片")
    materials.get_by_role("textbox", name="备注（第4行）").fill("窗口可现场拍摄")
    expect(materials.get_by_role("checkbox", name="删除（第4行）")).not_to_be_checked()
    # The long texts are shown whole, not cut off in a one-line box.
    basis = page.get_by_label("收费依据")
    expect(basis).to_have_value(re.compile("发改价格〔2003〕2322号）$"))
    assert basis.evaluate("el => el.tagName") == "TEXTAREA"
    assert basis.evaluate("el => el.scrollHeight <= el.clientHeight + 1 && el.scrollWidth <= el.clientWidth + 1")
    page.screenshot(path=str(artifacts / "guide-item-edit.png"), full_page=True)
    page.get_by_role("button", name="保存事项").click()

    expect(page.get_by_role("status").filter(has_text=f"已保存事项“123001001 {ID_FIRST}”")).to_be_visible()
    draft_row = page.locator("tbody tr").filter(has_text=ID_FIRST)
    expect(draft_row).to_contain_text("承诺15个工作日")
    expect(draft_row.locator("td").nth(5)).to_have_text("4")

    # Publish from today, with a note.
    page.get_by_role("link", name="发布本草稿").click()
    expect(page.get_by_role("heading", name="发布鼓楼分局办事指南第2版")).to_be_visible()
    today = timezone.localdate().isoformat()
    expect(page.get_by_label("生效日期")).to_have_value(today)  # today is offered
    page.get_by_label("修订说明").fill("居民身份证首次申领承诺时限缩短为15个工作日，增加照片")
    page.screenshot(path=str(artifacts / "guide-publish.png"), full_page=True)
    page.get_by_role("button", name="发布").click()

    expect(page).to_have_url(re.compile(r"/guide/350102/\?version=2$"))
    assert asked == ["发布后不能修改，确定发布吗？"]
    expect(page.get_by_role("status").filter(has_text=f"第2版已发布，自{today}起施行。")).to_be_visible()
    expect(page.locator(".docno")).to_contain_text("第2版")
    expect(page.get_by_text("您正在查看第2版")).to_have_count(0)  # it is the version in force
    item = page.locator("#item-123001001")
    expect(item).to_contain_text("承诺15个工作日；法律规定60日内发放，12号规范要求45日内；本地承诺15个工作日")
    expect(item.locator("table.materials")).to_contain_text("近期免冠彩色照片")
    page.screenshot(path=str(artifacts / "guide-published-v2.png"))  # the whole guide is 15,000 px tall
    item.screenshot(path=str(artifacts / "guide-published-v2-item.png"))

    # The list and the history agree: version 2 in force, version 1 kept as history.
    open_guide_list(page)
    expect(gulou_row(page).locator("td").nth(1)).to_contain_text("第2版")
    expect(gulou_row(page).locator("td").nth(3)).to_have_text("—")  # no draft left
    gulou_row(page).get_by_role("link", name="版本历史").click()
    expect(page.get_by_role("heading", name="鼓楼分局办事指南版本历史")).to_be_visible()
    v2 = page.locator("tbody tr").filter(has=page.get_by_role("link", name="第2版", exact=True))
    v1 = page.locator("tbody tr").filter(has=page.get_by_role("link", name="第1版", exact=True))
    expect(v2).to_contain_text("施行中")
    expect(v2).to_contain_text(today)
    expect(v2).to_contain_text("居民身份证首次申领承诺时限缩短为15个工作日，增加照片")
    expect(v2).to_contain_text("刘科长")
    expect(v1).to_contain_text("已发布")
    expect(v1).not_to_contain_text("施行中")
    expect(v1).to_contain_text("2020-01-01")
    page.screenshot(path=str(artifacts / "guide-history.png"), full_page=True)

    # The database agrees, and the old version is untouched.
    v2_db = GuideVersion.objects.get(guide=demo_guide.guide, number=2)
    assert v2_db.status == VersionStatus.PUBLISHED and v2_db.effective_date == timezone.localdate()
    new_item = Item.objects.get(version=v2_db, code="123001001")
    assert new_item.promised_days == 15
    assert [m.name for m in new_item.materials.order_by("position")][-1] == "近期免冠彩色照片"
    old_item = Item.objects.get(version=demo_guide, code="123001001")
    assert old_item.promised_days == 20 and old_item.materials.count() == 3


def test_publishing_with_a_bad_date_explains_in_chinese_and_keeps_what_was_typed(
    page, sign_in, people, demo_guide, artifacts
):
    accept_confirms(page)
    sign_in("county", people.password)
    start_draft(page)
    page.get_by_role("link", name="发布本草稿").click()
    note = "调整出生登记材料"

    # An empty date.
    page.get_by_label("生效日期").fill("")
    page.get_by_label("修订说明").fill(note)
    page.get_by_role("button", name="发布").click()
    expect(page.get_by_role("alert").filter(has_text="请修改以下内容后再提交")).to_contain_text(
        "生效日期：此项必填，请填写。")
    expect(page.get_by_label("修订说明")).to_have_value(note)

    # A date in the past.
    today = timezone.localdate()
    past = (today - datetime.timedelta(days=3)).isoformat()
    page.get_by_label("生效日期").fill(past)
    page.get_by_role("button", name="发布").click()
    message = f"生效日期不能早于今天（{today.isoformat()}），已经办理的业务不能改按新版本。请选择今天或以后的日期。"
    expect(page.locator(".field.has-error .error-text")).to_have_text(message)
    expect(page.get_by_label("生效日期")).to_have_value(past)
    expect(page.get_by_label("修订说明")).to_have_value(note)
    expect(page.get_by_role("heading", name="发布鼓楼分局办事指南第2版")).to_be_visible()
    page.screenshot(path=str(artifacts / "guide-publish-past-date.png"), full_page=True)

    assert GuideVersion.objects.get(guide=demo_guide.guide, number=2).status == VersionStatus.DRAFT


def test_an_officer_reads_the_guide_without_any_editing_buttons(page, sign_in, people, demo_guide, artifacts):
    sign_in("officer", people.password)
    open_guide_list(page)
    expect(gulou_row(page)).to_contain_text("第1版")
    expect(page.locator("tbody tr").filter(has_text="台江分局")).to_have_count(0)  # only his own county
    expect(page.get_by_role("link", name="维护指南")).to_have_count(0)
    expect(page.get_by_role("button", name="建立本县办事指南")).to_have_count(0)

    gulou_row(page).get_by_role("link", name="第1版").click()
    expect(page.get_by_role("heading", name="鼓楼分局户籍业务办事指南")).to_be_visible()
    expect(page.locator("#item-123001001")).to_contain_text("承诺20个工作日")
    expect(page.get_by_role("button", name="打印（A4）")).to_be_visible()
    expect(page.get_by_role("link", name="维护指南")).to_have_count(0)
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name=re.compile("修改|发布|添加事项|草稿"))).to_have_count(0)
    expect(main.get_by_role("button")).to_have_count(1)  # only 打印
    page.screenshot(path=str(artifacts / "guide-officer-read-only.png"))

    # Typing the maintenance address does not help.
    response = page.goto("/guide/350102/draft/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="无权访问")).to_be_visible()
    page.goto("/guide/350102/draft/publish/")
    expect(page.get_by_role("heading", name="无权访问")).to_be_visible()
    assert GuideVersion.objects.filter(guide=demo_guide.guide).count() == 1
