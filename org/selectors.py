"""Reads of the unit tree, scoped by who is asking."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from org.models import Role, Staff, Unit, UnitKind


@dataclass(frozen=True)
class Scope:
    """The part of the tree a user may see: 'city', 'county' or 'station' level, or 'none'."""

    level: str
    unit: Unit | None


def scope_of(user: Staff) -> Scope:
    """Return the part of the unit tree `user` may see."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.unit_id is None:
        return Scope("none", None)
    unit = user.unit
    if user.role in (Role.CITY_ADMIN, Role.CITY_INSPECTOR):
        city = unit if unit.kind == UnitKind.CITY else unit.city
        return Scope("city", city)
    if user.role == Role.COUNTY_ADMIN:
        return Scope("county", unit.county_or_self())
    return Scope("station", unit.station_or_self())


def scope_q(user: Staff, *, city: str = "city", county: str = "county", station: str = "station") -> Q:
    """A filter for rows carrying city/county/station foreign keys, limited to what `user` may see."""
    scope = scope_of(user)
    if scope.unit is None:
        return Q(pk__in=[])
    field = {"city": city, "county": county, "station": station}[scope.level]
    return Q(**{field: scope.unit})


def holds_role_over(user: Staff, role: str, unit_id: int | None) -> bool:
    """Whether `user` has `role` and `unit_id` is the very unit their scope is anchored at (their station or county)."""
    scope = scope_of(user)
    return user.role == role and scope.unit is not None and scope.unit.pk == unit_id


def units_visible_to(user: Staff) -> QuerySet[Unit]:
    scope = scope_of(user)
    if scope.unit is None:
        return Unit.objects.none()
    return Unit.objects.filter(Q(pk=scope.unit.pk) | scope_q(user)).select_related("county", "station")


def windows_visible_to(user: Staff) -> QuerySet[Unit]:
    return units_visible_to(user).filter(kind=UnitKind.WINDOW)


def counties_visible_to(user: Staff) -> QuerySet[Unit]:
    scope = scope_of(user)
    if scope.level == "city":
        return Unit.objects.filter(kind=UnitKind.COUNTY, city=scope.unit)
    if scope.unit is None:
        return Unit.objects.none()
    county = scope.unit.county_or_self()
    return Unit.objects.filter(pk=county.pk)


def can_see_unit(user: Staff, unit: Unit) -> bool:
    return units_visible_to(user).filter(pk=unit.pk).exists()


def staff_visible_to(user: Staff) -> QuerySet[Staff]:
    scope = scope_of(user)
    if scope.unit is None:
        return Staff.objects.none()
    return Staff.objects.filter(unit__in=units_visible_to(user)).select_related("unit")
