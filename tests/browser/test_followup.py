"""The bad-review loop in a real browser: the station head calls back, verifies and records the fix."""

import re

from playwright.sync_api import expect

from counter import services as counter_services
from evaluations import services
from evaluations.models import FollowUpStatus, Invite, Level


def bad_review(people, open_case, guide, reason: str, comment: str):
    """An on-the-spot case completed at window 1 and rated 不满意 by QR: its follow-up is open."""
    item = guide.death
    case = open_case(item, *[m.name for m in item.materials.all()])
    counter_services.case_accept(case=case, actor=people.officer)
    level = Level.DISSATISFIED
    return services.rating_submit(
        invite=Invite.objects.get(case=case),
        data=services.RatingInput(level, level, level, level, (reason,), "", comment),
        channel="qr",
    )


def test_station_head_calls_back_verifies_and_closes_a_bad_review(page, sign_in, people, open_case, guide,  # noqa: F811
                                                                  artifacts):
    rating = bad_review(people, open_case, guide, "slow", "等了一个小时才叫号")
    case, follow_up = rating.case, rating.follow_up

    sign_in("head", people.password)
    page.goto("/evaluations/follow-ups/")
    row = page.locator(f"tr[data-follow-up='{follow_up.pk}']")
    expect(row).to_contain_text("办理慢、等待时间长")
    expect(row).to_contain_text("待回访")
    expect(row).to_contain_text(follow_up.deadline.strftime("%Y-%m-%d"))
    row.get_by_role("link", name=case.number).click()

    expect(page.get_by_role("heading", name=re.compile("差评回访整改"))).to_be_visible()
    expect(page.get_by_text("等了一个小时才叫号")).to_be_visible()
    # The call-back time is filled in with now; the head only writes what was said.
    page.get_by_label("回访记录").fill("电话联系申请人张小明，反映周一上午等候时间过长")
    page.get_by_role("button", name="记录回访").click()
    expect(page.locator("#follow-up-status")).to_contain_text("已回访待核实")

    page.get_by_label("部分属实", exact=True).check()
    page.get_by_label("核实情况").fill("查叫号记录，当日上午只开一个窗口，等候约50分钟")
    page.get_by_role("button", name="记录核实结论").click()
    expect(page.locator("#follow-up-status")).to_contain_text("已核实待整改")

    page.get_by_label("整改情况").fill("周一上午增开2号窗口，已电话告知申请人")
    page.get_by_role("button", name="记录整改并办结").click()
    expect(page.locator("#follow-up-status")).to_contain_text("已办结")
    expect(page.get_by_text("周一上午增开2号窗口，已电话告知申请人")).to_be_visible()
    page.screenshot(path=str(artifacts / "followup-closed.png"), full_page=True)

    page.get_by_role("link", name="← 差评回访整改").click()
    expect(page.locator(f"tr[data-follow-up='{follow_up.pk}']")).to_contain_text("已办结")
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.CLOSED
    assert follow_up.verdict == "partly" and follow_up.handled_by == people.head


def test_station_head_reveals_the_applicants_phone_to_call_them_back(page, sign_in, people, open_case, guide,  # noqa: F811
                                                                    artifacts):
    from core.models import AuditEvent

    rating = bad_review(people, open_case, guide, "attitude", "民警说话不耐烦")

    sign_in("head", people.password)
    page.goto(f"/evaluations/follow-ups/{rating.follow_up.pk}/")
    phone = page.locator("#applicant-phone")
    expect(phone).to_have_text(re.compile(r"138\*{4}8000"))
    expect(phone).not_to_contain_text("13800138000")

    page.get_by_role("button", name="显示电话").click()

    expect(phone).to_contain_text("13800138000")
    expect(page.get_by_role("button", name="显示电话")).to_have_count(0)
    page.screenshot(path=str(artifacts / "followup-phone-revealed.png"), full_page=True)
    assert AuditEvent.objects.filter(action="follow_up.phone_viewed", actor=people.head).count() == 1
    # The head can go on with the call-back on the same page.
    expect(page.get_by_role("button", name="记录回访")).to_be_visible()
