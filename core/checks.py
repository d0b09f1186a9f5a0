"""System checks of the settings that depend on each other, run at every start (manage.py, the WSGI app)."""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks


@checks.register()
def public_address(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """PUBLIC_BASE_URL is frozen into every printed QR code: it must be set, and be an http(s) address."""
    url = settings.PUBLIC_BASE_URL
    if not url:
        return [checks.Error(
            "PUBLIC_BASE_URL is not set",
            hint="Set it to the address applicants open from a printed QR code, e.g. https://window.example.gov.cn "
                 "(make demo sets it from PORT). It is required when DEBUG is false.",
            id="core.E010",
        )]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        return [checks.Error(f"PUBLIC_BASE_URL {url!r} is not an http(s) address such as https://window.example.gov.cn",
                             id="core.E011")]
    if settings.HTTPS and parts.scheme != "https":
        return [checks.Warning(f"PUBLIC_BASE_URL {url!r} is plain http while the site is served over HTTPS",
                               hint="Printed links should use the https address.", id="core.W012")]
    return []


@checks.register()
def served_hosts(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if not settings.DEBUG and not settings.ALLOWED_HOSTS:
        return [checks.Error("ALLOWED_HOSTS is empty: every request would be refused",
                             hint="Set ALLOWED_HOSTS to the host names of the site, e.g. window.example.gov.cn.",
                             id="core.E013")]
    return []


@checks.register()
def whole_numbers(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Numbers that must be positive for the rules to mean anything."""
    problems: list[checks.CheckMessage] = []
    for name in ("LOGIN_MAX_FAILURES", "LOGIN_LOCK_MINUTES", "SESSION_COOKIE_AGE", "SESSION_IDLE_MINUTES"):
        if getattr(settings, name) < 1:
            problems.append(checks.Error(f"{name} must be 1 or more, not {getattr(settings, name)}", id="core.E014"))
    return problems


@checks.register()
def client_limits(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The header that names the client's address, and the request limits counted by it (core.ratelimit)."""
    problems: list[checks.CheckMessage] = []
    header = settings.TRUSTED_PROXY_ADDRESS_HEADER
    if header and not re.fullmatch(r"HTTP_[A-Z0-9_]+", header):
        problems.append(checks.Error(
            f"TRUSTED_PROXY_ADDRESS_HEADER {header!r} is not a request header as Django names it",
            hint="Write it as Django's request.META names it, e.g. HTTP_X_REAL_IP for nginx's X-Real-IP; "
                 "leave it empty when no proxy stands in front of gunicorn.",
            id="core.E015"))
    for name, _methods, _pattern, count, seconds, *_rest in settings.RATE_LIMITS:
        if count < 0 or seconds < 1:
            problems.append(checks.Error(
                f"rate limit {name}: {count} requests in {seconds} s is not a limit",
                hint="Set RATE_LIMIT_<NAME> to 0 (off) or more requests a minute.", id="core.E016"))
    return problems
