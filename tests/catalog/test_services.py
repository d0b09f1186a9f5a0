import datetime
from decimal import Decimal

import pytest

from catalog.models import Guide, GuideVersion, Item, Material, PublishedVersionImmutable, VersionStatus
from catalog.services import (
    PublishRefused,
    guide_create_for_county,
    guide_draft_create,
    guide_draft_discard,
    guide_notice_update,
    guide_publish,
    item_delete,
    item_save,
)
from core.errors import AccessDenied, DomainError
from core.models import AuditEvent
from demo.catalog import DEMO_ITEMS, guide_seed
from tests.catalog.conftest import TODAY, V1_DATE

pytestmark = pytest.mark.django_db


def item_data(**overrides):
    data = {
        "code": "129001001", "name": "户口登记项目变更", "category": "hukou",
        "legal_basis": "《中华人民共和国户口登记条例》第十七条", "time_limit_kind": "working_days",
        "promised_days": 5, "statutory_days": 10, "fee_amount": "0", "place": "东街派出所户籍窗口",
        "hours": "周一至周五 8:30-12:00 14:30-17:30（法定节假日除外）",
        "enquiry_phone": "0591-80000110", "complaint_phone": "0591-80000119",
    }
    data.update(overrides)
    return data


MATERIALS = [
    {"name": "居民户口簿", "form": "original", "copies": 1},
    {"name": "结婚证", "form": "both", "copies": 2, "condition": "因婚姻变更", "notes": "复印件A4纸"},
]


@pytest.fixture
def draft(guide, people):
    return guide_draft_create(guide=guide, actor=people.county)


def events(action):
    return AuditEvent.objects.filter(action=action)


class TestGuideCreate:
    def test_the_county_administrator_creates_the_county_guide(self, city, people):
        guide = guide_create_for_county(county=city.gulou, actor=people.county)
        assert guide.county == city.gulou
        assert guide.notice_title == "补充材料告知单"
        event = events("catalog.guide_create").get()
        assert (event.actor, event.county) == (people.county, city.gulou)

    def test_a_county_has_only_one_guide(self, city, people):
        guide_create_for_county(county=city.gulou, actor=people.county)
        with pytest.raises(DomainError, match="已有办事指南"):
            guide_create_for_county(county=city.gulou, actor=people.county)

    def test_nobody_else_may_create_it(self, city, people):
        for user in (people.outsider_county, people.cityadmin, people.officer, people.head):
            with pytest.raises(AccessDenied):
                guide_create_for_county(county=city.gulou, actor=user)
        assert not Guide.objects.exists()

    def test_only_counties_have_guides(self, city, people):
        with pytest.raises(DomainError, match="县"):
            guide_create_for_county(county=city.dongjie, actor=people.county)


class TestDraftCreate:
    def test_it_copies_the_latest_published_version_into_the_next_number(self, v1, guide, people):
        draft = guide_draft_create(guide=guide, actor=people.county)
        assert (draft.number, draft.status, draft.effective_date) == (2, VersionStatus.DRAFT, None)
        assert sorted(draft.items.values_list("code", flat=True)) == sorted(v1.items.values_list("code", flat=True))
        old, new = v1.items.get(code="122001001"), draft.items.get(code="122001001")
        assert new.pk != old.pk
        assert (new.name, new.legal_basis, new.time_limit_kind, new.fee_amount) == (
            old.name, old.legal_basis, old.time_limit_kind, old.fee_amount)
        assert [m.describe for m in new.materials.all()] == [m.describe for m in old.materials.all()]
        assert "亲子鉴定证明（原件1份）［非婚生育随父登记］" in [m.describe for m in new.materials.all()]
        event = events("catalog.draft_create").get()
        assert event.data == {"number": 2, "copied_from": 1, "items": len(DEMO_ITEMS)}

    def test_the_first_draft_of_a_new_guide_is_number_one_and_empty(self, city, people):
        guide = guide_create_for_county(county=city.gulou, actor=people.county)
        draft = guide_draft_create(guide=guide, actor=people.county)
        assert (draft.number, draft.items.count()) == (1, 0)

    def test_it_is_refused_while_a_draft_exists(self, draft, guide, people):
        with pytest.raises(DomainError, match="第2版") as exc:
            guide_draft_create(guide=guide, actor=people.county)
        assert exc.value.code == "draft_exists"

    def test_only_the_county_administrator_may_open_one(self, guide, people):
        for user in (people.outsider_county, people.cityadmin, people.inspector, people.officer, people.head):
            with pytest.raises(AccessDenied):
                guide_draft_create(guide=guide, actor=user)
        assert guide.versions.count() == 1

    def test_a_discarded_draft_is_gone_and_its_number_reused(self, draft, guide, people):
        guide_draft_discard(version=draft, actor=people.county)
        assert not GuideVersion.objects.filter(pk=draft.pk).exists()
        assert events("catalog.draft_discard").get().data == {"number": 2}
        assert guide_draft_create(guide=guide, actor=people.county).number == 2

    def test_a_published_version_cannot_be_discarded(self, v1, people):
        with pytest.raises(PublishedVersionImmutable):
            guide_draft_discard(version=v1, actor=people.county)


class TestItemSave:
    def test_it_adds_an_item_with_its_materials(self, draft, people):
        item = item_save(version=draft, actor=people.county, data=item_data(), materials=MATERIALS)
        assert item.version == draft
        assert item.pinyin_initials == "hkdjxmbg"
        assert item.fee_amount == Decimal("0.00")
        assert [m.describe for m in item.materials.all()] == [
            "居民户口簿（原件1份）", "结婚证（原件及复印件2份）［因婚姻变更］"]
        event = events("catalog.item_create").get()
        assert event.data["code"] == "129001001" and event.data["before"] is None
        assert event.data["after"]["materials"][1] == "结婚证（原件及复印件2份）［因婚姻变更］"

    def test_it_changes_an_item_and_replaces_its_materials(self, draft, people):
        item = draft.items.get(code="122001001")
        saved = item_save(version=draft, actor=people.county, item=item,
                          data=item_data(code="122001001", name="出生登记（新）", time_limit_kind="on_the_spot"),
                          materials=MATERIALS[:1])
        saved.refresh_from_db()
        assert saved.pk == item.pk
        assert saved.name == "出生登记（新）" and saved.pinyin_initials == "csdjx"
        assert list(saved.materials.values_list("name", flat=True)) == ["居民户口簿"]
        event = events("catalog.item_update").get()
        assert event.data["before"]["name"] == "出生登记"
        assert event.data["after"]["name"] == "出生登记（新）"

    def test_the_code_is_unique_within_the_version(self, draft, people):
        with pytest.raises(DomainError, match="122001001") as exc:
            item_save(version=draft, actor=people.county, data=item_data(code="122001001"), materials=[])
        assert exc.value.field == "code"

    def test_keeping_its_own_code_is_not_a_duplicate(self, draft, people):
        item = draft.items.get(code="122003001")
        item_save(version=draft, actor=people.county, item=item, data=item_data(code="122003001"), materials=[])

    @pytest.mark.parametrize(("overrides", "field", "text"), [
        ({"code": ""}, "code", "事项编码"),
        ({"code": "12 34"}, "code", "事项编码"),
        ({"name": "  "}, "name", "事项名称"),
        ({"category": "pets"}, "category", "类别"),
        ({"time_limit_kind": "someday"}, "time_limit_kind", "时限类型"),
        ({"promised_days": None}, "promised_days", "承诺时限"),
        ({"promised_days": 12, "statutory_days": 10}, "promised_days", "不能长于法定时限"),
        ({"promised_days": "五"}, "promised_days", "整数"),
        ({"statutory_days": 0}, "statutory_days", "1到400"),
        ({"fee_amount": "二十"}, "fee_amount", "数字"),
        ({"fee_amount": "-1"}, "fee_amount", "0到"),
        ({"place": "地" * 201}, "place", "不能超过200个字"),
    ])
    def test_bad_fields_are_refused_with_a_message_naming_what_to_fix(self, draft, people, overrides, field, text):
        with pytest.raises(DomainError, match=text) as exc:
            item_save(version=draft, actor=people.county, data=item_data(**overrides), materials=[])
        assert exc.value.field == field
        assert not draft.items.filter(code="129001001").exists()

    def test_a_material_needs_a_name_and_sensible_copies(self, draft, people):
        with pytest.raises(DomainError, match="第2项材料没有填写名称"):
            item_save(version=draft, actor=people.county, data=item_data(), materials=[MATERIALS[0], {"name": ""}])
        with pytest.raises(DomainError, match="份数"):
            item_save(version=draft, actor=people.county, data=item_data(),
                      materials=[{"name": "照片", "copies": 0}])

    def test_an_item_from_another_version_is_refused(self, v1, draft, people):
        with pytest.raises(DomainError):
            item_save(version=draft, actor=people.county, item=v1.items.first(), data=item_data(), materials=[])

    def test_only_the_county_administrator_may_write_items(self, draft, people):
        item = draft.items.first()
        for user in (people.outsider_county, people.cityadmin, people.officer, people.civilian, people.head):
            with pytest.raises(AccessDenied):
                item_save(version=draft, actor=user, data=item_data(), materials=[])
            with pytest.raises(AccessDenied):
                item_delete(item=item, actor=user)
        assert not events("catalog.item_create").exists()

    def test_an_item_is_deleted_from_a_draft_with_its_materials(self, draft, people):
        item = draft.items.get(code="122001001")
        pk, material_ids = item.pk, list(item.materials.values_list("pk", flat=True))
        item_delete(item=item, actor=people.county)
        assert not Item.objects.filter(pk=pk).exists()
        assert not Material.objects.filter(pk__in=material_ids).exists()
        event = events("catalog.item_delete").get()
        assert event.data["item"]["code"] == "122001001" and event.object_id == str(pk)


class TestPublishedVersionNeverChanges:
    def test_services_refuse_to_touch_it(self, v1, people):
        item = v1.items.get(code="122001001")
        with pytest.raises(PublishedVersionImmutable):
            item_save(version=v1, actor=people.county, data=item_data(), materials=[])
        with pytest.raises(PublishedVersionImmutable):
            item_save(version=v1, actor=people.county, item=item, data=item_data(code=item.code), materials=[])
        with pytest.raises(PublishedVersionImmutable):
            item_delete(item=item, actor=people.county)
        with pytest.raises(PublishedVersionImmutable):
            guide_publish(version=v1, actor=people.county, effective_date=TODAY, note="再发一次")
        item.refresh_from_db()
        assert item.name == "出生登记" and item.materials.count() == 6

    def test_the_models_refuse_direct_writes_too(self, v1):
        item = v1.items.get(code="122001001")
        item.name = "改名"
        with pytest.raises(PublishedVersionImmutable):
            item.save()
        with pytest.raises(PublishedVersionImmutable):
            item.delete()
        with pytest.raises(PublishedVersionImmutable):
            Item.objects.create(version=v1, code="999", name="新增", category="hukou", legal_basis="x",
                                time_limit_kind="on_the_spot")
        material = item.materials.first()
        material.copies = 9
        with pytest.raises(PublishedVersionImmutable):
            material.save()
        with pytest.raises(PublishedVersionImmutable):
            Material.objects.create(item=item, name="额外材料")
        with pytest.raises(PublishedVersionImmutable):
            material.delete()
        v1.note = "改说明"
        with pytest.raises(PublishedVersionImmutable):
            v1.save()
        with pytest.raises(PublishedVersionImmutable):
            v1.delete()
        assert Item.objects.get(pk=item.pk).name == "出生登记"
        assert GuideVersion.objects.get(pk=v1.pk).note == "首次发布（演示数据）"


class TestPublish:
    def test_a_draft_is_published_from_its_effective_date(self, draft, people, city):
        version = guide_publish(version=draft, actor=people.county, effective_date=TODAY + datetime.timedelta(days=7),
                                note="调整居住证材料")
        version.refresh_from_db()
        assert version.status == VersionStatus.PUBLISHED and version.is_published
        assert version.effective_date == TODAY + datetime.timedelta(days=7)
        assert (version.note, version.published_by) == ("调整居住证材料", people.county)
        assert version.published_at is not None
        event = events("catalog.guide_publish").get(object_id=str(version.pk))
        assert event.county == city.gulou
        assert event.data["number"] == 2 and event.data["effective_date"] == "2026-12-08"

    def test_today_is_the_earliest_effective_date(self, draft, people):
        guide_publish(version=draft, actor=people.county, effective_date=TODAY, note="当天生效")

    def test_a_past_effective_date_is_refused(self, draft, people):
        with pytest.raises(DomainError, match="不能早于今天") as exc:
            guide_publish(version=draft, actor=people.county, effective_date=TODAY - datetime.timedelta(days=1),
                          note="补发")
        assert exc.value.field == "effective_date"
        draft.refresh_from_db()
        assert draft.status == VersionStatus.DRAFT

    def test_it_may_not_take_effect_before_an_already_published_version(self, draft, guide, people):
        guide_publish(version=draft, actor=people.county, effective_date=TODAY + datetime.timedelta(days=30),
                      note="第2版")
        v3 = guide_draft_create(guide=guide, actor=people.county)
        with pytest.raises(DomainError, match="第2版") as exc:
            guide_publish(version=v3, actor=people.county, effective_date=TODAY + datetime.timedelta(days=10),
                          note="第3版")
        assert exc.value.code == "effective_date_before_previous"

    def test_an_empty_draft_is_refused(self, city, people):
        guide = guide_create_for_county(county=city.gulou, actor=people.county)
        draft = guide_draft_create(guide=guide, actor=people.county)
        with pytest.raises(PublishRefused, match="至少添加一个事项"):
            guide_publish(version=draft, actor=people.county, effective_date=TODAY, note="首版")

    def test_every_problem_is_listed_at_once(self, draft, people):
        # Rows broken behind the services' back, as an import or an old copy might leave them.
        Item.objects.filter(pk=draft.items.get(code="122001001").pk).update(legal_basis="  ")
        Item.objects.filter(pk=draft.items.get(code="122004001").pk).update(promised_days=None)
        Item.objects.filter(pk=draft.items.get(code="124001001").pk).update(promised_days=20, statutory_days=15)
        with pytest.raises(PublishRefused) as exc:
            guide_publish(version=draft, actor=people.county, effective_date=TODAY, note="x")
        assert exc.value.problems == [
            "“122001001 出生登记”未填写法律依据",
            "“122004001 变更姓名”按工作日承诺，但未填写承诺时限",
            "“124001001 居住证签发”的承诺时限（20个工作日）长于法定时限（15个工作日）",
        ]
        draft.refresh_from_db()
        assert draft.status == VersionStatus.DRAFT
        assert not events("catalog.guide_publish").exclude(data__number=1).exists()

    def test_only_the_county_administrator_may_publish(self, draft, people):
        for user in (people.outsider_county, people.cityadmin, people.inspector, people.officer, people.head):
            with pytest.raises(AccessDenied):
                guide_publish(version=draft, actor=user, effective_date=TODAY, note="x")
        draft.refresh_from_db()
        assert draft.status == VersionStatus.DRAFT


class TestNotice:
    def test_the_county_administrator_changes_the_notice_layout(self, guide, people):
        guide_notice_update(guide=guide, actor=people.county, data={
            "notice_title": "办理户口补充材料书", "notice_intro": "请补齐以下材料。", "notice_footer": ""})
        guide.refresh_from_db()
        assert (guide.notice_title, guide.notice_intro, guide.notice_footer) == (
            "办理户口补充材料书", "请补齐以下材料。", "")
        event = events("catalog.notice_update").get()
        assert event.data["before"]["notice_title"] == "补充材料告知单"

    def test_a_blank_title_is_refused(self, guide, people):
        with pytest.raises(DomainError, match="标题") as exc:
            guide_notice_update(guide=guide, actor=people.county,
                                data={"notice_title": " ", "notice_intro": "x", "notice_footer": ""})
        assert exc.value.field == "notice_title"

    def test_others_may_not_change_it(self, guide, people):
        with pytest.raises(AccessDenied):
            guide_notice_update(guide=guide, actor=people.cityadmin,
                                data={"notice_title": "x", "notice_intro": "x", "notice_footer": ""})


class TestDemoData:
    def test_the_demo_guide_holds_real_items(self, v1):
        items = {item.name: item for item in v1.items.all()}
        assert len(items) >= 16
        for name in ("出生登记", "死亡注销", "准迁证签发", "迁出登记", "迁入登记", "立户分户", "变更姓名",
                     "更正出生日期", "民族成份变更", "户籍证明", "居民身份证首次申领", "居民身份证换领",
                     "居民身份证补领", "临时居民身份证", "居民身份证异地受理", "户口簿补发换发", "居住证签发"):
            assert name in items
        for item in items.values():
            assert item.legal_basis and item.materials.exists() and item.hours and item.complaint_phone
        assert items["出生登记"].is_on_the_spot and items["死亡注销"].is_on_the_spot
        assert sum(1 for item in items.values() if not item.is_on_the_spot) >= 5
        assert items["居民身份证首次申领"].fee_amount == 20
        assert items["居民身份证补领"].fee_amount == 40
        assert items["临时居民身份证"].fee_amount == 10
        assert "2322号" in items["居民身份证首次申领"].fee_basis
        assert "最低生活保障" in items["居民身份证首次申领"].fee_waiver
        assert "第七条" in items["出生登记"].legal_basis
        assert items["出生登记"].time_limit_text == "当场办结"
        assert items["变更姓名"].time_limit_text == "承诺20个工作日（法定30个工作日）"
        assert items["居民身份证首次申领"].fee_text == "20元"
        conditions = set(Material.objects.filter(item__version=v1).values_list("condition", flat=True))
        assert {"非婚生育随父登记", "申请人未满16周岁", "跨省迁移"} <= conditions
        assert "鼓楼分局" in items["出生登记"].place

    def test_loading_twice_keeps_the_first_guide(self, v1, city, people):
        again = guide_seed(county=city.gulou, actor=people.county, effective_date=V1_DATE)
        assert again == v1
        assert GuideVersion.objects.filter(guide__county=city.gulou).count() == 1

    def test_it_loads_for_any_county_by_its_own_administrator(self, city, people):
        version = guide_seed(county=city.taijiang, actor=people.outsider_county, effective_date=V1_DATE)
        assert version.is_published and version.items.count() == len(DEMO_ITEMS)
        assert "台江分局" in version.items.first().place
