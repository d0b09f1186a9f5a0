"""The sign-in backend: Django's, reading the signed-in person with their unit and its ancestors in one query."""

from django.contrib.auth.backends import ModelBackend

from core.prepared import Prepared
from org.models import Staff

# Every request reads this; its SQL is compiled once per process (core/prepared.py).
_STAFF_WITH_UNITS = Prepared(
    lambda pk: Staff._default_manager.select_related(
        "unit", "unit__city", "unit__county", "unit__station", "unit__station__county").filter(pk=pk),
    pk=-730_001,
)


class StaffBackend(ModelBackend):
    """Every request needs the person's unit and the city, county and station above it (the scope of what
    they may see, the audit record's columns); read them with the person, not one by one later."""

    def get_user(self, user_id):
        try:
            user_id = int(user_id)
        except (TypeError, ValueError):
            return None
        user = _STAFF_WITH_UNITS.first(pk=user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
