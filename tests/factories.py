"""Test data: the unit tree and staff of every role (personas)."""

import factory

from org.models import Category, DutyStatus, Role, Staff, Unit

PASSWORD = "Counter-pass-2026"


def make_unit(name: str, code: str, kind: str, parent: Unit | None = None, **extra) -> Unit:
    """Create a unit; Unit.save fills in its city, county and station."""
    return Unit.objects.create(name=name, code=code, kind=kind, parent=parent, **extra)


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
