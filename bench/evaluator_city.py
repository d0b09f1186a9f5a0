"""Benchmark: the evaluator's supervisor pages and the ratings API on a city-year database.

Times, through Django's test client (no server), signed in as the first active city administrator, the usage
page for the whole city over 7, 31 and 92 days, a county's, a station's and a window's usage page over 92 days,
the ratings list over 30 days (first page, the next page, a deep page) and GET /api/ratings over 30 days with a
city key (first, middle and last page); prints the median time, the size of the answer and its queries. Read-only
but for the integration key it issues: run it on a copy, never on the generated database itself:

    createdb -h 127.0.0.1 -U postgres -T bw_city bw_eval_city
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bw_eval_city .venv/bin/python bench/evaluator_city.py \\
        [--end 2026-12-03] [--reps 5] [--only usage,ratings,api]

It runs the code of the tree it is in, so the same script in a `git worktree` of an older commit measures the
code before a change (the pages it cannot find there are skipped).
"""

import argparse
import datetime
import os
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--end", default="2026-12-03", help="the last day of the periods (the data's last day)")
    parser.add_argument("--reps", type=int, default=5, help="requests per page (the 92-day city page: half)")
    parser.add_argument("--only", default="usage,ratings,api")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_env import bench_environment

    bench_environment()
    os.environ["ALLOWED_HOSTS"] = "testserver"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from org.models import Role, Staff, Unit, UnitKind

    admin = Staff.objects.filter(role=Role.CITY_ADMIN, is_active=True).order_by("pk").first()
    if admin is None:
        raise SystemExit("no city administrator: generate the city first (bench/cityyear.py)")
    client = Client()
    client.force_login(admin)
    end = datetime.date.fromisoformat(args.end)

    def first_day(days: int) -> str:
        return (end - datetime.timedelta(days=days - 1)).isoformat()

    def timed(label: str, url: str, headers=None, reps: int = args.reps):
        times, response, queries = [], None, 0
        for _ in range(reps):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = client.get(url, headers=headers or {})
                times.append(time.perf_counter() - start)
            queries = len(ctx)
            if response.status_code != 200:
                print(f"{label:62s} {response.status_code} (skipped)")
                return None
        print(f"{label:62s} median {statistics.median(times):7.3f} s (min {min(times):.3f}, max {max(times):.3f}) "
              f"{len(response.content) / 1024:8.1f} KB {queries:4d} queries", flush=True)
        return response

    only = set(args.only.split(","))
    period = f"date_from={first_day(92)}&date_to={end}"
    if "usage" in only:
        for days in (7, 31, 92):
            timed(f"usage page, the city, {days} days",
                  f"/evaluations/usage/?date_from={first_day(days)}&date_to={end}",
                  reps=args.reps if days < 92 else max(3, args.reps // 2))
        county = Unit.objects.filter(kind=UnitKind.COUNTY).order_by("code").first()
        station = Unit.objects.filter(kind=UnitKind.STATION, county=county).order_by("code").first()
        window = Unit.objects.filter(kind=UnitKind.WINDOW, station=station).order_by("code").first()
        timed("usage page, a county, 92 days", f"/evaluations/usage/?unit={county.pk}&{period}")
        timed("usage page, a station, 92 days", f"/evaluations/usage/?unit={station.pk}&{period}")
        timed("usage page, a window with its officers, 92 days", f"/evaluations/usage/?window={window.pk}&{period}")
    if "ratings" in only:
        month = f"date_from={first_day(30)}&date_to={end}"
        first = timed("ratings list, the city, 30 days, first page", f"/evaluations/ratings/?{month}")
        cursor = re.search(r'href="\?([^"]*after=[^"]*)" rel="next"', first.content.decode()) if first else None
        if cursor:
            timed("ratings list, next page (keyset)", "/evaluations/ratings/?" + cursor.group(1).replace("&amp;", "&"))
        else:
            timed("ratings list, page 2", f"/evaluations/ratings/?{month}&page=2")
        timed("ratings list, ?page=200", f"/evaluations/ratings/?{month}&page=200")
        timed("ratings list, ?page=5000", f"/evaluations/ratings/?{month}&page=5000")
    if "api" in only:
        from api.keys import integration_key_create

        key = integration_key_create(actor=admin, name="bench/evaluator_city.py")
        headers = {"Authorization": f"Bearer {key.secret}"}
        since = f"{first_day(30)}T00:00:00+08:00"
        until = f"{end + datetime.timedelta(days=1)}T00:00:00+08:00"
        base = "/api/ratings?" + urlencode({"since": since, "until": until})
        first = timed("GET /api/ratings, city key, 30 days, page 1", base + "&page=1", headers)
        pages = first.json()["pages"]
        timed(f"GET /api/ratings, page {pages // 2} (middle)", base + f"&page={pages // 2}", headers)
        timed(f"GET /api/ratings, page {pages} (last)", base + f"&page={pages}", headers)
        print(f"/api/ratings: {first.json()['count']} ratings in {pages} pages")


if __name__ == "__main__":
    main()
