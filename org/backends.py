"""The sign-in backend: Django's, reading the signed-in person with their unit and its ancestors in one query."""

from django.contrib.auth.backends import ModelBackend

from core.prepared import run
from org.models import Staff


def _staff_with_units(pk):
    return Staff._default_manager.select_related(
        "unit", "unit__city", "unit__county", "unit__station", "unit__station__county").filter(pk=pk)


class StaffBackend(ModelBackend):
    """Every request needs the person's unit and the city, county and station above it (the scope of what
    they may see, the audit record's columns); read them with the person, not one by one later."""

    def get_user(self, user_id):
        try:
            user_id = int(user_id)
        except (TypeError, ValueError):
            return None
        # Every request reads this: its SQL is compiled once per process (core/prepared.py).
        found = run(_staff_with_units, pk=user_id)
        return found[0] if found and self.user_can_authenticate(found[0]) else None
