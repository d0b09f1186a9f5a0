"""Issued documents print the same from their frozen snapshot, as PDF (Chinese font embedded) and HTML."""

import io
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from pypdf import PdfReader

from core.errors import DomainError
from counter import documents_pdf, qr
from counter.barcode import barcode_svg
from counter.documents_pdf import PdfFontMissing, render_pdf
from tests.fixtures.cases import rating_token

requires_font = pytest.mark.skipif(
    not any(os.path.isfile(p) for p in documents_pdf.DEFAULT_FONT_PATHS),
    reason="no Chinese TrueType font installed (apt-get install fonts-wqy-microhei)",
)


RATING_URL = "https://window.example.gov.cn/r/AbCdEfGh12_-"


def common(kind: str, title: str, number: str) -> dict:
    return {
        "kind": kind,
        "title": title,
        "number": number,
        "issuer": "福州市公安局鼓楼分局东街派出所",
        "issued_at": "2026-11-27 10:05",
        "case_number": "BW350102001-20261127-0007",
        "applicant": {"name": "张三", "id_number": "3501********1234", "phone": "138****5678"},
        "item": {
            "code": "122001001",
            "name": "出生登记",
            "legal_basis": "《中华人民共和国户口登记条例》第七条；《福建省户籍管理规定》第十二条",
            "time_limit": "承诺10个工作日（法定20个工作日）",
            "fee": "免费",
            "place": "福州市鼓楼区东街派出所户籍大厅",
            "hours": "周一至周五 8:30-12:00，14:30-17:30",
            "enquiry_phone": "0591-87000001",
            "complaint_phone": "0591-87000110",
        },
        "window": "东街派出所1号窗口",
        "officer": {"name": "王警官", "police_number": "100001"},
        "materials_received": ["出生医学证明（原件1份）", "父母双方居民户口簿（原件1份）"],
        "rating_hint": "请您对本次服务作出评价：可在窗口评价器上评价，也可在7日内扫描二维码或访问下方链接评价。",
        "rating_url": RATING_URL,
    }


def receipt_snapshot(**over) -> dict:
    snap = common("receipt", "受理回执", "鼓公东户〔2026〕第000123号")
    snap.update(deadline="2026-12-11", deadline_provisional=True, completed_on_the_spot=False)
    snap.update(over)
    return snap


def notice_snapshot(**over) -> dict:
    snap = common("notice", "补充材料告知单", "鼓公东户〔2026〕第000124号")
    snap.update(
        materials_missing=[
            {"name": "父母结婚证", "form": "原件", "copies": 1, "notes": "核对后退还", "condition": ""},
            {"name": "父母双方居民身份证", "form": "复印件", "copies": 2, "notes": "",
             "condition": "父母一方为外省户籍的提供"},
            {"name": "非婚生育说明书", "form": "原件", "copies": 1, "notes": "须本人签名捺印",
             "condition": "未办理结婚登记的提供；" + "说明须写明子女出生的时间、地点及父母双方的基本情况。" * 3},
        ],
        notice_intro="根据《中华人民共和国行政许可法》第三十二条，您申请的事项所需材料不齐全，现一次性告知如下：",
        notice_footer="请于补齐材料后携本告知单到原窗口办理。",
        notice_round=1,
    )
    snap.update(over)
    return snap


def refusal_snapshot(**over) -> dict:
    snap = common("refusal", "不予受理告知书", "鼓公东户〔2026〕第000125号")
    snap.update(
        materials_received=[],
        refusal_basis="《福建省户籍管理规定》第二十条",
        refusal_explanation="申请人的子女已在外省办理出生登记，不符合本地出生登记条件。",
        remedies="如不服本决定，可以自收到本告知书之日起六十日内向福州市公安局申请行政复议，"
                 "或者在六个月内依法向人民法院提起行政诉讼。",
    )
    snap.update(over)
    return snap


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    # Extraction may insert line breaks and spaces where a line wrapped; compare without them.
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def squash(text: str) -> str:
    return "".join(text.split())


@requires_font
class TestPdf:
    def test_receipt_names_the_materials_received_and_the_provisional_deadline(self):
        data = render_pdf(receipt_snapshot())
        assert data.startswith(b"%PDF")
        text = pdf_text(data)
        for expected in ["受理回执", "鼓公东户〔2026〕第000123号", "出生医学证明（原件1份）",
                         "父母双方居民户口簿（原件1份）", "2026-12-11（暂定）", "免费", "王警官", "100001",
                         "张三", "3501********1234", "福州市公安局鼓楼分局东街派出所（盖章）", "申请人签收"]:
            assert squash(expected) in text, expected

    def test_receipt_completed_on_the_spot_says_so_instead_of_a_date(self):
        text = pdf_text(render_pdf(receipt_snapshot(deadline="", completed_on_the_spot=True)))
        assert "当场办结" in text
        assert "（暂定）" not in text

    def test_notice_lists_every_missing_material_with_the_one_time_commitment(self):
        text = pdf_text(render_pdf(notice_snapshot()))
        for expected in ["补充材料告知单", "鼓公东户〔2026〕第000124号", "父母结婚证", "父母双方居民身份证",
                         "非婚生育说明书", "父母一方为外省户籍的提供", "一次性告知",
                         "请于补齐材料后携本告知单到原窗口办理。", "0591-87000110"]:
            assert squash(expected) in text, expected
        assert "第1次告知" not in text

    def test_a_later_notice_says_which_round_and_that_the_head_approved(self):
        text = pdf_text(render_pdf(notice_snapshot(notice_round=2)))
        assert "第2次告知（经所长批准）" in text

    def test_refusal_gives_reason_basis_and_remedies(self):
        text = pdf_text(render_pdf(refusal_snapshot()))
        for expected in ["不予受理告知书", "鼓公东户〔2026〕第000125号", "不符合本地出生登记条件",
                         "《福建省户籍管理规定》第二十条", "申请行政复议", "提起行政诉讼", "（盖章）"]:
            assert squash(expected) in text, expected

    @pytest.mark.parametrize("build", [receipt_snapshot, notice_snapshot, refusal_snapshot])
    def test_the_chinese_font_is_embedded_and_the_title_is_in_the_metadata(self, build):
        snap = build()
        data = render_pdf(snap)
        assert b"/FontFile2" in data
        assert PdfReader(io.BytesIO(data)).metadata.title == f"{snap['title']} {snap['number']}"

    @pytest.mark.parametrize("build", [receipt_snapshot, notice_snapshot, refusal_snapshot])
    def test_a_reprint_is_the_same_document(self, build):
        first, second = render_pdf(build()), render_pdf(build())
        assert pdf_text(first) == pdf_text(second)
        assert first == second

    def test_the_pdf_stays_chinese_when_the_officer_uses_english(self):
        with translation.override("en"):
            text = pdf_text(render_pdf(receipt_snapshot()))
        assert "申请人" in text

    def test_empty_lists_and_markup_characters_do_not_break_rendering(self):
        snap = notice_snapshot(materials_missing=[], materials_received=[], rating_hint="", notice_intro="",
                               notice_footer="")
        snap["item"]["legal_basis"] = "<b>A & B</b>"
        text = pdf_text(render_pdf(snap))
        assert "<b>A&B</b>" in text

    def test_a_long_notice_flows_onto_a_second_page(self):
        many = [{"name": f"材料{i}", "form": "原件", "copies": 1, "notes": "", "condition": ""} for i in range(60)]
        data = render_pdf(notice_snapshot(materials_missing=many))
        reader = PdfReader(io.BytesIO(data))
        assert len(reader.pages) >= 2
        assert "材料59" in pdf_text(data)


def old_snapshot(build) -> dict:
    """A document issued before the QR code: the hint only, no rating_url."""
    snap = build(rating_hint="请您对本次服务作出评价")
    del snap["rating_url"]
    return snap


def filled_rects(data: bytes) -> int:
    """How many filled rectangles the pages draw (a QR code is dozens of them)."""
    reader = PdfReader(io.BytesIO(data))
    return sum(page.get_contents().get_data().count(b" re f") for page in reader.pages)


@requires_font
class TestRatingQr:
    @pytest.mark.parametrize("build", [receipt_snapshot, notice_snapshot, refusal_snapshot])
    def test_every_document_prints_the_rating_link_and_hint(self, build):
        text = pdf_text(render_pdf(build()))
        assert "评价本次服务" in text
        assert f"评价链接：{RATING_URL}" in text
        assert squash("也可在7日内扫描二维码或访问下方链接评价") in text

    @pytest.mark.parametrize("build", [receipt_snapshot, notice_snapshot, refusal_snapshot])
    def test_the_qr_code_is_drawn_and_the_sheet_stays_one_page(self, build):
        with_qr, without = render_pdf(build()), render_pdf(old_snapshot(build))
        assert filled_rects(with_qr) - filled_rects(without) > 100
        assert len(PdfReader(io.BytesIO(with_qr)).pages) == 1

    def test_an_old_snapshot_without_a_link_still_renders_with_its_hint(self):
        text = pdf_text(render_pdf(old_snapshot(receipt_snapshot)))
        assert "请您对本次服务作出评价" in text
        assert "评价链接" not in text and "评价本次服务" not in text

    def test_the_qr_code_sits_on_the_page_that_has_the_seal(self):
        many = [{"name": f"材料{i}", "form": "原件", "copies": 1, "notes": "", "condition": ""} for i in range(45)]
        reader = PdfReader(io.BytesIO(render_pdf(notice_snapshot(materials_missing=many))))
        last = "".join(reader.pages[-1].extract_text().split())
        assert "（盖章）" in last and RATING_URL in last

    @pytest.mark.skipif(not (shutil.which("zbarimg") and shutil.which("pdftoppm")),
                        reason="zbarimg (zbar-tools) and pdftoppm (poppler-utils) read the printed code back")
    def test_a_phone_would_read_the_link_and_a_scanner_the_case_number_from_the_printed_codes(self, tmp_path):
        pdf = tmp_path / "receipt.pdf"
        snapshot = receipt_snapshot()
        pdf.write_bytes(render_pdf(snapshot))
        # 200 dpi: an office printer prints at 300 or more; at 150 the narrow bars alias.
        subprocess.run(["pdftoppm", "-png", "-r", "200", str(pdf), str(tmp_path / "page")], check=True)
        image = next(tmp_path.glob("page*.png"))
        found = subprocess.run(["zbarimg", "-q", str(image)], capture_output=True, text=True)
        assert sorted(found.stdout.split()) == sorted([f"QR-Code:{RATING_URL}", f"CODE-128:{snapshot['case_number']}"])


@requires_font
@pytest.mark.django_db
def test_an_issued_notice_prints_the_link_of_its_case(people, open_case):
    from counter import services

    case = open_case()
    document = services.case_notify(case=case, actor=people.officer)
    case.refresh_from_db()
    text = pdf_text(render_pdf(document.snapshot))
    assert f"/r/{rating_token(case)}" in text
    html = squash(render_to_string("counter/documents/notice.html", {"doc": document.snapshot}))
    assert f"/r/{rating_token(case)}" in html


class TestQr:
    def test_the_matrix_is_square_and_the_same_every_time(self):
        first, second = qr.qr_matrix(RATING_URL), qr.qr_matrix(RATING_URL)
        assert first == second
        assert len(first) == len(first[0]) >= 21 and (len(first) - 17) % 4 == 0
        assert first[0][:7] == [True] * 7  # a finder pattern in the corner

    def test_the_svg_is_well_formed_and_labelled(self):
        svg = qr.qr_svg(RATING_URL, size="25mm", label="扫码评价 <本次>")
        root = ET.fromstring(svg)
        assert root.tag.endswith("svg") and root.get("width") == "25mm"
        assert root.get("aria-label") == "扫码评价 <本次>"
        size = len(qr.qr_matrix(RATING_URL)) + 2 * qr.QUIET_ZONE
        assert root.get("viewBox") == f"0 0 {size} {size}"

    def test_the_drawing_has_the_size_asked_for(self):
        drawing = qr.qr_drawing(RATING_URL, size=80)
        assert (drawing.width, drawing.height) == (80, 80)
        assert len(drawing.contents) > 50

    def test_an_empty_value_is_refused(self):
        with pytest.raises(ValueError):
            qr.qr_matrix("")


@requires_font
def test_a_configured_font_that_cannot_be_embedded_falls_back_to_the_debian_one(monkeypatch, settings, tmp_path):
    bogus = tmp_path / "NotoSansCJK-Regular.ttc"
    bogus.write_bytes(b"OTTO not a TrueType font")
    monkeypatch.setattr(documents_pdf, "_font_path", None)
    settings.PDF_FONT_PATH = str(bogus)
    assert b"/FontFile2" in render_pdf(receipt_snapshot())
    assert documents_pdf._font_path in documents_pdf.DEFAULT_FONT_PATHS


def test_a_missing_font_is_reported_in_chinese(monkeypatch, settings):
    monkeypatch.setattr(documents_pdf, "_font_path", None)
    monkeypatch.setattr(documents_pdf, "DEFAULT_FONT_PATHS", ("/nonexistent/font.ttc",))
    settings.PDF_FONT_PATH = "/nonexistent/other.ttf"
    with pytest.raises(PdfFontMissing) as exc:
        render_pdf(receipt_snapshot())
    assert isinstance(exc.value, DomainError)
    assert "fonts-wqy-microhei" in str(exc.value)
    assert "PDF_FONT_PATH" in str(exc.value)


class TestHtml:
    def test_receipt(self):
        html = squash(render_to_string("counter/documents/receipt.html", {"doc": receipt_snapshot()}))
        for expected in ["受理回执", "鼓公东户〔2026〕第000123号", "出生医学证明（原件1份）", "2026-12-11（暂定）",
                         "王警官", "100001", "（盖章）", "申请人签收"]:
            assert squash(expected) in html, expected
        assert "<html" not in html  # an include, not a page

    def test_notice(self):
        html = squash(render_to_string("counter/documents/notice.html", {"doc": notice_snapshot(notice_round=3)}))
        for expected in ["补充材料告知单", "父母结婚证", "父母双方居民身份证", "非婚生育说明书", "一次性告知",
                         "第3次告知（经所长批准）", "请于补齐材料后携本告知单到原窗口办理。", "0591-87000110"]:
            assert squash(expected) in html, expected

    def test_refusal(self):
        html = squash(render_to_string("counter/documents/refusal.html", {"doc": refusal_snapshot()}))
        for expected in ["不予受理告知书", "不符合本地出生登记条件", "《福建省户籍管理规定》第二十条", "申请行政复议"]:
            assert squash(expected) in html, expected

    @pytest.mark.parametrize("template, build", [("receipt", receipt_snapshot), ("notice", notice_snapshot),
                                                 ("refusal", refusal_snapshot)])
    def test_the_rating_qr_code_and_link_are_printed(self, template, build):
        html = render_to_string(f"counter/documents/{template}.html", {"doc": build()})
        assert f'href="{RATING_URL}"' in html and f"评价链接：<a href=\"{RATING_URL}\">{RATING_URL}</a>" in html
        assert html.count("<svg") == 2 and html.count('aria-label="扫码评价本次服务"') == 1
        assert "也可在7日内扫描二维码或访问下方链接评价" in html
        assert "（盖章）" in html and "申请人签收" in html

    def test_an_old_snapshot_prints_its_hint_without_a_qr_code(self):
        html = render_to_string("counter/documents/receipt.html", {"doc": old_snapshot(receipt_snapshot)})
        assert "扫码评价本次服务" not in html and "评价链接" not in html
        assert "请您对本次服务作出评价" in html

    @pytest.mark.parametrize("template, build", [("receipt", receipt_snapshot), ("notice", notice_snapshot),
                                                 ("refusal", refusal_snapshot)])
    def test_every_document_prints_the_case_number_as_a_barcode(self, template, build):
        doc = build()
        html = render_to_string(f"counter/documents/{template}.html", {"doc": doc})
        assert 'class="case-barcode"' in html and "业务编号条码" in html
        # The bars are those of the case number (Code 128 read back from the runs).
        assert barcode_svg(doc["case_number"], label="业务编号条码：扫描即可打开本办件") in html

    def test_a_case_number_code_128_cannot_carry_prints_no_barcode(self):
        html = render_to_string("counter/documents/receipt.html", {"doc": receipt_snapshot(case_number="东街-2026-1")})
        assert "case-barcode" not in html and "东街-2026-1" in html

    def test_snapshot_text_is_escaped(self):
        html = render_to_string("counter/documents/refusal.html",
                                {"doc": refusal_snapshot(refusal_explanation="<script>x</script>")})
        assert "<script>" not in html
