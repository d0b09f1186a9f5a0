"""Who may read and who may change the calendar."""

from django.core.exceptions import PermissionDenied

from org.models import Role

READ_ROLES = (Role.CITY_ADMIN, Role.COUNTY_ADMIN, Role.CITY_INSPECTOR)
EDIT_ROLES = (Role.CITY_ADMIN,)


def calendar_can_read(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.role in READ_ROLES


def calendar_can_edit(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.role in EDIT_ROLES


def calendar_read_check(user) -> None:
    if not calendar_can_read(user):
        raise PermissionDenied


def calendar_edit_check(user) -> None:
    if not calendar_can_edit(user):
        raise PermissionDenied
