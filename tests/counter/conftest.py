"""A published guide for 鼓楼 (and 台江) with two items, and helpers to open cases."""

import datetime
from types import SimpleNamespace

import pytest

from catalog.models import Guide, GuideVersion, Item, Material, MaterialForm, TimeLimitKind, VersionStatus
from counter import services


def valid_id(first17: str = "35010219900307123") -> str:
    from core.personal import id_check_digit

    return first17 + id_check_digit(first17)


def publish_guide(county, items_spec):
    guide = Guide.objects.create(county=county)
    version = GuideVersion.objects.create(guide=guide, number=1, status=VersionStatus.DRAFT)
    items = {}
    for spec in items_spec:
        materials = spec.pop("materials")
        item = Item.objects.create(version=version, **spec)
        for pos, (name, condition) in enumerate(materials):
            Material.objects.create(item=item, name=name, form=MaterialForm.ORIGINAL, copies=1,
                                    condition=condition, position=pos)
        items[item.code] = item
    GuideVersion.objects.filter(pk=version.pk).update(
        status=VersionStatus.PUBLISHED, effective_date=datetime.date(2020, 1, 1)
    )
    version.refresh_from_db()
    for item in items.values():
        item.refresh_from_db()
    return version, items


def birth_spec():
    return dict(code="122001001", name="出生登记", category="hukou",
                legal_basis="《中华人民共和国户口登记条例》第七条", time_limit_kind=TimeLimitKind.WORKING_DAYS,
                promised_days=5, statutory_days=20, complaint_phone="0591-87000000",
                materials=[("出生医学证明", ""), ("父母户口簿", ""), ("父母结婚证", ""),
                           ("亲子鉴定证明", "非婚生育随父登记")])


def death_spec():
    return dict(code="122003001", name="死亡注销", category="hukou",
                legal_basis="《中华人民共和国户口登记条例》第八条", time_limit_kind=TimeLimitKind.ON_THE_SPOT,
                materials=[("死亡医学证明", ""), ("死者户口簿", ""), ("申报人居民身份证", "")])


@pytest.fixture
def guide(city):
    version, items = publish_guide(city.gulou, [birth_spec(), death_spec()])
    other_version, other_items = publish_guide(city.taijiang, [birth_spec()])
    return SimpleNamespace(version=version, birth=items["122001001"], death=items["122003001"],
                           taijiang_birth=other_items["122001001"])


def material_ids(item, *names):
    return [m.pk for m in item.materials.all() if m.name in names]


@pytest.fixture
def open_case(city, people, guide):
    """open_case(item, presented names..., actor=..., conditions=...) records a case at window 1."""

    def make(item=None, *names, actor=None, conditions=(), window=None):
        item = item or guide.birth
        return services.case_open(
            actor=actor or people.officer, window=window or city.w1, item=item,
            applicant=services.Applicant("张小明", valid_id(), "13800138000"),
            conditions=conditions, material_ids=material_ids(item, *names),
        )

    return make
