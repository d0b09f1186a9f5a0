"""A civilian staff member records a case; an officer decides it and looks at the full ID number."""

import re

from playwright.sync_api import expect

from core.models import AuditEvent
from counter.models import Case, CaseStatus
from tests.factories import valid_id

APPLICANT_ID = valid_id("35010220080515002")  # a 2008-born applicant, so 18 this year
PHONE = "13905911234"




def test_civilian_records_the_case_and_the_officer_accepts_it_and_reveals_the_id(
    page, sign_in, people, demo_guide, artifacts
):
    sign_in("civilian", people.password)
    expect(page.get_by_role("heading", name="窗口受理")).to_be_visible()
    expect(page.locator("main .alert.warn").first).to_contain_text(
        "文职人员、协勤人员不得直接办理户政业务，请由具有执法资格的民警作出决定。")
    expect(page.locator("main .alert.warn").first).to_contain_text("您可以登记办件，由具有执法资格的民警作出受理决定。")
    page.screenshot(path=str(artifacts / "civilian-desk.png"), full_page=True)

    page.get_by_label("事项名称、编码或拼音首字母").fill("身份证首次")
    page.keyboard.press("Enter")
    page.get_by_role("link", name=re.compile("居民身份证首次申领")).click()
    expect(page.get_by_role("heading", name="登记办件：居民身份证首次申领")).to_be_visible()

    # Only the "record for an officer" button is offered.
    actions = page.locator("#case-form .actions")
    expect(actions.get_by_role("button")).to_have_count(1)
    expect(actions.get_by_role("button")).to_have_text("登记（交民警决定）")
    expect(page.get_by_role("button", name="材料齐全，受理")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("出具一次性告知单"))).to_have_count(0)

    page.get_by_label("申请人姓名").fill("陈小华")
    page.get_by_label("公民身份号码").fill(APPLICANT_ID)
    page.get_by_label("联系电话").fill(PHONE)
    materials = page.locator("#materials")
    materials.get_by_label("居民户口簿（原件1份）").check()
    materials.get_by_label("《居民身份证申领登记表》（原件1份）").check()
    page.screenshot(path=str(artifacts / "civilian-new-case.png"), full_page=True)
    page.get_by_role("button", name="登记（交民警决定）").click()

    expect(page.locator("#case-status")).to_have_text("已收件待决定")
    case = Case.objects.get()
    expect(page.get_by_role("status")).to_contain_text(f"办件 {case.number} 已登记，待民警决定。")
    assert case.status == CaseStatus.INTAKE and case.created_by == people.civilian and case.handled_by is None
    # The civilian sees the number masked, cannot unmask it, and has no decision buttons.
    expect(page.locator("#id-number")).to_have_text(APPLICANT_ID[:4] + "*" * 10 + APPLICANT_ID[-4:])
    expect(page.get_by_role("button", name=re.compile("查看完整号码"))).to_have_count(0)
    expect(page.get_by_role("button", name="材料齐全，受理")).to_have_count(0)
    expect(page.get_by_text("文职人员、协勤人员不得直接办理户政业务")).to_be_visible()
    page.screenshot(path=str(artifacts / "civilian-case-recorded.png"), full_page=True)

    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("status")).to_have_text("您已安全退出。")

    # The officer at the same window finds it among the open cases and accepts it.
    sign_in("officer", people.password)
    expect(page.get_by_role("heading", name="窗口受理")).to_be_visible()
    open_row = page.locator(f"table.cases tr[data-case='{case.number}']")
    expect(open_row).to_contain_text("已收件待决定")
    open_row.get_by_role("link", name=case.number).click()
    expect(page.locator("#case-status")).to_have_text("已收件待决定")
    expect(page.locator("dl.kv")).to_contain_text("陈文职")  # recorded by the civilian
    page.get_by_role("button", name="材料齐全，受理").click()

    expect(page.locator("#case-status")).to_have_text("已受理办理中")
    expect(page.get_by_role("status")).to_contain_text(f"办件 {case.number} 已受理")
    expect(page.locator("dl.kv")).to_contain_text("经办民警")
    expect(page.locator("dl.kv")).to_contain_text("王警官")
    expect(page.get_by_role("cell", name="受理回执")).to_be_visible()
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.handled_by == people.officer
    assert case.deadline is not None and case.documents.count() == 1
    page.screenshot(path=str(artifacts / "civilian-officer-accepted.png"), full_page=True)

    # The full ID number, on request, and the request is audited.
    masked = APPLICANT_ID[:4] + "*" * 10 + APPLICANT_ID[-4:]
    expect(page.locator("#id-number")).to_have_text(masked)
    assert not AuditEvent.objects.filter(action="case.personal_data_viewed").exists()
    page.get_by_role("button", name="查看完整号码（将记录审计日志）").click()
    expect(page.locator("#id-number")).to_have_text(APPLICANT_ID)
    expect(page.locator("#phone")).to_have_text(PHONE)
    expect(page.get_by_role("button", name=re.compile("查看完整号码"))).to_have_count(0)
    page.screenshot(path=str(artifacts / "civilian-officer-revealed.png"), full_page=True)
    event = AuditEvent.objects.get(action="case.personal_data_viewed")
    assert event.actor == people.officer and event.data == {"number": case.number}

    # Reloading shows the masked number again.
    page.goto(f"/counter/cases/{case.number}/")
    expect(page.locator("#id-number")).to_have_text(masked)
