"""Benchmark: the case list (/counter/cases/) and the desk at city scale, for the city inspector, a county and a
station.

Times whole requests through Django's test client (force_login; middleware, view, template; the network left
out): the first page, a deep page (--deep rows down, reached as the pager's "next" link reaches it), the list
filtered by a status, the overdue cases, a search by a surname, and the desk. Prints the median and the slowest
of --n requests, the queries of one request and the size of the page. Usage (never against a database others
write to: copy it first):

    createdb -h 127.0.0.1 -U postgres -T bw_city bw_lists_city
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bw_lists_city .venv/bin/python bench/lists_counter.py [--n 5]

It reads only (the sign-ins make sessions). It runs against older code too (numbered pages: the deep page is
then asked for by its number), so that before and after can be compared on one database.
"""

import argparse
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

from counter.models import Case  # noqa: E402
from org.models import Role, Staff  # noqa: E402

try:  # the keyset pager (absent from older code, which numbers every page)
    from core.pagination import keyset_cursor
except ImportError:
    keyset_cursor = None

PAGE_SIZE = 50


def busiest(role: str, level: str) -> Staff:
    """The active person of `role` whose scope (`level` column of the cases) holds the most cases."""
    people = Staff.objects.filter(role=role, is_active=True, unit__isnull=False).select_related("unit")
    if level == "city":
        return people.order_by("pk").first()
    counts = dict(Case.objects.order_by().values_list(f"{level}_id").annotate(n=Count("pk")))
    return max(people, key=lambda s: counts.get(s.unit.scope_ids()[f"{level}_id"], 0))


def deep_params(user: Staff, deep: int) -> dict:
    """The query string of the page `deep` rows down: with keyset pages the cursor of the row above it (what
    the "next" link of the page before carries), otherwise the page's number."""
    number = deep // PAGE_SIZE + 1
    if keyset_cursor is None:
        return {"page": number}
    from core import clock
    from counter.selectors import cases_for_list, overdue_q

    # The rows the list shows below its overdue cases, newest first, as the view orders them.
    listed = cases_for_list(user).exclude(overdue_q(clock.today())).order_by("-created_at", "-id")
    moment, pk = listed.values_list("created_at", "id")[deep - 1]
    return {"page": number, "after": keyset_cursor(Case(pk=pk, created_at=moment), "created_at")}


def timed(client: Client, url: str, params: dict, n: int) -> tuple[list[float], int, int]:
    client.get(url, params)  # warm: templates, translations, the session
    timings = []
    size = 0
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url, params)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, params, response.status_code)
        size = len(response.content)
    with CaptureQueriesContext(connection) as captured:
        client.get(url, params)
    return timings, len(captured), size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=5, help="timed requests per page (median reported)")
    parser.add_argument("--deep", type=int, default=20_000, help="rows down the list for its deep page")
    parser.add_argument("--search", default="王", help="what the search box is given (a surname)")
    args = parser.parse_args()
    setup_test_environment()  # responses carry their template context (the page)
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    users = [("city", busiest(Role.CITY_INSPECTOR, "city")), ("county", busiest(Role.COUNTY_ADMIN, "county")),
             ("station", busiest(Role.STATION_HEAD, "station"))]
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; cases: {Case.objects.count()}; "
          f"requests per page: {args.n}; pager: {'keyset' if keyset_cursor else 'numbered'}")
    print(f"{'page':34s} {'median ms':>10s} {'max ms':>8s} {'queries':>8s} {'KB':>6s}")
    cases_url, desk = reverse("counter:case_list"), reverse("counter:desk")
    for level, user in users:
        client = Client()
        client.force_login(user)
        pages = [
            (f"cases {level} page 1", cases_url, {}),
            (f"cases {level} row {args.deep}", cases_url, deep_params(user, args.deep)),
            (f"cases {level} completed", cases_url, {"status": "completed"}),
            (f"cases {level} overdue", cases_url, {"overdue": "1"}),
            (f"cases {level} search {args.search}", cases_url, {"q": args.search}),
        ]
        if level == "station":
            pages.append((f"desk {level}", desk, {}))
        for label, url, params in pages:
            timings, queries, size = timed(client, url, params, args.n)
            print(f"{label:34s} {statistics.median(timings):10.1f} {max(timings):8.1f} {queries:8d} "
                  f"{size / 1024:6.0f}")
    print(f"users: {', '.join(f'{level}={user.username}' for level, user in users)}")


if __name__ == "__main__":
    main()
