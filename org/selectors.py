"""Reads of the unit tree and staff, scoped by who is asking (the scope itself comes from org.access)."""

from collections.abc import Callable

from django.db.models import Q, QuerySet

from core.prepared import run
from org.access import Scope, scope_of
from org.models import Staff, Unit, UnitKind

__all__ = ["Scope", "scope_of", "scope_q", "in_scope", "units_visible_to", "windows_visible_to", "windows_list",
           "counties_visible_to", "can_see_unit", "staff_visible_to", "staff_for_list"]


def scope_q(user: Staff, *, through: str = "") -> Q:
    """The filter of rows (core.models.Scoped) that `user` may see; `through` reaches them over a relation."""
    scope = scope_of(user)
    if scope.unit is None:
        return Q(pk__in=[])
    return _level_q(scope.level, scope.unit, through=through)


def _level_q(level: str, anchor, *, through: str = "") -> Q:
    prefix = f"{through}__" if through else ""
    return Q(**{f"{prefix}{level}": anchor})


def in_scope(user: Staff, build: Callable[..., QuerySet], *shape, **values) -> list:
    """`build(within, anchor, **values)` among the rows `user` may see, read by SQL compiled once per process and
    scope level (core.prepared.run): `within` is scope_q's filter, `anchor` the id of the unit the scope hangs from.
    Someone who may see nothing finds nothing, without a query."""
    scope = scope_of(user)
    if scope.unit is None:
        return []
    level = scope.level

    def scoped(anchor, **more):
        return build(_level_q(level, anchor), anchor, **more)

    return run(scoped, build.__code__, level, *shape, anchor=scope.unit.pk, **values)


def units_visible_to(user: Staff) -> QuerySet[Unit]:
    scope = scope_of(user)
    if scope.unit is None:
        return Unit.objects.none()
    return Unit.objects.filter(Q(pk=scope.unit.pk) | scope_q(user)).select_related("city", "county", "station")


def windows_visible_to(user: Staff) -> QuerySet[Unit]:
    return units_visible_to(user).filter(kind=UnitKind.WINDOW)


def windows_list(user: Staff) -> list[Unit]:
    """windows_visible_to(user) as a list, by SQL compiled once per process (every counter form reads it)."""
    return in_scope(user, lambda within, anchor: Unit.objects.filter(Q(pk=anchor) | within, kind=UnitKind.WINDOW)
                    .select_related("city", "county", "station"))


def unit_in_scope(user: Staff, unit: Unit) -> bool:
    """Whether `unit` is among units_visible_to(user), decided from ids already loaded (no query)."""
    scope = scope_of(user)
    if scope.unit is None:
        return False
    return unit.pk == scope.unit.pk or unit.scope_ids()[f"{scope.level}_id"] == scope.unit.pk


def counties_visible_to(user: Staff) -> QuerySet[Unit]:
    scope = scope_of(user)
    if scope.level == "city":
        return Unit.objects.filter(kind=UnitKind.COUNTY, city=scope.unit)
    if scope.unit is None:
        return Unit.objects.none()
    county = scope.unit.county_or_self()
    return Unit.objects.filter(pk=county.pk) if county is not None else Unit.objects.none()


def home_county(user: Staff) -> Unit | None:
    """The county the user works in (the city roles have none)."""
    scope = scope_of(user)
    return scope.unit.county_or_self() if scope.unit is not None else None


def can_see_unit(user: Staff, unit: Unit) -> bool:
    return units_visible_to(user).filter(pk=unit.pk).exists()


def staff_visible_to(user: Staff) -> QuerySet[Staff]:
    scope = scope_of(user)
    if scope.unit is None:
        return Staff.objects.none()
    return Staff.objects.filter(unit__in=units_visible_to(user)).select_related("unit")


def staff_for_list(user: Staff) -> QuerySet[Staff]:
    """The staff page's people: by unit, role and name, each with the unit's county and station (its full name),
    so that a page of them is one query whatever its length."""
    return staff_visible_to(user).select_related("unit__county", "unit__station").order_by(
        "unit__code", "role", "full_name", "pk")


def any_unit_exists() -> bool:
    """Whether the unit tree has been set up at all (the demo loads only into an empty database)."""
    return Unit.objects.exists()
