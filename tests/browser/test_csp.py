"""The strict Content-Security-Policy breaks nothing a person uses: Chromium reports no blocked script, style or
request on the pages of each role, the public rating page, the tablet and the API's documentation."""

import re

from playwright.sync_api import expect

from counter import services
from tests.factories import valid_id
from tests.fixtures.cases import rating_token


def watch(page, refused: list[str]) -> None:
    """Collect in `refused` what the browser blocked because of the policy (Chromium says so on the console)."""
    page.on("console", lambda msg: refused.append(f"{page.url}: {msg.text}")
            if "Content Security Policy" in msg.text else None)


def test_no_page_of_the_counter_the_lists_or_the_public_trips_the_policy(page, sign_in, people, demo_guide, browser,
                                                                        live_server):
    item = demo_guide.items.get(name="居民身份证首次申领")
    case = services.case_open(actor=people.officer, window=people.officer.unit, item=item,
                              applicant=services.Applicant("陈阿婆", valid_id(), "13905910000"))
    notice = services.case_notify(case=case, actor=people.officer)
    refused: list[str] = []
    watch(page, refused)

    sign_in("officer", people.password)
    for url in ("/counter/", f"/counter/cases/{case.number}/", f"/counter/documents/{notice.public_id}/",
                "/counter/cases/", "/calendar/", "/evaluations/device/", "/audit/"):
        page.goto(url)
        page.wait_for_load_state("networkidle")
    # The language switch (a select that sends itself) still works without its inline handler.
    page.goto("/counter/")
    page.get_by_label("Language").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", re.compile("^en"))
    page.get_by_label("Language").select_option("zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", re.compile("^zh"))

    page.goto("/api/docs")
    expect(page.locator(".swagger-ui .info")).to_be_visible()
    expect(page.locator(".bw-intro h1")).to_have_css("font-size", "22.4px")  # api-docs.css applied

    public = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    applicant = public.new_page()
    watch(applicant, refused)
    try:
        applicant.goto(f"{live_server.url}/r/{rating_token(case)}")
        expect(applicant.get_by_role("heading", name="评价本次服务")).to_be_visible()
        # public.css applied: the submit button spans the phone's width.
        box = applicant.get_by_role("button", name=re.compile("提交")).first.bounding_box()
        assert box is not None and box["width"] > 300
        applicant.goto(f"{live_server.url}/no-such-page/")
        expect(applicant.locator("header.pub")).to_be_visible()
    finally:
        public.close()

    assert refused == []
