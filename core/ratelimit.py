"""Limits per client address on the endpoints worth guessing at, counted in the database (every process shares them).

`settings.RATE_LIMITS` lists the rules, `(name, methods or None, path pattern, requests, seconds)`; the first rule
whose method and path match a request counts it (a limit of 0 is off). The count is one statement: an upsert of
the row of that rule and address that adds one within the current window or starts the next one, and returns
the new count, so no read-then-write race exists between gunicorn processes or machines. Past the limit the
answer is 429 with `Retry-After`: the API's JSON error under /api/, elsewhere the page of `settings.RATE_LIMIT_VIEW`
(called as `view(request, 429, message)`, the shell's Chinese error page).

The client address is REMOTE_ADDR, or the header `settings.TRUSTED_PROXY_ADDRESS_HEADER` names (nginx's
`X-Real-IP`); the sign-in lockout (org) counts by the same address.
"""

import ipaddress
import logging
import random
import re
from contextlib import nullcontext
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from core import clock
from core.errors import DomainError, error_body
from core.models import RateLimitCounter

logger = logging.getLogger(__name__)

# A new window of some client purges the windows that have ended this often (a DELETE on an indexed column).
PURGE_CHANCE = 0.01


# The answers a "failures" rule counts: the caller did not prove who it is, or may not.
FAILURES = frozenset({401, 403})


@dataclass(frozen=True)
class Rule:
    name: str
    methods: frozenset[str] | None
    pattern: re.Pattern[str]
    limit: int
    seconds: int
    # Count only the requests answered 401/403 (a rule's optional sixth element "failures"): for a call made all
    # day by a client that proves who it is (the evaluator's long poll), so that its every request costs no write.
    failures_only: bool = False


@lru_cache(maxsize=16)
def _compiled(spec: tuple) -> tuple[Rule, ...]:
    return tuple(Rule(name, frozenset(m.upper() for m in methods) if methods else None, re.compile(pattern),
                      int(limit), int(seconds), "failures" in rest)
                 for name, methods, pattern, limit, seconds, *rest in spec)


def rules() -> tuple[Rule, ...]:
    """The rules of settings.RATE_LIMITS (compiled once per distinct value)."""
    spec: list[tuple] = list(settings.RATE_LIMITS)
    return _compiled(tuple((n, tuple(m) if m else None, p, c, s, *rest) for n, m, p, c, s, *rest in spec))


# Clients past a "failures" rule's limit, as this process learned from the count: (rule, address) -> the
# window's end. Answered 429 here without a query until then; other processes learn it at their next failure.
_blocked: dict[tuple[str, str], int] = {}
MAX_BLOCKED = 10_000


def _blocked_for(rule: Rule, address: str) -> int:
    """Seconds until the client may try again under `rule`, as far as this process knows (0: not blocked)."""
    until = _blocked.get((rule.name, _counted_as(address)))
    if until is None:
        return 0
    left = until - int(clock.now().timestamp())
    if left <= 0:
        _blocked.pop((rule.name, _counted_as(address)), None)
        return 0
    return left


def rule_for(request: HttpRequest) -> Rule | None:
    """The first rule that counts this request, or None."""
    for rule in rules():
        if (rule.methods is None or request.method in rule.methods) and rule.pattern.match(request.path_info):
            return rule if rule.limit > 0 else None
    return None


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """The client's address: the last entry of the trusted proxy's header when it holds one, else REMOTE_ADDR.

    The last entry is the one the nearest proxy (nginx) wrote; anything before it came from the client.
    """
    header = getattr(settings, "TRUSTED_PROXY_ADDRESS_HEADER", "")
    if header:
        forwarded = _address(request.META.get(header, "").split(",")[-1])
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR", "") or ""


def _counted_as(address: str) -> str:
    """IPv6 clients count by their /64 network: one machine gets a whole /64 and may pick any address in it."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def hit(rule: Rule, address: str) -> tuple[int, int]:
    """Count one request of `address` under `rule`: (requests in this window so far, seconds until it ends)."""
    now = int(clock.now().timestamp())
    window_end = (now // rule.seconds + 1) * rule.seconds
    bucket = f"{rule.name}:{_counted_as(address)}"[:120]
    table = connection.ops.quote_name(RateLimitCounter._meta.db_table)
    # One statement for PostgreSQL and SQLite (3.35+): add one within the window, or start the next one.
    sql = (f"INSERT INTO {table} (bucket, window_end, hits) VALUES (%s, %s, 1) "
           f"ON CONFLICT (bucket) DO UPDATE SET "
           f"hits = CASE WHEN {table}.window_end = excluded.window_end THEN {table}.hits + 1 ELSE 1 END, "
           f"window_end = excluded.window_end RETURNING hits")
    with connection.cursor() as cursor:
        cursor.execute(sql, [bucket, window_end])
        hits = cursor.fetchone()[0]
    if hits == 1 and random.random() < PURGE_CHANCE:
        rate_limits_purge()
    return hits, window_end - now


def rate_limits_purge() -> int:
    """Delete the counts of windows that have ended; return how many."""
    deleted, _kinds = RateLimitCounter.objects.filter(window_end__lte=int(clock.now().timestamp())).delete()
    return deleted


def too_many_requests(request: HttpRequest, retry_after: int) -> HttpResponse:
    """429: the API's JSON error under /api/ (always in Chinese, as the API answers), the error page elsewhere."""
    api = request.path_info.startswith("/api/")
    with translation.override(settings.LANGUAGE_CODE) if api else nullcontext():
        message = _("请求过于频繁，请在 %(seconds)s 秒后再试。") % {"seconds": retry_after}
    response: HttpResponse
    if api:
        response = JsonResponse(error_body(DomainError(message, code="rate_limited")), status=429,
                                json_dumps_params={"ensure_ascii": False})
        add_never_cache_headers(response)
    elif getattr(settings, "RATE_LIMIT_VIEW", ""):
        response = import_string(settings.RATE_LIMIT_VIEW)(request, 429, message)
    else:
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    return response


class RateLimitMiddleware:
    """Answer 429 to a client past the limit of the rule its request falls under; other requests cost nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        rule = rule_for(request)
        if rule is not None and rule.failures_only:
            return self._failures_counted(rule, request)
        if rule is not None:
            try:
                hits, retry_after = hit(rule, client_address(request))
            except DatabaseError:
                # The limits guard the service; they must not take it down with the database they count in.
                logger.exception("rate limit %s not counted", rule.name)
            else:
                if hits > rule.limit:
                    return too_many_requests(request, retry_after)
        return self.get_response(request)

    def _failures_counted(self, rule: Rule, request: HttpRequest):
        address = client_address(request)
        retry_after = _blocked_for(rule, address)
        if retry_after:
            return too_many_requests(request, retry_after)
        response = self.get_response(request)
        if response.status_code in FAILURES:
            try:
                hits, retry_after = hit(rule, address)
            except DatabaseError:
                logger.exception("rate limit %s not counted", rule.name)
            else:
                if hits > rule.limit:
                    if len(_blocked) >= MAX_BLOCKED:
                        _blocked.clear()
                    _blocked[(rule.name, _counted_as(address))] = int(clock.now().timestamp()) + retry_after
        return response
