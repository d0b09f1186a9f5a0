import datetime

import pytest

from catalog.models import Item, pinyin_initials_of
from catalog.selectors import (
    can_edit_guide,
    guides_visible_to,
    items_search,
    version_history,
    version_in_force,
    version_upcoming,
)
from catalog.services import guide_draft_create, guide_publish, item_save
from tests.catalog.conftest import TODAY, V1_DATE

pytestmark = pytest.mark.django_db


def publish_next(guide, actor, effective_date, note="修订"):
    draft = guide_draft_create(guide=guide, actor=actor)
    return guide_publish(version=draft, actor=actor, effective_date=effective_date, note=note)


def codes(items):
    return [item.code for item in items]


class TestVersionInForce:
    def test_it_is_none_before_the_first_version_takes_effect(self, v1, city):
        assert version_in_force(county=city.gulou, on=V1_DATE - datetime.timedelta(days=1)) is None

    def test_it_is_the_published_version_from_its_effective_date(self, v1, city):
        assert version_in_force(county=city.gulou, on=V1_DATE) == v1
        assert version_in_force(county=city.gulou, on=TODAY) == v1

    def test_a_later_version_applies_only_from_its_own_effective_date(self, v1, guide, people, city):
        v2 = publish_next(guide, people.county, TODAY + datetime.timedelta(days=14))
        assert version_in_force(county=city.gulou, on=TODAY) == v1
        assert version_in_force(county=city.gulou, on=TODAY + datetime.timedelta(days=13)) == v1
        assert version_in_force(county=city.gulou, on=TODAY + datetime.timedelta(days=14)) == v2
        assert version_upcoming(guide=guide, on=TODAY) == v2

    def test_the_highest_number_wins_on_the_same_effective_date(self, v1, guide, people, city):
        v2 = publish_next(guide, people.county, TODAY)
        v3 = publish_next(guide, people.county, TODAY)
        assert (v2.number, v3.number) == (2, 3)
        assert version_in_force(county=city.gulou, on=TODAY) == v3

    def test_a_draft_is_never_in_force(self, v1, guide, people, city):
        guide_draft_create(guide=guide, actor=people.county)
        assert version_in_force(county=city.gulou, on=TODAY + datetime.timedelta(days=400)) == v1

    def test_another_county_has_its_own_guide(self, v1, city):
        assert version_in_force(county=city.taijiang, on=TODAY) is None


class TestItemsSearch:
    def test_it_finds_by_part_of_the_name(self, v1):
        assert codes(items_search(version=v1, query="出生")) == ["122001001", "122004002"]
        assert "123001004" in codes(items_search(version=v1, query="临时"))

    def test_it_finds_by_code_prefix_and_puts_the_exact_code_first(self, v1):
        found = codes(items_search(version=v1, query="122002"))
        assert found == ["122002001", "122002002", "122002003"]
        assert codes(items_search(version=v1, query="123001003"))[0] == "123001003"

    def test_it_finds_by_pinyin_initials_in_any_case(self, v1):
        assert codes(items_search(version=v1, query="csdj")) == ["122001001"]
        assert codes(items_search(version=v1, query="CSDJ")) == ["122001001"]
        assert "122003001" in codes(items_search(version=v1, query="swzx"))

    def test_an_initials_prefix_ranks_before_a_match_inside(self, v1):
        found = codes(items_search(version=v1, query="jzz"))
        assert found[0] == "124001001"  # 居住证签发

    def test_an_empty_query_lists_every_item_in_guide_order(self, v1):
        assert items_search(version=v1, query="  ").count() == v1.items.count()

    def test_nothing_matches_nonsense_or_sql_wildcards(self, v1):
        assert items_search(version=v1, query="不存在的事项").count() == 0
        assert items_search(version=v1, query="%").count() == 0
        assert items_search(version=v1, query="_").count() == 0

    def test_it_only_searches_the_given_version(self, v1, guide, people):
        draft = guide_draft_create(guide=guide, actor=people.county)
        item_save(version=draft, actor=people.county, materials=[], data={
            "code": "129000001", "name": "测试新事项", "category": "hukou", "legal_basis": "某法第一条",
            "time_limit_kind": "on_the_spot"})
        assert items_search(version=v1, query="测试").count() == 0
        assert items_search(version=draft, query="csxsx").count() == 1


class TestPinyin:
    def test_initials_come_from_the_name(self):
        assert pinyin_initials_of("出生登记") == "csdj"
        assert pinyin_initials_of("户口簿补发换发") == "hkbbfhf"
        assert pinyin_initials_of("居民身份证（A类）") == "jmsfzal"

    def test_they_are_filled_and_refreshed_on_save(self, v1, guide, people):
        draft = guide_draft_create(guide=guide, actor=people.county)
        item = draft.items.get(code="122001001")
        assert item.pinyin_initials == "csdj"
        item.name = "死亡注销"
        item.save(update_fields=["name"])
        item.refresh_from_db()
        assert item.pinyin_initials == "swzx"
        assert Item.objects.get(pk=item.pk).pinyin_initials == "swzx"


class TestVisibility:
    def test_city_roles_see_every_county_of_their_city(self, v1, people, city):
        from catalog.services import guide_create_for_county

        guide_create_for_county(county=city.taijiang, actor=people.outsider_county)
        for user in (people.cityadmin, people.inspector):
            assert [g.county for g in guides_visible_to(user)] == [city.gulou, city.taijiang]

    def test_everyone_else_sees_their_own_county(self, v1, people, city):
        from catalog.services import guide_create_for_county

        guide_create_for_county(county=city.taijiang, actor=people.outsider_county)
        for user in (people.officer, people.civilian, people.head, people.county):
            assert [g.county for g in guides_visible_to(user)] == [city.gulou]
        assert [g.county for g in guides_visible_to(people.outsider)] == [city.taijiang]

    def test_only_the_county_administrator_of_that_county_may_edit(self, people, city):
        assert can_edit_guide(people.county, city.gulou)
        assert not can_edit_guide(people.county, city.taijiang)
        assert can_edit_guide(people.outsider_county, city.taijiang)
        for user in (people.officer, people.head, people.cityadmin, people.inspector):
            assert not can_edit_guide(user, city.gulou)
        people.county.is_active = False
        assert not can_edit_guide(people.county, city.gulou)


def test_version_history_lists_newest_first_with_item_counts(v1, guide, people):
    guide_draft_create(guide=guide, actor=people.county)
    history = list(version_history(guide))
    assert [v.number for v in history] == [2, 1]
    assert history[0].item_count == history[1].item_count == v1.items.count()
