"""The capability table: the one answer to "may this person do this here?", walked row by row."""

import re
from pathlib import Path

import pytest

from core.errors import AccessDenied
from org import access
from org.models import Role

ROOT = Path(__file__).resolve().parents[2]
APPS = ["core", "org", "workdays", "catalog", "counter", "evaluations", "api", "shell"]


def persona_of(people, role):
    return {
        Role.WINDOW_OFFICER: people.officer, Role.WINDOW_STAFF: people.civilian, Role.STATION_HEAD: people.head,
        Role.COUNTY_ADMIN: people.county, Role.CITY_ADMIN: people.cityadmin, Role.CITY_INSPECTOR: people.inspector,
    }[role]


@pytest.mark.parametrize("capability", list(access.CAPABILITIES))
def test_each_role_holds_exactly_the_capabilities_the_table_gives_it(people, capability):
    rule = access.CAPABILITIES[capability]
    for role in Role.values:
        assert access.can(persona_of(people, role), capability) is (role in rule.roles), (capability, role)


@pytest.mark.parametrize("capability", [c for c, rule in access.CAPABILITIES.items() if rule.anchor])
def test_an_anchored_capability_holds_for_ones_own_unit_only(people, city, capability):
    rule = access.CAPABILITIES[capability]
    holder = persona_of(people, rule.roles[0])
    own, other = {
        "station": (city.w1, city.w3), "county": (city.dongjie, city.aofeng), "city": (city.gulou, None),
        "officer": (type("Row", (), {"officer_id": holder.pk})(), type("Row", (), {"officer_id": -1})()),
    }[rule.anchor]
    assert access.can(holder, capability, own)
    if other is not None:
        assert not access.can(holder, capability, other)
        with pytest.raises(AccessDenied):
            access.require(holder, capability, other)


def test_the_city_anchor_refuses_another_city(people, city):
    from tests.factories import make_unit

    elsewhere = make_unit("厦门市公安局", "350200", "city")
    assert access.can(people.cityadmin, access.API_KEY_MANAGE, city.city)
    assert not access.can(people.cityadmin, access.API_KEY_MANAGE, elsewhere)


def test_nobody_inactive_or_signed_out_holds_anything(people, client):
    people.head.is_active = False
    for capability in access.CAPABILITIES:
        assert not access.can(people.head, capability)
        assert not access.can(client.session and None, capability)


def test_an_unknown_capability_is_a_programming_error(people):
    with pytest.raises(KeyError):
        access.can(people.head, "case.delete")


def test_require_says_in_chinese_what_is_refused(people):
    with pytest.raises(AccessDenied) as refused:
        access.require(people.officer, access.DEVICE_MANAGE)
    assert refused.value.message == "只有本所所长可以管理该窗口的评价器。"
    assert refused.value.status == 403


def test_every_capability_is_asked_somewhere_and_every_one_asked_is_in_the_table():
    names = {name for name in dir(access) if name.isupper() and isinstance(getattr(access, name), str)
             and getattr(access, name) in access.CAPABILITIES}
    assert {getattr(access, n) for n in names} == set(access.CAPABILITIES)
    code = "\n".join(p.read_text(encoding="utf-8") for app in APPS for p in (ROOT / app).rglob("*.py")
                     if p.name != "access.py" and "migrations" not in p.parts)
    templates = "\n".join(p.read_text(encoding="utf-8") for app in APPS for p in (ROOT / app).rglob("*.html"))
    unused = [n for n in names if f"access.{n}" not in code and f'"{getattr(access, n)}"' not in templates]
    assert unused == []
    asked_in_templates = set(re.findall(r'can[: ]"([a-z_.]+)"', templates))
    assert asked_in_templates <= set(access.CAPABILITIES)


def test_no_module_but_the_table_compares_roles():
    """Roles are compared in org/access.py only; everything else asks `can` (or filters a query by role)."""
    comparison = re.compile(r"\.role\s*(==|!=|\bin\b|\bnot in\b)|role\s*(==|!=)\s*['\"]|\b[A-Z_]*_ROLES\b")
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*"):
            if path.suffix not in (".py", ".html") or "migrations" in path.parts or path.name == "access.py":
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if comparison.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == []


def test_the_table_prints_a_row_per_capability():
    rows = access.table_rows()
    assert [r["capability"] for r in rows] == list(access.CAPABILITIES)
    assert all(r["roles"] and str(r["label"]) for r in rows)


def test_the_architecture_page_prints_every_capability():
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [c for c in access.CAPABILITIES if f"`{c}`" not in page]
    assert missing == []
