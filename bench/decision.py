"""Benchmark: the server time of one counter decision request (POST /counter/cases/<n>/decide/).

Runs against the demo database (loads it if empty) through Django's test client, so it measures
the whole request inside the server (middleware, form, service, audit, document numbering and
snapshot) without the network. Usage:

    .venv/bin/python bench/decision.py [--n 200]
    DATABASE_URL=postgres://... .venv/bin/python bench/decision.py

Each round opens a fresh case with materials missing (not timed), then times a one-time notice
decision and an accept decision.
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
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from catalog.selectors import version_in_force  # noqa: E402
from core.personal import id_check_digit  # noqa: E402
from counter import services  # noqa: E402
from counter.models import Case  # noqa: E402
from org.models import Staff, Unit  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    call_command("migrate", verbosity=0)
    if not Unit.objects.exists():
        call_command("demo_seed", verbosity=0)
    officer = Staff.objects.get(username="officer")
    window = officer.unit
    version = version_in_force(county=window.county, on=timezone.localdate())
    item = version.items.get(name="居民身份证首次申领") if version.items.filter(
        name="居民身份证首次申领").exists() else version.items.exclude(time_limit_kind="on_the_spot").first()
    required = services.required_materials(item, [])
    client = Client()
    client.force_login(officer)
    timings = {"notice": [], "accept": []}
    for i in range(args.n):
        first17 = f"350102{1980 + i % 40}0101{i % 1000:03d}"
        case = services.case_open(
            actor=officer, window=window, item=item,
            applicant=services.Applicant("测试", first17 + id_check_digit(first17), "13800138000"),
            material_ids=[required[0].pk],
        )
        url = reverse("counter:case_decide", args=[case.number])
        for action, materials in (("notice", []), ("accept", [m.pk for m in required[1:]])):
            revision = Case.objects.values_list("revision", flat=True).get(pk=case.pk)
            start = time.perf_counter()
            response = client.post(url, {"action": action, "revision": revision, "materials": materials})
            timings[action].append((time.perf_counter() - start) * 1000)
            assert response.status_code == 302, (action, response.status_code)
    print(f"database: {connection.vendor}; cases in database: {Case.objects.count()}; rounds: {args.n}")
    for action, values in timings.items():
        print(f"{action:7s} median {statistics.median(values):6.1f} ms  p95 {percentile(values, 0.95):6.1f} ms  "
              f"max {max(values):6.1f} ms")


if __name__ == "__main__":
    main()
