import datetime
import re

import pytest
from django.urls import reverse

from catalog.models import Guide, GuideVersion, Item, VersionStatus
from catalog.services import guide_create_for_county, guide_draft_create
from core.models import AuditEvent
from tests.catalog.conftest import TODAY

pytestmark = pytest.mark.django_db

GULOU = "350102"
TAIJIANG = "350103"


def url(name, code=GULOU, **kwargs):
    return reverse(f"catalog:{name}", kwargs={"county_code": code, **kwargs})


@pytest.fixture
def draft(guide, people):
    return guide_draft_create(guide=guide, actor=people.county)


def item_post(**overrides):
    """A complete item form with one material row filled and two blank rows."""
    data = {
        "code": "129001001", "name": "户口登记项目变更", "category": "hukou",
        "legal_basis": "《中华人民共和国户口登记条例》第十七条", "conditions_text": "", "procedure": "",
        "time_limit_kind": "working_days", "promised_days": "5", "statutory_days": "10", "time_limit_note": "",
        "fee_amount": "0", "fee_basis": "", "fee_waiver": "", "place": "东街派出所户籍窗口",
        "hours": "周一至周五", "enquiry_phone": "0591-80000110", "complaint_phone": "0591-80000119",
        "position": "500",
        "materials-TOTAL_FORMS": "3", "materials-INITIAL_FORMS": "0",
        "materials-MIN_NUM_FORMS": "0", "materials-MAX_NUM_FORMS": "1000",
        "materials-0-name": "居民户口簿", "materials-0-form": "original", "materials-0-copies": "1",
        "materials-0-notes": "", "materials-0-condition": "",
        "materials-1-name": "", "materials-1-form": "original", "materials-1-copies": "1",
        "materials-2-name": "", "materials-2-form": "original", "materials-2-copies": "1",
    }
    data.update(overrides)
    return data


def edit_post(item, **overrides):
    """The edit form of `item` as the browser would send it back, with changes."""
    data = {field: getattr(item, field) for field in (
        "code", "name", "category", "legal_basis", "conditions_text", "procedure", "time_limit_kind",
        "time_limit_note", "fee_basis", "fee_waiver", "place", "hours", "enquiry_phone", "complaint_phone",
        "position")}
    data.update({"promised_days": item.promised_days or "", "statutory_days": item.statutory_days or "",
                 "fee_amount": str(item.fee_amount)})
    materials = list(item.materials.all())
    data.update({"materials-TOTAL_FORMS": str(len(materials)), "materials-INITIAL_FORMS": str(len(materials)),
                 "materials-MIN_NUM_FORMS": "0", "materials-MAX_NUM_FORMS": "1000"})
    for n, m in enumerate(materials):
        data.update({f"materials-{n}-id": m.pk, f"materials-{n}-item": item.pk, f"materials-{n}-name": m.name,
                     f"materials-{n}-form": m.form, f"materials-{n}-copies": m.copies,
                     f"materials-{n}-notes": m.notes, f"materials-{n}-condition": m.condition})
    data.update(overrides)
    return data


class TestReading:
    def test_a_signed_out_visitor_is_sent_to_sign_in(self, client, guide):
        response = client.get(url("guide_detail"))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_the_list_shows_the_counties_a_user_may_see(self, client_for, people, guide):
        page = client_for(people.officer).get(reverse("catalog:guide_list")).content.decode()
        assert "鼓楼分局" in page and "第1版" in page and "台江分局" not in page
        page = client_for(people.cityadmin).get(reverse("catalog:guide_list")).content.decode()
        assert "鼓楼分局" in page and "台江分局" in page and "尚未建立办事指南" in page

    def test_the_guide_in_force_shows_everything_the_public_must_see(self, client_for, people, guide):
        response = client_for(people.officer).get(url("guide_detail"))
        assert response.status_code == 200
        page = response.content.decode()
        for text in ("鼓楼分局户籍业务办事指南", "第1版", "2026年1月1日起施行", "出生登记", "122001001",
                     "《出生医学证明》", "非婚生育随父登记", "《中华人民共和国户口登记条例》第七条",
                     "当场办结", "承诺20个工作日（法定30个工作日）", "20元", "发改价格〔2003〕2322号",
                     "最低生活保障", "周一至周五 8:30-12:00 14:30-17:30（法定节假日除外）",
                     "0591-80000110", "0591-80000119", "鼓楼分局辖区户口所在地派出所户籍窗口", "data-print"):
            assert text in page, text

    def test_any_published_version_can_be_read_from_the_history(self, client_for, people, guide, draft):
        from catalog.services import guide_publish, item_delete

        item_delete(item=draft.items.get(code="122001001"), actor=people.county)
        guide_publish(version=draft, actor=people.county, effective_date=TODAY, note="删除出生登记")
        client = client_for(people.officer)
        assert "出生登记" not in client.get(url("guide_detail")).content.decode().replace("出生登记的", "")
        old = client.get(url("guide_detail") + "?version=1").content.decode()
        assert "出生登记" in old and "当前施行的是第2版" in old
        history = client.get(url("version_history")).content.decode()
        assert "删除出生登记" in history and "施行中" in history and "?version=1" in history

    def test_a_draft_is_shown_only_to_its_county_administrator(self, client_for, people, draft):
        assert client_for(people.officer).get(url("guide_detail") + "?version=2").status_code == 404
        assert "第2版" not in client_for(people.officer).get(url("version_history")).content.decode()
        page = client_for(people.county).get(url("guide_detail") + "?version=2").content.decode()
        assert "尚未发布的第2版草稿" in page

    def test_the_guide_reads_in_english_with_a_whole_title_and_an_english_date(self, client_for, people, guide):
        page = client_for(people.officer).get(url("guide_detail"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "<title>鼓楼分局 Service Guide for hukou services" in page
        assert "<h1>鼓楼分局 Service Guide for hukou services</h1>" in page
        assert "Version 1 · In force from Jan. 1, 2026" in page
        assert "年1月1日" not in page
        # The punctuation around a translated label is translated with it, not left in Chinese.
        assert "<dd>20 yuan (basis: 《国家发展改革委" in page
        assert "<br>Reductions and waivers: 城市中领取最低生活保障金的居民" in page
        assert "<dd>Promised: 20 working days; 法律规定60日内发放" in page
        assert "（依据：" not in page and "减免：" not in page

    def test_the_guide_in_chinese_keeps_its_chinese_punctuation(self, client_for, people, guide):
        page = client_for(people.officer).get(url("guide_detail")).content.decode()
        assert "<title>鼓楼分局户籍业务办事指南 · " in page
        assert "<dd>20元（依据：《国家发展改革委" in page
        assert "<br>减免：城市中领取最低生活保障金的居民" in page
        assert "<dd>承诺20个工作日；法律规定60日内发放" in page

    @pytest.mark.parametrize("query", ["?version=abc", "?version=99", "?version=-1"])
    def test_a_bad_version_number_is_not_found(self, client_for, people, guide, query):
        assert client_for(people.officer).get(url("guide_detail") + query).status_code == 404

    def test_another_countys_guide_is_not_found(self, client_for, people, guide):
        for user in (people.outsider, people.outsider_county):
            client = client_for(user)
            for name in ("guide_detail", "version_history", "draft_detail", "notice_edit", "item_create",
                         "draft_publish"):
                assert client.get(url(name)).status_code == 404, name
            assert client.post(url("draft_create")).status_code == 404
        assert client_for(people.officer).get(url("guide_detail", code=TAIJIANG)).status_code == 404

    def test_a_county_without_a_version_in_force_says_so(self, client_for, people, city):
        guide_create_for_county(county=city.gulou, actor=people.county)
        page = client_for(people.officer).get(url("guide_detail")).content.decode()
        assert "没有施行中的办事指南版本" in page


class TestWritingIsForTheCountyAdministrator:
    def test_others_in_the_county_get_403(self, client_for, people, draft):
        item = draft.items.first()
        for user in (people.officer, people.head, people.civilian, people.cityadmin, people.inspector):
            client = client_for(user)
            assert client.get(url("draft_detail")).status_code == 403
            assert client.get(url("item_create")).status_code == 403
            assert client.post(url("item_create"), item_post()).status_code == 403
            assert client.post(url("item_delete", item_id=item.pk)).status_code == 403
            assert client.post(url("draft_publish"), {"effective_date": "2026-12-01", "note": "x"}).status_code == 403
            assert client.post(url("draft_discard")).status_code == 403
            assert client.post(url("notice_edit"), {"notice_title": "x", "notice_intro": "x"}).status_code == 403
        draft.refresh_from_db()
        assert draft.status == VersionStatus.DRAFT and Item.objects.filter(pk=item.pk).exists()
        assert not AuditEvent.objects.filter(action__in=["catalog.item_create", "catalog.guide_publish",
                                                         "catalog.item_delete"]).exclude(data__number=1).exists()

    def test_a_non_administrator_cannot_create_a_guide(self, client_for, people, city):
        assert client_for(people.cityadmin).post(url("guide_create")).status_code == 403
        assert not Guide.objects.exists()

    def test_post_only_actions_refuse_get(self, client_for, people, draft):
        assert client_for(people.county).get(url("draft_discard")).status_code == 405


class TestMaintaining:
    def test_the_administrator_creates_the_guide_and_its_first_draft(self, client_for, people, city):
        client = client_for(people.county)
        assert "建立本县办事指南" in client.get(reverse("catalog:guide_list")).content.decode()
        response = client.post(url("guide_create"))
        assert response.status_code == 302 and response["Location"] == url("draft_detail")
        assert GuideVersion.objects.get(guide__county=city.gulou).number == 1
        page = client.get(url("draft_detail")).content.decode()
        assert "第1版草稿" in page and "至少添加一个事项" in page

    def test_the_administrator_opens_a_draft(self, client_for, people, guide):
        client = client_for(people.county)
        assert "新建草稿版本" in client.get(url("draft_detail")).content.decode()
        response = client.post(url("draft_create"))
        assert response.status_code == 302
        page = client.get(url("draft_detail")).content.decode()
        assert "第2版草稿" in page and "居住证签发" in page
        response = client.post(url("draft_create"), follow=True)
        assert "已有未发布的草稿（第2版）" in response.content.decode()

    def test_an_item_is_added_with_its_materials(self, client_for, people, draft):
        client = client_for(people.county)
        page = client.get(url("item_create")).content.decode()
        assert "0591-80000119" in page  # new items start with the phones the draft already uses
        response = client.post(url("item_create"), item_post())
        assert response.status_code == 302
        item = draft.items.get(code="129001001")
        assert item.pinyin_initials == "hkdjxmbg"
        assert [m.describe for m in item.materials.all()] == ["居民户口簿（原件1份）"]
        assert AuditEvent.objects.filter(action="catalog.item_create", actor=people.county).exists()

    def test_every_material_input_has_a_name_and_long_texts_are_not_cut_off(self, client_for, people, draft):
        item = draft.items.get(code="122001001")
        page = client_for(people.county).get(url("item_edit", item_id=item.pk)).content.decode()
        rows = item.materials.count() + 3
        for row in (1, rows):
            for label in ("材料名称", "形式", "份数", "备注", "适用情形", "删除"):
                assert f'aria-label="{label}（第{row}行）"' in page, (label, row)
        assert f'aria-label="材料名称（第{rows + 1}行）"' not in page
        assert '<th scope="row">1<input type="hidden" name="materials-0-id"' in page
        assert '<table class="material-rows" aria-labelledby="materials-title"' in page
        # No input points at help text that is not on the page.
        assert "materials-0-condition_helptext" not in page
        for name in ("time_limit_note", "fee_basis", "fee_waiver", "place", "hours"):
            assert re.search(rf'<textarea name="{name}" [^>]*maxlength="200"', page), name
        assert "周一至周五 8:30-12:00 14:30-17:30（法定节假日除外）</textarea>" in page

    def test_line_breaks_in_the_long_texts_become_spaces(self, client_for, people, draft):
        response = client_for(people.county).post(url("item_create"), item_post(
            hours="周一至周五\r\n8:30-12:00 14:30-17:30\r\n", place="东街派出所\n户籍窗口"))
        assert response.status_code == 302
        item = draft.items.get(code="129001001")
        assert (item.hours, item.place) == ("周一至周五 8:30-12:00 14:30-17:30", "东街派出所 户籍窗口")

    def test_a_wrong_material_row_is_named_and_linked(self, client_for, people, draft):
        page = client_for(people.county).post(url("item_create"), item_post(
            **{"materials-1-name": "结婚证", "materials-1-copies": "0"})).content.decode()
        assert '<li><a href="#id_materials-1-copies">第2行材料 份数：份数应在1到99之间。</a></li>' in page
        assert re.search(r'<input type="number" name="materials-1-copies"[^>]*aria-invalid="true"'
                         r'[^>]*aria-describedby="id_materials-1-copies_error"', page)
        assert '<span class="error-text" id="id_materials-1-copies_error">份数应在1到99之间。</span>' in page

    def test_the_item_form_in_english_names_rows_and_errors_in_english(self, client_for, people, draft):
        page = client_for(people.county).post(url("item_create"), item_post(
            **{"materials-1-name": "结婚证", "materials-1-copies": "0"}), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert 'aria-label="Material (row 2)"' in page and 'aria-label="Remove (row 3)"' in page
        assert ">Material row 2, Copies: " in page

    def test_an_item_is_edited_and_a_material_removed(self, client_for, people, draft):
        item = draft.items.get(code="122001001")
        assert item.materials.count() == 6
        client = client_for(people.county)
        assert "亲子鉴定证明" in client.get(url("item_edit", item_id=item.pk)).content.decode()
        response = client.post(url("item_edit", item_id=item.pk),
                               edit_post(item, name="出生登记（修订）", **{"materials-5-DELETE": "on"}))
        assert response.status_code == 302, response.content.decode()
        item.refresh_from_db()
        assert item.name == "出生登记（修订）"
        assert "亲子鉴定证明" not in list(item.materials.values_list("name", flat=True))
        assert item.materials.count() == 5

    def test_an_item_is_deleted(self, client_for, people, draft):
        item = draft.items.get(code="122001001")
        response = client_for(people.county).post(url("item_delete", item_id=item.pk), follow=True)
        assert "已从草稿中删除事项“122001001 出生登记”" in response.content.decode()
        assert not draft.items.filter(code="122001001").exists()

    def test_an_item_of_a_published_version_cannot_be_opened_for_editing(self, client_for, people, v1, draft):
        old = v1.items.first()
        client = client_for(people.county)
        assert client.get(url("item_edit", item_id=old.pk)).status_code == 404
        assert client.post(url("item_delete", item_id=old.pk)).status_code == 404

    def test_the_draft_is_published(self, client_for, people, draft):
        client = client_for(people.county)
        page = client.get(url("draft_publish")).content.decode()
        assert 'value="2026-12-01"' in page
        response = client.post(url("draft_publish"), {"effective_date": "2026-12-15", "note": "调整材料"})
        assert response.status_code == 302 and response["Location"].endswith("?version=2")
        draft.refresh_from_db()
        assert draft.status == VersionStatus.PUBLISHED and draft.effective_date == datetime.date(2026, 12, 15)
        page = client.get(reverse("catalog:guide_list")).content.decode()
        assert "2026-12-15 起施行" in page  # shown as the upcoming version

    def test_the_draft_is_discarded(self, client_for, people, draft):
        response = client_for(people.county).post(url("draft_discard"), follow=True)
        assert "已放弃第2版草稿" in response.content.decode()
        assert not GuideVersion.objects.filter(pk=draft.pk).exists()

    def test_the_notice_layout_is_changed(self, client_for, people, guide):
        response = client_for(people.county).post(url("notice_edit"), {
            "notice_title": "办理户口补充材料书", "notice_intro": "请补齐以下全部材料。", "notice_footer": "谢谢。"})
        assert response.status_code == 302
        guide.refresh_from_db()
        assert guide.notice_title == "办理户口补充材料书"

    def test_pages_without_a_draft_send_the_administrator_back(self, client_for, people, guide):
        response = client_for(people.county).get(url("item_create"), follow=True)
        assert "本县目前没有草稿" in response.content.decode()


class TestBadInput:
    """Every form answers bad input with a Chinese message saying what to fix and keeps what was typed."""

    @pytest.mark.parametrize(("overrides", "message"), [
        ({"name": ""}, "此项必填，请填写。"),
        ({"code": "12 34"}, "事项编码只能由数字、字母、点或短横线组成"),
        ({"code": "122001001"}, "事项编码 122001001 在本版本中已被使用，请换一个编码。"),
        ({"promised_days": "12", "statutory_days": "10"}, "承诺时限（12个工作日）不能长于法定时限（10个工作日）。"),
        ({"promised_days": ""}, "按工作日承诺的事项必须填写承诺时限（工作日）。"),
        ({"promised_days": "五天"}, "请填写整数，例如 5。"),
        ({"statutory_days": "0"}, "请填写1到400之间的工作日天数"),
        ({"fee_amount": "二十元"}, "请填写数字金额，例如 20 或 20.00；不收费填 0。"),
        ({"fee_amount": "-5"}, "收费金额不能是负数"),
        ({"fee_amount": "1.234"}, "最多保留2位小数"),
        ({"category": "pets"}, "选项无效，请从列表中重新选择。"),
        ({"legal_basis": ""}, "此项必填"),
        ({"place": "地" * 201}, "不能超过200个字，现在是201个字"),
        ({"materials-0-copies": "0"}, "份数应在1到99之间。"),
        ({"materials-1-copies": "2", "materials-1-notes": "复印件"}, "第2行材料"),
    ])
    def test_the_item_form(self, client_for, people, draft, overrides, message):
        typed = item_post(name="我输入的事项名称", fee_basis="我输入的收费依据",
                          **{"materials-0-notes": "我输入的备注"})
        typed.update(overrides)
        response = client_for(people.county).post(url("item_create"), typed)
        assert response.status_code == 400
        page = response.content.decode()
        assert message in page
        assert "请修改以下内容后再提交" in page or "申请材料有误" in page
        for value in ("我输入的收费依据", "我输入的备注", "居民户口簿", "0591-80000110"):
            assert value in page, value
        if overrides.get("name", "x"):
            assert "我输入的事项名称" in page
        assert not draft.items.filter(name="我输入的事项名称").exists()

    @pytest.mark.parametrize(("data", "message"), [
        ({"effective_date": "2026-11-30", "note": "x"}, "生效日期不能早于今天（2026-12-01）"),
        ({"effective_date": "2026-13-45", "note": "x"}, "日期格式不正确，请按 2026-12-01 的格式填写"),
        ({"effective_date": "", "note": "x"}, "此项必填，请填写。"),
        ({"effective_date": "2026-12-10", "note": ""}, "此项必填，请填写。"),
        ({"effective_date": "2026-12-10", "note": "说" * 201}, "不能超过200个字"),
    ])
    def test_the_publish_form(self, client_for, people, draft, data, message):
        response = client_for(people.county).post(url("draft_publish"), data)
        assert response.status_code == 200
        page = response.content.decode()
        assert message in page
        if data["effective_date"]:
            assert f'value="{data["effective_date"]}"' in page
        draft.refresh_from_db()
        assert draft.status == VersionStatus.DRAFT

    def test_a_past_date_and_a_missing_note_are_reported_together(self, client_for, people, draft):
        page = client_for(people.county).post(url("draft_publish"), {"effective_date": "2026-11-30", "note": ""})
        text = page.content.decode()
        assert "生效日期：生效日期不能早于今天（2026-12-01）" in text and "修订说明：此项必填，请填写。" in text

    def test_the_publish_form_lists_every_problem_of_the_draft(self, client_for, people, draft):
        Item.objects.filter(pk=draft.items.get(code="122001001").pk).update(legal_basis="")
        Item.objects.filter(pk=draft.items.get(code="124001001").pk).update(promised_days=20, statutory_days=15)
        client = client_for(people.county)
        assert "“122001001 出生登记”未填写法律依据" in client.get(url("draft_publish")).content.decode()
        response = client.post(url("draft_publish"), {"effective_date": "2026-12-10", "note": "我的修订说明"})
        page = response.content.decode()
        assert response.status_code == 200
        assert "“122001001 出生登记”未填写法律依据" in page
        assert "“124001001 居住证签发”的承诺时限（20个工作日）长于法定时限（15个工作日）" in page
        assert "我的修订说明" in page

    def test_the_notice_form(self, client_for, people, guide):
        response = client_for(people.county).post(url("notice_edit"), {
            "notice_title": "", "notice_intro": "我写的开头语", "notice_footer": "我写的结尾语"})
        assert response.status_code == 200
        page = response.content.decode()
        assert "告知单标题：此项必填，请填写。" in page and "我写的开头语" in page and "我写的结尾语" in page

    def test_a_management_form_that_was_tampered_with_is_not_a_500(self, client_for, people, draft):
        data = item_post()
        del data["materials-TOTAL_FORMS"]
        response = client_for(people.county).post(url("item_create"), data)
        assert response.status_code == 400


class TestItemSearchJson:
    def search(self, client, **params):
        return client.get(reverse("catalog:item_search_json"), params)

    def test_it_finds_items_of_the_version_in_force_by_name_code_or_initials(self, client_for, people, guide):
        client = client_for(people.officer)
        for q in ("出生登记", "122001001", "csdj", "CSDJ"):
            response = self.search(client, county=GULOU, q=q)
            assert response.status_code == 200
            assert response.json()[0] == {"id": response.json()[0]["id"], "code": "122001001", "name": "出生登记",
                                          "time_limit": "当场办结", "pinyin": "csdj"}
        found = self.search(client, county=GULOU, q="bgxm").json()
        assert found == [{"id": found[0]["id"], "code": "122004001", "name": "变更姓名",
                          "time_limit": "承诺20个工作日（法定30个工作日）", "pinyin": "bgxm"}]
        assert Item.objects.get(pk=found[0]["id"]).version.number == 1

    def test_without_a_county_it_searches_the_users_own(self, client_for, people, guide):
        assert len(self.search(client_for(people.officer), q="").json()) == guide.versions.get().items.count()

    def test_a_city_user_names_the_county(self, client_for, people, guide):
        client = client_for(people.cityadmin)
        assert self.search(client, county=GULOU, q="swzx").json()[0]["name"] == "死亡注销"
        assert self.search(client, county=TAIJIANG, q="swzx").json() == []
        assert self.search(client, q="swzx").status_code == 404

    def test_another_county_is_not_found(self, client_for, people, guide):
        response = self.search(client_for(people.outsider), county=GULOU, q="csdj")
        assert response.status_code == 404 and "管辖范围" in response.json()["error"]
        assert self.search(client_for(people.officer), county="nope", q="x").status_code == 404

    def test_it_answers_401_to_a_signed_out_caller(self, client, guide):
        assert self.search(client, county=GULOU, q="csdj").status_code == 401

    def test_it_uses_the_version_in_force_not_a_draft(self, client_for, people, draft):
        from catalog.services import item_save

        item_save(version=draft, actor=people.county, materials=[], data={
            "code": "129000001", "name": "草稿里的新事项", "category": "hukou", "legal_basis": "某法第一条",
            "time_limit_kind": "on_the_spot"})
        assert self.search(client_for(people.officer), county=GULOU, q="草稿").json() == []
