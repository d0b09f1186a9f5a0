"""Test data built through the apps' services, as the apps themselves would build it (no row written around them)."""

import datetime
from collections.abc import Iterable

import factory
from django.utils import timezone

from catalog.services import guide_import
from core import clock
from core.personal import id_check_digit
from counter import services as counter_services
from org.models import Category, DutyStatus, Role, Staff, Unit
from org.services import staff_create, unit_create

PASSWORD = "Counter-pass-2026"


def make_unit(name: str, code: str, kind: str, parent: Unit | None = None, **extra) -> Unit:
    """Create a unit through org.services; Unit.save fills in its city, county and station."""
    return unit_create(name=name, code=code, kind=kind, parent=parent, **extra)


class StaffFactory(factory.django.DjangoModelFactory):
    """A person of any role: StaffFactory(username="x", unit=window, role=Role.STATION_HEAD ...)."""

    class Meta:
        model = Staff

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"民警{n}")
    police_number = factory.Sequence(lambda n: f"{100000 + n}")
    category = Category.OFFICER
    law_enforcement_qualified = True
    duty_status = DutyStatus.ON_DUTY
    role = Role.WINDOW_OFFICER

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return staff_create(
            username=kwargs["username"], full_name=kwargs["full_name"], unit=kwargs.get("unit"),
            role=kwargs["role"], password=kwargs.pop("password", PASSWORD), category=kwargs["category"],
            qualified=kwargs["law_enforcement_qualified"], duty_status=kwargs["duty_status"],
            police_number=kwargs["police_number"],
        )


def valid_id(first17: str = "35010219900307123") -> str:
    """A citizen ID number with the right GB 11643 check digit."""
    return first17 + id_check_digit(first17)


def guide_publish(*, county: Unit, actor: Staff, items: Iterable[dict],
                  effective_date: datetime.date = datetime.date(2020, 1, 1)):
    """Publish `items` as a version of `county`'s guide in force from `effective_date`, by its administrator.

    The import runs on the effective date (the clock set back), so the usual publishing rules hold.
    """
    moment = timezone.make_aware(datetime.datetime.combine(effective_date, datetime.time(8)))
    with clock.at(min(moment, clock.now())):
        return guide_import(county=county, actor=actor, items=list(items), effective_date=effective_date)


def item_spec(code: str, name: str, *, materials: list[tuple[str, str]], **fields) -> dict:
    """One item for `guide_publish`; materials are (name, condition) pairs, condition "" meaning always."""
    return {"code": code, "name": name, "category": "hukou", **fields,
            "materials": [{"name": m, "form": "original", "copies": 1, "condition": c} for m, c in materials]}


def case_open(*, actor: Staff, window: Unit, item, presented: Iterable[str] = (), conditions: Iterable[str] = (),
              applicant: counter_services.Applicant | None = None):
    """Record a case at `window` with the materials named in `presented`."""
    return counter_services.case_open(
        actor=actor, window=window, item=item,
        applicant=applicant or counter_services.Applicant("张小明", valid_id(), "13800138000"),
        conditions=conditions, material_ids=[m.pk for m in item.materials.all() if m.name in set(presented)],
    )
