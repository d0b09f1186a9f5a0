"""Benchmark: the time from an officer's decision to the window's evaluator showing the rating screen.

Same server as bench/devices_idle.py (gunicorn gthread on a loopback port, a throwaway SQLite copy of the demo
database or the PostgreSQL database in DATABASE_URL). One device of the officer's window waits on
GET /api/devices/next; each round opens a case for an on-the-spot item with every material (not timed),
then the officer accepts it, which completes it and invites a rating, and the time is taken from just before
the decision is sent until the device's long poll returns that invitation. Usage:

    .venv/bin/python bench/rating_latency.py [--rounds 50] [--wait 25]
    DATABASE_URL=postgres://... .venv/bin/python bench/rating_latency.py [--via service] [--workers 2]

--via http (default) posts the decision to the same server (POST /counter/cases/<number>/decide/, as the
counter screen does). --via service decides in this process through counter.services, so on PostgreSQL
the wake-up crosses processes (NOTIFY -> the server's listener thread); SQLite has no such path.
"""

import argparse
import secrets
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from devices_idle import (  # noqa: E402
    HOST,
    PollStats,
    Server,
    long_poll,
    pair_devices,
    prepare_database,
    revoke_devices,
    setup_django,
)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def officer_session(officer) -> str:
    """A signed-in session for `officer`, made directly in the session store (no password needed)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(officer.pk)
    session[BACKEND_SESSION_KEY] = "org.backends.StaffBackend"
    session[HASH_SESSION_KEY] = officer.get_session_auth_hash()
    session.create()
    return session.session_key


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--wait", type=float, default=25, help="DEVICE_WAIT_SECONDS of the server")
    parser.add_argument("--via", choices=("http", "service"), default="http")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn worker processes")
    args = parser.parse_args()
    args.rounds = max(1, min(args.rounds, 500))
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bw-bench-") as workdir:
        database_url = prepare_database(Path(workdir))
        setup_django(database_url)
        run(database_url, args)


def run(database_url: str, args) -> None:
    import http.client

    from django.db import connection
    from django.utils import timezone

    from catalog.selectors import version_in_force
    from core.personal import id_check_digit
    from counter import services as counter
    from counter.models import Case
    from org.models import Staff

    vendor = connection.vendor
    if args.via == "service" and vendor != "postgresql":
        raise SystemExit("--via service needs PostgreSQL: on SQLite only the server's own process wakes devices")
    officer = Staff.objects.get(username="officer")
    window = officer.unit
    version = version_in_force(county=window.county, on=timezone.localdate())
    item = version.items.filter(time_limit_kind="on_the_spot").order_by("position").first()
    materials = [m.pk for m in counter.required_materials(item, [])]
    [device] = pair_devices(1, windows=[window])
    session_key = officer_session(officer)
    csrf = secrets.token_hex(16)  # an unmasked 32-character secret, as cookie and as form field
    connection.close()

    arrived: dict[int, float] = {}
    got = threading.Condition()

    def on_invite(invite, at):
        with got:
            arrived[invite["id"]] = at
            got.notify_all()

    latencies, decisions = [], []
    try:
        with Server(database_url, threads=20, wait_seconds=args.wait, workers=args.workers) as server:
            stop, stats = threading.Event(), PollStats()
            threading.Thread(target=long_poll, args=(server.port, device, stop, stats, args.wait, on_invite),
                             daemon=True).start()
            time.sleep(1.0)  # the device is waiting (an earlier unrated invitation of the demo came back at once)
            web = http.client.HTTPConnection(HOST, server.port, timeout=30)
            cookie = f"sessionid={session_key}; csrftoken={csrf}"
            for i in range(args.rounds):
                first17 = f"350102{1950 + i % 50}0101{(i * 7) % 1000:03d}"
                case = counter.case_open(
                    actor=officer, window=window, item=item,
                    applicant=counter.Applicant("测试", first17 + id_check_digit(first17), "13800138000"),
                )
                revision = Case.objects.values_list("revision", flat=True).get(pk=case.pk)
                connection.close()
                time.sleep(0.3)  # let the device's next long poll reach the server
                seen = set(arrived)
                start = time.perf_counter()
                if args.via == "http":
                    body = urlencode({"action": "accept", "revision": revision, "materials": materials,
                                      "csrfmiddlewaretoken": csrf}, doseq=True)
                    web.request("POST", f"/counter/cases/{case.number}/decide/", body=body, headers={
                        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
                    response = web.getresponse()
                    response.read()
                    if response.status != 302 or "/login/" in response.getheader("Location", ""):
                        raise SystemExit(f"the decision answered {response.status} {response.getheader('Location')}")
                else:
                    counter.case_accept(case=case, actor=officer, material_ids=materials)
                    connection.close()
                decisions.append((time.perf_counter() - start) * 1000)
                with got:
                    if not got.wait_for(lambda seen=seen: set(arrived) - seen, timeout=args.wait + 5):
                        raise SystemExit(f"round {i}: the device did not get the invitation ({stats})")
                    new = (set(arrived) - seen).pop()
                latencies.append((arrived[new] - start) * 1000)
            stop.set()
    finally:
        if vendor == "postgresql":
            revoke_devices([device])

    print(f"database: {vendor}; decision via {args.via}; gunicorn gthread, {args.workers} worker(s); "
          f"rounds: {len(latencies)}")
    for label, values in (("decision request", decisions), ("decision -> device", latencies)):
        print(f"{label:20s} median {statistics.median(values):7.1f} ms  p95 {percentile(values, .95):7.1f} ms  "
              f"max {max(values):7.1f} ms")
    print("goal: the device shows the rating screen at most 2000 ms after the decision")


if __name__ == "__main__":
    main()
