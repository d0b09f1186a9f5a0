"""The evaluator in a real browser: the officer decides, the window's tablet asks the applicant to rate."""

import datetime
import json
import re
import time

import pytest
from playwright.sync_api import expect

from core.live import hub, listener
from counter import services as counter
from evaluations import services
from evaluations.models import FollowUp, Rating
from tests.factories import valid_id

DEATH_MATERIALS = ("死者居民户口簿", "死者居民身份证", "申报人居民身份证")


@pytest.fixture(autouse=True)
def one_process(settings, monkeypatch):
    """The live server is one process: its in-process hub wakes the tablet, no PostgreSQL listener is needed
    (one would hold a connection that keeps the test database from being dropped). Long polls are short,
    so nothing of a test still waits in the live server when the next one starts."""
    settings.DEVICE_WAIT_SECONDS = 3
    monkeypatch.setattr(listener, "ensure_started", lambda: False)
    yield
    listener.stop()


def paired_context(browser, live_server, city, people, **options):
    """A browser context whose storage already holds the token of a tablet just paired with window 1."""
    paired = services.device_pair(code=services.pairing_code_create(window=city.w1, actor=people.head),
                                  name="1号窗口评价器")
    context = browser.new_context(locale="zh-CN", base_url=live_server.url, **options)
    context.add_init_script(f"window.localStorage.setItem('bw.device.token', {json.dumps(paired.token)});")
    return context


@pytest.fixture
def tablet(browser, live_server, city, people):
    """The evaluator of window 1: paired beforehand, its token already in the tablet's localStorage."""
    context = paired_context(browser, live_server, city, people, timezone_id="Asia/Shanghai",
                             viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/evaluations/device/")
    yield page
    context.close()
    # The tablet's last long poll still sleeps in the live server; end it while the test's data is there.
    hub.wake_all()
    time.sleep(0.3)


def test_a_completed_case_appears_on_the_tablet_and_a_bad_rating_opens_a_follow_up(
    page, sign_in, people, demo_guide, tablet, artifacts
):
    expect(tablet.get_by_role("heading", name="东街派出所1号窗口")).to_be_visible()
    expect(tablet.get_by_text("王警官")).to_be_visible()
    expect(tablet.get_by_text("0591-80000119")).to_be_visible()  # the guide's complaint phone
    tablet.screenshot(path=str(artifacts / "evaluator-idle.png"))

    # The officer completes a death registration on the spot, with every material.
    sign_in("officer", people.password)
    page.get_by_label("事项名称、编码或拼音首字母").fill("死亡注销")
    page.keyboard.press("Enter")
    page.get_by_role("link", name=re.compile("死亡注销")).click()
    page.get_by_label("申请人姓名").fill("林大爷")
    page.get_by_label("公民身份号码").fill(valid_id())
    page.get_by_label("联系电话").fill("13905910000")
    for name in DEATH_MATERIALS:
        page.locator("#materials").get_by_label(re.compile(name)).check()
    page.get_by_role("button", name="材料齐全，受理").click()
    decided = time.monotonic()
    expect(page.locator("#case-status")).to_have_text(re.compile("已办结"))
    expect(page.get_by_text("提醒申请人使用评价器评价")).to_be_visible()

    # Within two seconds the tablet asks the applicant to rate this case.
    expect(tablet.get_by_role("heading", name="请您对本次服务进行评价")).to_be_visible(timeout=2_000)
    assert time.monotonic() - decided < 2.5
    expect(tablet.get_by_text("死亡注销")).to_be_visible()
    levels = tablet.locator("#levels")
    for label in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
        expect(levels.get_by_role("button", name=label, exact=True)).to_be_visible()

    # 不满意 needs a reason: the applicant is told so, picks one, and submits.
    levels.get_by_role("button", name="不满意", exact=True).click()
    tablet.wait_for_timeout(500)  # the reasons scroll into view
    tablet.screenshot(path=str(artifacts / "evaluator-bad-level.png"))
    expect(tablet.get_by_role("button", name="服务态度：不满意")).to_have_attribute("aria-pressed", "true")
    tablet.get_by_role("button", name="服务效率：基本满意").click()
    tablet.get_by_role("button", name="提交评价").click()
    expect(tablet.get_by_text("请至少选择一项不满意的原因。")).to_be_visible()
    tablet.get_by_label("服务态度差").check()
    tablet.get_by_label("意见建议（可不填）").fill("说话不耐烦")
    tablet.screenshot(path=str(artifacts / "evaluator-rating.png"))
    tablet.get_by_role("button", name="提交评价").click()
    expect(tablet.get_by_role("heading", name="感谢您的评价！")).to_be_visible()

    rating = Rating.objects.get()
    assert (rating.level, rating.efficiency, rating.attitude, rating.reasons, rating.comment, rating.channel) == (
        2, 3, 2, ["attitude"], "说话不耐烦", "device")
    assert rating.officer == people.officer
    assert FollowUp.objects.filter(rating=rating).exists()
    # Then back to the idle screen, with the officer who just served.
    expect(tablet.get_by_role("heading", name="东街派出所1号窗口")).to_be_visible(timeout=10_000)

    # The station head sees the follow-up, records the call-back, the verification and the fix.
    page.get_by_role("button", name="退出").click()
    sign_in("head", people.password)
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="差评回访").click()
    follow_up = FollowUp.objects.get(rating=rating)
    row = page.locator(f"tr[data-follow-up='{follow_up.pk}']")
    expect(row).to_contain_text("服务态度差")
    row.get_by_role("link", name=rating.case.number).click()
    page.get_by_label("回访记录").fill("电话联系申请人，反映窗口民警说话不耐烦")
    page.get_by_role("button", name="记录回访").click()
    page.get_by_label("属实", exact=True).check()
    page.get_by_label("核实情况").fill("调取窗口录音录像，情况属实")
    page.get_by_role("button", name="记录核实结论").click()
    page.get_by_label("整改情况").fill("已对民警批评教育，并向申请人电话致歉")
    page.get_by_role("button", name="记录整改并办结").click()
    expect(page.locator("#follow-up-status")).to_contain_text("已办结")
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.verdict, follow_up.handled_by) == ("closed", "true", people.head)


def test_a_rating_made_while_the_network_is_down_is_kept_and_delivered_later(
    people, city, demo_guide, tablet
):
    expect(tablet.get_by_role("heading", name="东街派出所1号窗口")).to_be_visible()
    item = demo_guide.items.get(name="死亡注销")
    materials = [m.pk for m in item.materials.all() if m.name in DEATH_MATERIALS]
    case = counter.case_open(actor=people.officer, window=city.w1, item=item,
                             applicant=counter.Applicant("林大爷", valid_id(), "13905910000"), material_ids=materials)
    counter.case_accept(case=case, actor=people.officer)
    expect(tablet.get_by_role("heading", name="请您对本次服务进行评价")).to_be_visible(timeout=3_000)

    tablet.context.set_offline(True)
    tablet.locator("#levels").get_by_role("button", name="非常满意", exact=True).click()
    tablet.get_by_role("button", name="提交评价").click()
    expect(tablet.get_by_role("heading", name="感谢您的评价！")).to_be_visible()
    expect(tablet.get_by_text("网络中断，评价已保存在本机，恢复后自动提交")).to_be_visible()
    assert "idempotency_key" in tablet.evaluate("window.localStorage.getItem('bw.device.outbox')")
    assert not Rating.objects.exists()

    tablet.context.set_offline(False)
    expect(tablet.get_by_text("网络中断，评价已保存在本机，恢复后自动提交")).to_be_hidden(timeout=10_000)
    rating = Rating.objects.get()
    assert (rating.case, rating.level, rating.channel) == (case, 5, "device")
    assert tablet.evaluate("window.localStorage.getItem('bw.device.outbox')") is None


def test_the_tablet_pairs_with_a_code_typed_in(browser, live_server, city, people):
    code = services.pairing_code_create(window=city.w2, actor=people.head)
    context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    tablet = context.new_page()
    try:
        tablet.goto("/evaluations/device/")
        tablet.get_by_label("配对码（8位）").fill("WRONG123")
        tablet.get_by_role("button", name="配对").click()
        expect(tablet.get_by_text("配对码无效或已过期，请所长重新生成配对码。")).to_be_visible()

        tablet.get_by_label("配对码（8位）").fill(code.lower())
        tablet.get_by_label("设备名称").fill("2号窗口平板")
        tablet.get_by_role("button", name="配对").click()
        expect(tablet.get_by_role("heading", name="东街派出所2号窗口")).to_be_visible()
        assert tablet.evaluate("window.localStorage.getItem('bw.device.token')")
        assert city.w2.devices.get().name == "2号窗口平板"
    finally:
        context.close()


# --- issue 7: whose case the tablet shows, and ratings the server refuses --------------------------------


def decide(people, city, demo_guide):
    """A death deregistration completed on the spot at window 1: a rating invitation."""
    item = demo_guide.items.get(name="死亡注销")
    materials = [m.pk for m in item.materials.all() if m.name in DEATH_MATERIALS]
    case = counter.case_open(actor=people.officer, window=city.w1, item=item,
                             applicant=counter.Applicant("林大爷", valid_id(), "13905910000"), material_ids=materials)
    counter.case_accept(case=case, actor=people.officer)
    return case


def serial(case) -> str:
    """What the tablet shows of the case number: its year and serial."""
    return "-".join(case.number.split("-")[-2:])


def test_a_tablet_paired_after_a_case_was_decided_shows_idle_not_that_case(browser, live_server, city, people,
                                                                           demo_guide):
    from core import clock

    with clock.at(clock.now() - datetime.timedelta(minutes=20)):  # nobody's tablet was online then
        earlier = decide(people, city, demo_guide)
    context = paired_context(browser, live_server, city, people, timezone_id="Asia/Shanghai")
    tablet = context.new_page()
    try:
        with tablet.expect_response(lambda r: "/api/devices/next" in r.url, timeout=15_000) as first_poll:
            tablet.goto("/evaluations/device/")
        assert first_poll.value.status == 204  # the server offered nothing
        expect(tablet.get_by_role("heading", name="东街派出所1号窗口")).to_be_visible()
        expect(tablet.get_by_role("heading", name="请您对本次服务进行评价")).to_be_hidden()
        assert earlier.invites.get().shown_at is None
    finally:
        context.close()
        hub.wake_all()
        time.sleep(0.3)


def test_a_newer_decision_waits_behind_the_screen_being_filled_in(people, city, demo_guide, tablet):
    first = decide(people, city, demo_guide)
    case_number = tablet.locator('[data-field="case-number"]').first
    expect(case_number).to_contain_text(serial(first), timeout=5_000)
    tablet.locator("#levels").get_by_role("button", name="满意", exact=True).click()  # the applicant has begun

    second = decide(people, city, demo_guide)
    tablet.wait_for_function("() => (localStorage.getItem('bw.device.screen') || '').indexOf('pending') >= 0 "
                             "&& JSON.parse(localStorage.getItem('bw.device.screen')).pending !== null",
                             timeout=5_000)
    expect(case_number).to_contain_text(serial(first))  # not replaced
    expect(tablet.locator("#levels").get_by_role("button", name="满意", exact=True)).to_have_attribute(
        "aria-pressed", "true")

    tablet.get_by_role("button", name="提交评价").click()
    expect(tablet.get_by_role("heading", name="感谢您的评价！")).to_be_visible()
    # After the thanks, the next applicant's screen.
    expect(case_number).to_contain_text(serial(second), timeout=10_000)
    expect(tablet.get_by_role("heading", name="请您对本次服务进行评价")).to_be_visible()
    assert Rating.objects.get().case == first


def test_a_reload_during_an_unrated_screen_brings_it_back(people, city, demo_guide, tablet):
    case = decide(people, city, demo_guide)
    expect(tablet.locator('[data-field="case-number"]').first).to_contain_text(serial(case), timeout=5_000)

    tablet.reload()

    expect(tablet.get_by_role("heading", name="请您对本次服务进行评价")).to_be_visible()
    expect(tablet.locator('[data-field="case-number"]').first).to_contain_text(serial(case))
    tablet.locator("#levels").get_by_role("button", name="非常满意", exact=True).click()
    tablet.get_by_role("button", name="提交评价").click()
    expect(tablet.get_by_role("heading", name="感谢您的评价！")).to_be_visible()
    tablet.reload()
    expect(tablet.get_by_role("heading", name="东街派出所1号窗口")).to_be_visible()  # a rated screen stays gone
    assert Rating.objects.get().case == case


def two_ratings_waiting(people, city, demo_guide, tablet):
    """Rate two cases while the ratings cannot reach the server: both wait in the tablet's outbox."""
    tablet.route("**/api/devices/ratings", lambda route: route.abort())
    cases = []
    for level in ("非常满意", "满意"):
        case = decide(people, city, demo_guide)
        cases.append(case)
        expect(tablet.locator('[data-field="case-number"]').first).to_contain_text(serial(case), timeout=5_000)
        tablet.locator("#levels").get_by_role("button", name=level, exact=True).click()
        tablet.get_by_role("button", name="提交评价").click()
        expect(tablet.get_by_role("heading", name="感谢您的评价！")).to_be_visible()
    outbox = json.loads(tablet.evaluate("window.localStorage.getItem('bw.device.outbox')"))
    assert [item["invite_id"] for item in outbox] == [c.invites.get().pk for c in cases]
    tablet.unroute("**/api/devices/ratings")
    return cases


def test_a_rating_the_server_refuses_is_dropped_and_said_so_and_the_next_goes_through(
    people, city, demo_guide, tablet
):
    refused, delivered = two_ratings_waiting(people, city, demo_guide, tablet)
    answered = []

    def once_400(route):
        if not answered:
            answered.append(route.request.post_data_json["invite_id"])
            route.fulfill(status=400, content_type="application/json", body=json.dumps(
                {"error": {"code": "bad_field", "message": "comment 中有无法保存的字符。", "field": "comment"}}))
        else:
            route.continue_()

    tablet.route("**/api/devices/ratings", once_400)
    tablet.evaluate("window.dispatchEvent(new Event('online'))")

    notice = tablet.locator("#notice")
    expect(notice).to_be_visible(timeout=10_000)
    expect(notice).to_contain_text("有一条评价未被服务器接受，已从本机删除")
    expect(notice).to_contain_text("无法保存的字符")
    tablet.wait_for_function("() => localStorage.getItem('bw.device.outbox') === null", timeout=10_000)
    assert answered == [refused.invites.get().pk]
    assert [r.case for r in Rating.objects.all()] == [delivered]
    expect(notice).to_be_hidden(timeout=12_000)  # briefly


def test_a_rating_the_server_fails_on_does_not_hold_back_the_next(people, city, demo_guide, tablet):
    failing, delivered = two_ratings_waiting(people, city, demo_guide, tablet)
    failing_invite = failing.invites.get().pk

    def fail_the_first(route):
        if route.request.post_data_json["invite_id"] == failing_invite:
            route.fulfill(status=500, content_type="text/html", body="<h1>Server Error</h1>")
        else:
            route.continue_()

    tablet.route("**/api/devices/ratings", fail_the_first)
    tablet.evaluate("window.dispatchEvent(new Event('online'))")

    # The route handlers run while Playwright waits, so wait in the page (not with time.sleep).
    tablet.wait_for_function("() => JSON.parse(localStorage.getItem('bw.device.outbox') || '[]').length === 1",
                             timeout=10_000)
    assert [r.case for r in Rating.objects.all()] == [delivered]
    outbox = json.loads(tablet.evaluate("window.localStorage.getItem('bw.device.outbox')"))
    assert [item["invite_id"] for item in outbox] == [failing_invite]  # kept, to be sent again


# What sticks out on the visible screen: the page wider than the window, a button's stars or label outside the
# button, a button or a line of text beyond the right edge, type under 24px, a name broken into single characters.
OVERFLOW_JS = """() => {
  const out = [], width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width + 1) {
    out.push('page ' + document.documentElement.scrollWidth + 'px wide in ' + width);
  }
  const screen = document.querySelector('.screen:not([hidden])');
  for (const button of screen.querySelectorAll('button')) {
    const b = button.getBoundingClientRect();
    if (!b.width) continue;
    const name = button.getAttribute('aria-label') || button.textContent.trim();
    if (b.left < -1 || b.right > width + 1) out.push(name + ': button beyond the edge');
    for (const part of button.querySelectorAll('span')) {
      const p = part.getBoundingClientRect();
      if (p.left < b.left - 1 || p.right > b.right + 1) out.push(name + ': ' + part.className + ' outside its button');
    }
  }
  for (const text of screen.querySelectorAll('h1, p, button, label, legend')) {
    const r = text.getBoundingClientRect(), size = parseFloat(getComputedStyle(text).fontSize);
    const words = text.textContent.trim();
    if (!r.width) continue;
    if (r.right > width + 1) out.push(words + ': cut off at the edge');
    if (size < 24) out.push(words + ': type of ' + size + 'px');
    if (text.matches('.name') && Math.round(r.height / (size * 1.45)) > 2) out.push(words + ': broken into lines');
  }
  return out;
}"""


@pytest.mark.parametrize("width,height", [(390, 844), (600, 960), (820, 1180)])
def test_on_a_small_tablet_or_a_phone_nothing_sticks_out_and_a_tap_lands_on_the_level_tapped(
        people, city, demo_guide, tablet, artifacts, width, height):
    tablet.set_viewport_size({"width": width, "height": height})
    expect(tablet.get_by_role("heading", name="东街派出所1号窗口")).to_be_visible()
    expect(tablet.get_by_text("王警官")).to_be_visible()
    tablet.screenshot(path=str(artifacts / f"evaluator-idle-{width}.png"))
    assert tablet.evaluate(OVERFLOW_JS) == []

    decide(people, city, demo_guide)
    expect(tablet.get_by_role("heading", name="请您对本次服务进行评价")).to_be_visible(timeout=5_000)
    assert tablet.evaluate(OVERFLOW_JS) == []
    levels = tablet.locator("#levels")
    for label in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
        button = levels.get_by_role("button", name=label, exact=True)
        box = button.bounding_box()
        # A finger near the top right corner of the button, where the next one's stars used to spill over (the
        # click fails if anything else would take the tap there).
        button.click(position={"x": box["width"] - 6, "y": 6}, timeout=3_000)
        expect(button).to_have_attribute("aria-pressed", "true")
        expect(levels.locator('[aria-pressed="true"]')).to_have_count(1)
    tablet.screenshot(path=str(artifacts / f"evaluator-rating-{width}.png"), full_page=True)
    assert tablet.evaluate(OVERFLOW_JS) == []  # with the reasons of 非常不满意 open
    tablet.get_by_label("服务态度差").check()
    submit = tablet.get_by_role("button", name="提交评价")
    expect(submit).to_be_in_viewport(ratio=1)
    submit.click()
    expect(tablet.get_by_role("heading", name="感谢您的评价！")).to_be_visible()
    assert Rating.objects.get().level == 1


def test_the_idle_clock_shows_beijing_time_on_a_tablet_set_to_another_time_zone(browser, live_server, city, people):
    def beijing_hours() -> set[str]:
        beijing = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8)))
        return {beijing.strftime("%H"), (beijing - datetime.timedelta(minutes=1)).strftime("%H")}

    context = paired_context(browser, live_server, city, people, timezone_id="UTC")
    tablet = context.new_page()
    try:
        # The server has not answered yet (here: cannot be reached): no clock rather than the tablet's UTC time.
        tablet.route("**/api/devices/me", lambda route: route.abort())
        tablet.goto("/evaluations/device/")
        tablet.wait_for_timeout(1_500)
        assert tablet.locator("#clock").text_content() == "--:--"
        tablet.evaluate("window.localStorage.setItem('bw.device.zone', '+8:00 abc')")  # a zone kept damaged
        tablet.reload()
        tablet.wait_for_timeout(1_500)
        assert tablet.locator("#clock").text_content() == "--:--"

        tablet.unroute("**/api/devices/me")
        tablet.reload()
        expect(tablet.get_by_role("heading", name="东街派出所1号窗口")).to_be_visible()
        expect(tablet.locator("#clock")).not_to_have_text("--:--")
        shown = tablet.locator("#clock").inner_text()
        assert shown[:2] in beijing_hours(), shown
        beijing = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8)))
        expect(tablet.locator("#date")).to_contain_text(f"{beijing.month}月{beijing.day}日")

        # Restarted while the network is down: the zone the server gave last time is kept on the tablet.
        tablet.route("**/api/devices/me", lambda route: route.abort())
        tablet.reload()
        tablet.wait_for_timeout(1_500)
        assert tablet.locator("#clock").text_content()[:2] in beijing_hours()
    finally:
        context.close()
        hub.wake_all()
        time.sleep(0.3)
