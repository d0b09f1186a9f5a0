"""The sign-in backend: Django's, reading the signed-in person with their unit and its ancestors in one query."""

from django.contrib.auth.backends import ModelBackend

from org.models import Staff


class StaffBackend(ModelBackend):
    """Every request needs the person's unit and the city, county and station above it (the scope of what
    they may see, the audit record's columns); read them with the person, not one by one later."""

    def get_user(self, user_id):
        try:
            user = Staff._default_manager.select_related(
                "unit", "unit__city", "unit__county", "unit__station", "unit__station__county").get(pk=user_id)
        except Staff.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
