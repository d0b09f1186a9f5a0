"""System checks of the evaluator's settings, run at every start rather than at the first request that needs them."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from evaluations.models import Level


@checks.register()
def evaluator_settings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    from evaluations.offline_time import opening_hours

    problems = []
    try:
        opening_hours()
    except ImproperlyConfigured as exc:
        problems.append(checks.Error(str(exc), hint="e.g. 08:30-12:00,14:30-17:30", id="evaluations.E001"))
    if settings.RATING_DEFAULT_LEVEL not in Level.values:
        problems.append(checks.Error(f"RATING_DEFAULT_LEVEL must be 1 to 5, not {settings.RATING_DEFAULT_LEVEL}",
                                     id="evaluations.E002"))
    for name in ("RATING_LINK_DAYS", "FOLLOW_UP_WORKING_DAYS", "DEVICE_OFFLINE_AFTER_SECONDS", "DEVICE_FRESH_MINUTES"):
        if getattr(settings, name) < 1:
            problems.append(checks.Error(f"{name} must be 1 or more, not {getattr(settings, name)}",
                                         id="evaluations.E003"))
    if not 0 <= settings.DEVICE_WAIT_SECONDS <= 60:
        problems.append(checks.Error(
            f"DEVICE_WAIT_SECONDS must be 0 to 60, not {settings.DEVICE_WAIT_SECONDS}",
            hint="nginx and gunicorn time a request out after 60 s or more; the wait must end first.",
            id="evaluations.E004"))
    return problems
