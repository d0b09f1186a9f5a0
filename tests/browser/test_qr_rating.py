"""An applicant scans the QR code printed on the notice with a phone and rates the service, for real."""

import re
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from counter import services
from evaluations.models import Channel, Rating
from tests.factories import valid_id

ZBARIMG = shutil.which("zbarimg")


@pytest.mark.skipif(ZBARIMG is None, reason="zbarimg (zbar-tools) reads the printed code back; CI installs it")
def test_a_phone_scans_the_printed_code_and_the_rating_is_stored(page, browser, live_server, sign_in, people,
                                                                  demo_guide, settings, artifacts):
    settings.PUBLIC_BASE_URL = live_server.url  # what production sets to its public address
    item = demo_guide.items.get(name="居民身份证首次申领")
    case = services.case_open(actor=people.officer, window=people.officer.unit, item=item,
                              applicant=services.Applicant("陈阿婆", valid_id(), "13905910000"))
    notice = services.case_notify(case=case, actor=people.officer)

    # The officer prints the notice; the QR code on the paper is read back as a phone camera would.
    sign_in("officer", people.password)
    page.goto(f"/counter/documents/{notice.public_id}/")
    shot = artifacts / "qr-notice.png"
    page.locator(".doc-rating-qr svg").screenshot(path=str(shot))
    scanned = subprocess.run([ZBARIMG, "--quiet", "--raw", str(shot)], capture_output=True, text=True, timeout=30)
    link = scanned.stdout.strip()
    assert link.startswith(f"{live_server.url}/r/"), scanned

    # The applicant's own phone: no staff session, 390 x 844.
    phone = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844},
                                is_mobile=True, has_touch=True)
    applicant = phone.new_page()
    try:
        applicant.goto(link)
        expect(applicant.get_by_role("heading", name="评价本次服务")).to_be_visible()
        form = applicant.locator("#stage-notice")
        for legend in ("总体评价", "服务效率", "服务水平", "服务态度"):
            form.get_by_role("group", name=re.compile(legend)).get_by_text("满意", exact=True).click()
        form.get_by_role("button", name=re.compile("提交")).click()
        expect(applicant.get_by_text(re.compile("感谢您的评价"))).to_be_visible()
        applicant.screenshot(path=str(artifacts / "qr-rated-phone.png"), full_page=True)
    finally:
        phone.close()

    rating = Rating.objects.get(case=case)
    assert (rating.channel, rating.level, rating.stage) == (Channel.QR, 4, "notice")
