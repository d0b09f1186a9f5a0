"""The window counter in a real browser: a case with missing materials, the notice, the return, completion."""

import io
import re
import subprocess

from playwright.sync_api import expect
from pypdf import PdfReader

from counter.models import Case, CaseStatus
from tests.factories import valid_id


def test_officer_takes_a_case_with_missing_materials_prints_the_notice_and_completes_it_on_return(
    page, sign_in, people, demo_guide, artifacts
):
    sign_in("officer", people.password)
    expect(page.get_by_role("heading", name="窗口受理")).to_be_visible()

    # Find the item by its pinyin initials, as an officer at a busy counter would.
    page.get_by_label("事项名称、编码或拼音首字母").fill("jmsfzscsl")
    page.keyboard.press("Enter")
    page.get_by_role("link", name=re.compile("居民身份证首次申领")).click()

    page.get_by_label("申请人姓名").fill("陈阿婆")
    page.get_by_label("公民身份号码").fill(valid_id())
    page.get_by_label("联系电话").fill("13905910000")
    page.get_by_label("居民户口簿（原件1份）").check()
    page.get_by_role("button", name="材料不全，出具一次性告知单").click()

    # Straight to the printable notice, and its PDF with the Chinese material names in it.
    expect(page.get_by_text("提醒申请人使用评价器评价")).to_be_visible()
    expect(page.get_by_text("《居民身份证申领登记表》").first).to_be_visible()
    case = Case.objects.get()
    assert case.status == CaseStatus.NOTICE
    page.screenshot(path=str(artifacts / "counter-notice.png"), full_page=True)
    pdf_url = page.get_by_role("link", name="下载PDF").get_attribute("href")
    pdf = page.request.get(pdf_url)
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "《居民身份证申领登记表》" in text and "补充材料告知单" in text

    # The applicant comes back with what the notice listed; the case is accepted, then completed.
    page.get_by_role("link", name="返回办件").click()
    page.locator("#decide-materials").get_by_label(re.compile("《居民身份证申领登记表》")).check()
    page.get_by_role("button", name="材料齐全，受理").click()
    expect(page.locator("#case-status")).to_have_text(re.compile("已受理"))
    page.once("dialog", lambda dialog: dialog.accept())  # 办结 asks for confirmation
    page.get_by_role("button", name="办结").click()
    expect(page.locator("#case-status")).to_have_text(re.compile("已办结"))
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED
    assert case.documents.count() == 2


def test_bad_id_number_is_explained_and_the_form_keeps_what_was_typed(page, sign_in, people, demo_guide):
    sign_in("officer", people.password)
    page.get_by_label("事项名称、编码或拼音首字母").fill("死亡")
    page.keyboard.press("Enter")
    page.get_by_role("link", name=re.compile("死亡注销")).click()
    page.get_by_label("申请人姓名").fill("林大爷")
    page.get_by_label("公民身份号码").fill("35010219900307123")
    page.get_by_label("联系电话").fill("13905910000")
    page.get_by_role("button", name="材料不全，出具一次性告知单").click()

    expect(page.get_by_text("公民身份号码应为18位").first).to_be_visible()
    expect(page.get_by_label("申请人姓名")).to_have_value("林大爷")
    expect(page.get_by_label("联系电话")).to_have_value("13905910000")
    assert Case.objects.count() == 0


def test_a_scanner_that_sends_enter_after_the_id_number_does_not_decide_the_case(page, sign_in, people, demo_guide):
    sign_in("officer", people.password)
    page.goto("/counter/?q=死亡")
    page.get_by_role("link", name=re.compile("死亡注销")).click()
    page.get_by_label("申请人姓名").fill("王阿公")
    id_box = page.get_by_label("公民身份号码")
    id_box.fill(valid_id())
    id_box.press("Enter")  # what a scanner sends after the number

    expect(page.get_by_label("联系电话")).to_be_focused()
    assert not Case.objects.exists()

    # A wrong number, sent with the button: the page comes back with the focus on the field to correct.
    id_box.fill("350102199003071235")
    page.get_by_label("联系电话").fill("13905910000")
    page.get_by_role("button", name="仅登记").click()
    expect(page.get_by_label("公民身份号码")).to_be_focused()
    assert not Case.objects.exists()


def test_completing_asks_for_confirmation_and_a_no_keeps_the_case_open(page, sign_in, people, demo_guide):
    from counter import services

    item = demo_guide.items.get(name="居民身份证首次申领")
    case = services.case_open(actor=people.officer, window=people.officer.unit, item=item,
                              applicant=services.Applicant("陈阿婆", valid_id(), "13905910000"),
                              material_ids=[m.pk for m in services.required_materials(item, [])])
    services.case_accept(case=case, actor=people.officer)
    sign_in("officer", people.password)
    page.goto(f"/counter/cases/{case.number}/")

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="办结").click()

    expect(page.locator("#case-status")).to_have_text(re.compile("已受理"))
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED


def test_a_one_material_notice_and_its_receipt_print_on_one_a4_page_each(page, sign_in, people, demo_guide, artifacts):
    from counter import services

    item = demo_guide.items.get(name="居民身份证首次申领")
    required = services.required_materials(item, [])
    case = services.case_open(actor=people.officer, window=people.officer.unit, item=item,
                              applicant=services.Applicant("陈阿婆", valid_id(), "13905910000"),
                              material_ids=[m.pk for m in required[1:]])
    notice = services.case_notify(case=case, actor=people.officer)
    assert len(notice.snapshot["materials_missing"]) == 1
    services.case_accept(case=case, actor=people.officer, material_ids=[required[0].pk])
    receipt = case.documents.get(kind="receipt")
    sign_in("officer", people.password)

    for document in (notice, receipt):
        page.goto(f"/counter/documents/{document.public_id}/")
        page.emulate_media(media="print")
        printed = page.pdf(format="A4", prefer_css_page_size=True)
        (artifacts / f"print-{document.kind}.pdf").write_bytes(printed)
        assert len(PdfReader(io.BytesIO(printed)).pages) == 1, document.kind


def test_the_barcode_printed_on_a_notice_opens_its_case_when_scanned_at_the_desk(
    page, sign_in, people, demo_guide, tmp_path
):
    from counter import services

    item = demo_guide.items.get(name="居民身份证首次申领")
    case = services.case_open(actor=people.officer, window=people.officer.unit, item=item,
                              applicant=services.Applicant("陈阿婆", valid_id(), "13905910000"), material_ids=[])
    notice = services.case_notify(case=case, actor=people.officer)
    sign_in("officer", people.password)

    # What the scanner reads off the printed notice...
    page.goto(f"/counter/documents/{notice.public_id}/")
    page.emulate_media(media="print")
    (tmp_path / "notice.pdf").write_bytes(page.pdf(format="A4", prefer_css_page_size=True))
    page.emulate_media(media="screen")
    subprocess.run(["pdftoppm", "-png", "-r", "300", str(tmp_path / "notice.pdf"), str(tmp_path / "sheet")], check=True)
    found = subprocess.run(["zbarimg", "-q", *map(str, tmp_path.glob("sheet*.png"))],
                           capture_output=True, text=True).stdout.split()
    read = next(line.removeprefix("CODE-128:") for line in found if line.startswith("CODE-128:"))
    assert read == case.number

    # ...it types into the desk's search box, with Enter: the case opens.
    page.goto("/counter/")
    page.get_by_label("扫描文书上的条码，或输入业务编号、文书编号、身份证号").press_sequentially(read)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"/counter/cases/{case.number}/$"))
    expect(page.get_by_role("heading", name=re.compile("居民身份证首次申领"))).to_be_visible()
    expect(page.locator("main")).to_contain_text("陈阿婆")
