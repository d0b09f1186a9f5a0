"""Benchmark: the audit log (/audit/) and the staff page (/accounts/staff/) at city scale, for three scopes.

Times whole requests through Django's test client (force_login; middleware, view, template), so the network
is left out. For a city administrator, a county administrator and a station head (each the one whose scope holds
the most events) it takes each page at page 1 and at a deep page, and prints the median and the slowest of --n
requests and the queries of one request. The deep page of the audit log is the page that starts --deep rows down
(or half way down a scope that has fewer); of the staff page, the last page. Then the audit log filtered, at page
1: by an action, by a week (and its next page), by a person and by a case of the scope. Usage (never against a
database others write to: copy it first):

    createdb -h 127.0.0.1 -U postgres -T bw_city bw_audit_city
    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/bw_audit_city .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bw_audit_city .venv/bin/python bench/lists_shell.py [--n 7]

It reads only (the sign-ins make sessions). It runs against older code too (a checkout without keyset pages:
the deep page is then asked for by its number), so that before and after can be compared on one database.
"""

import argparse
import datetime
import html
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_env import bench_environment  # noqa: E402

bench_environment()

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from core import clock  # noqa: E402
from core.models import AuditEvent  # noqa: E402
from counter.models import Case  # noqa: E402
from org.models import Role, Staff  # noqa: E402
from org.selectors import staff_visible_to  # noqa: E402
from shell.selectors import audit_events_visible_to  # noqa: E402

try:  # the keyset pager (absent from older code, which numbers every page)
    from core.pagination import keyset_cursor
except ImportError:
    keyset_cursor = None

PAGE_SIZE = 50


def busiest(role: str, level: str) -> Staff:
    """The active person of `role` whose scope (`level` column of the audit log) holds the most events."""
    people = Staff.objects.filter(role=role, is_active=True, unit__isnull=False).select_related("unit").order_by("pk")
    if level == "city":
        return people.first()
    counts = dict(AuditEvent.objects.values_list(f"{level}_id").annotate(n=Count("pk")).values_list(f"{level}_id",
                                                                                                     "n"))
    return max(people, key=lambda s: counts.get(s.unit.scope_ids()[f"{level}_id"], 0))


def audit_deep_params(user: Staff, deep: int) -> tuple[dict, int]:
    """The query string of the audit log's page that starts `deep` rows down (or half way), and that row."""
    events = audit_events_visible_to(user).order_by("-at", "-id")
    total = events.count()
    row = max(0, min(deep, total // 2)) // PAGE_SIZE * PAGE_SIZE
    number = row // PAGE_SIZE + 1
    if keyset_cursor is None or row == 0:
        return {"page": number}, row
    previous = events.select_related(None)[row - 1]  # the last row of the page before
    return {"page": number, "after": keyset_cursor(previous)}, row


def audit_filters(user: Staff) -> list[tuple[str, dict]]:
    """The filters of the audit log, each with values from the user's scope: an action, a week, a person, a case."""
    events = audit_events_visible_to(user).select_related(None)
    newest = events.order_by("-at").values_list("at", flat=True).first()
    week_to = clock.localtime(newest).date() - datetime.timedelta(days=28)
    week = {"date_from": (week_to - datetime.timedelta(days=6)).isoformat(), "date_to": week_to.isoformat()}
    officer = staff_visible_to(user).filter(role=Role.WINDOW_OFFICER).order_by("pk").first()
    opened = events.filter(action="case.opened").order_by("-at").values_list("object_id", flat=True).first()
    cases = [("action=case.refuse", {"action": "case.refuse"}), ("one week", week)]
    if officer is not None:
        cases.append(("person", {"person": officer.full_name}))
    if opened is not None:
        cases.append(("case", {"case": Case.objects.get(pk=int(opened)).number}))
    return cases


def next_link(response) -> dict | None:
    """The query of the pager's "next" link (numbered or keyset), as a browser would follow it."""
    found = re.search(r'<a href="\?([^"]*)" rel="next">', response.content.decode())
    if found is None:
        return None
    query = html.unescape(found.group(1))
    return dict(part.split("=", 1) for part in query.split("&")) if query else {}


def staff_last_page(response) -> dict:
    page = (response.context or {}).get("page")
    if page is None:  # older code: one page of everybody
        return {}
    return {"page": page.paginator.num_pages}


def timed(client: Client, url: str, params: dict, n: int) -> tuple[list[float], int, int]:
    client.get(url, params)  # warm: templates, translations, the session
    timings = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url, params)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, params, response.status_code)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    rows = len(response.context.get("rows") or [])
    return timings, len(captured), rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=7, help="timed requests per page (median reported)")
    parser.add_argument("--deep", type=int, default=100_000, help="rows down the audit log for its deep page")
    parser.add_argument("--no-filters", dest="filters", action="store_false",
                        help="leave out the filtered pages (an action, a week, a person, a case)")
    args = parser.parse_args()
    setup_test_environment()  # responses carry their template context (the rows, the pager)
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    users = [("city", busiest(Role.CITY_ADMIN, "city")), ("county", busiest(Role.COUNTY_ADMIN, "county")),
             ("station", busiest(Role.STATION_HEAD, "station"))]
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; audit events: "
          f"{AuditEvent.objects.count()}; staff: {Staff.objects.count()}; requests per page: {args.n}; "
          f"pager: {'keyset' if keyset_cursor else 'numbered'}")
    print(f"{'page':40s} {'median ms':>10s} {'max ms':>8s} {'queries':>8s} {'rows':>5s}")
    audit, staff = reverse("shell:audit_list"), reverse("org:staff_list")
    for level, user in users:
        client = Client()
        client.force_login(user)
        deep_params, deep_row = audit_deep_params(user, args.deep)
        first_staff = client.get(staff)
        cases = [
            (f"audit {level} page 1", audit, {}),
            (f"audit {level} from row {deep_row}", audit, deep_params),
            (f"staff {level} page 1", staff, {}),
            (f"staff {level} last page", staff, staff_last_page(first_staff)),
        ]
        if args.filters:
            for name, params in audit_filters(user):
                cases.append((f"audit {level} {name}", audit, params))
                following = next_link(client.get(audit, params))
                if following is not None and name == "one week":
                    cases.append((f"audit {level} {name}, next page", audit, following))
        for label, url, params in cases:
            timings, queries, rows = timed(client, url, params, args.n)
            print(f"{label:40s} {statistics.median(timings):10.1f} {max(timings):8.1f} {queries:8d} {rows:5d}")
    print(f"users: {', '.join(f'{level}={user.username}' for level, user in users)}")


if __name__ == "__main__":
    main()
