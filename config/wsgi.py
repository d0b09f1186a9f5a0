"""The WSGI application gunicorn loads. It runs Django's system checks first, as manage.py does, so a
wrong setting stops the server at start instead of failing the first request that needs it."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()


def _check_at_start() -> None:
    from django.core import checks
    from django.core.management.base import SystemCheckError

    errors = [m for m in checks.run_checks(include_deployment_checks=False) if m.is_serious() and not m.is_silenced()]
    if errors:
        raise SystemCheckError("\n".join(str(e) for e in errors))


_check_at_start()
