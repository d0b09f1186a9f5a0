"""Test data: the unit tree and staff of every role (personas)."""

import factory

from org.models import Category, DutyStatus, Role, Staff, Unit, UnitKind

PASSWORD = "Counter-pass-2026"


def make_unit(name: str, code: str, kind: str, parent: Unit | None = None, **extra) -> Unit:
    unit = Unit(name=name, code=code, kind=kind, parent=parent, **extra)
    if parent is not None:
        unit.city = parent if parent.kind == UnitKind.CITY else parent.city
        unit.county = parent if parent.kind == UnitKind.COUNTY else parent.county
        unit.station = parent if parent.kind in (UnitKind.STATION, UnitKind.BRIGADE) else parent.station
    unit.save()
    return unit


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"民警{n}")
    police_number = factory.Sequence(lambda n: f"{100000 + n}")
    category = Category.OFFICER
    law_enforcement_qualified = True
    duty_status = DutyStatus.ON_DUTY
    role = Role.WINDOW_OFFICER
    password = factory.django.Password(PASSWORD)
