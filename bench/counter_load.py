"""Benchmark: the real counter against a bare signed-in one-INSERT view, served by the same gunicorn in one run.

One gunicorn (gthread, like docs/operations.md section 5: --workers 3 --threads 400) serves the real settings
and URLs plus /bench/bare/ (bench/bare/: behind login_required, session sign-in, CSRF-checked POST, one INSERT
into a table this script makes with raw SQL, then a 302). In the same run, on that server:

1. sign-in burst: --signins concurrent real sign-ins (GET the page, POST the form with its CSRF token), each
   from its own client address (X-Real-IP, as nginx sends it), then the same burst from one address;
2. counter phase: --windows threads, each signed in as its window's officer, doing whole cases the way the
   browser posts the forms: GET the new-case form of an item, POST the intake (all materials and accept; or
   materials missing and a one-time notice, the applicant coming back later with them and the case accepted;
   or occasionally registered and refused), complete the accepted cases, following each redirect as the
   browser does (case page, notice print page), with --pace seconds of thinking between steps (0 or --max:
   none);
3. bare phase: as many threads as windows, the same sessions and pace, POSTing the bare view.

It reports, per step kind: requests, requests per second, p50/p95/p99 latency, errors (non-2xx/3xx or no
answer); per phase: server CPU seconds per request (utime+stime of the gunicorn processes, /proc), the most
PostgreSQL connections the server held (pg_stat_activity, sampled every second) and the ratio of the counter's
throughput to the bare view's; then the queries of each step, run once through Django's test client under
CaptureQueriesContext in this process (after a warm-up case).

Database: by default a fresh PostgreSQL database --db-name (bw_load_demo), migrated and seeded with
`manage.py demo_seed`. --city runs on bw_load_city, a copy of bw_city (bench/cityyear.py) made with
CREATE DATABASE ... TEMPLATE bw_city (bw_city itself is only read). --database-url runs on any other
PostgreSQL database. The run writes to the database it uses: cases, sessions, the bench table, and, when there
are fewer window officers than needed, new stations, windows and officers (codes with an "L", user names
load_...); it sets the password of the officers of the sign-in burst. Use a throwaway database.

Usage (PostgreSQL at 127.0.0.1:5432, user postgres, or --admin-url):

    .venv/bin/python bench/counter_load.py --windows 10 --max
    .venv/bin/python bench/counter_load.py --windows 300 --pace 30 --seconds 60
    .venv/bin/python bench/counter_load.py --city --windows 100 --max

Each phase runs --warmup + --seconds (at most 600); the whole run stops on its own.
"""

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

HOST = "127.0.0.1"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SETTINGS_MODULE = "bench.bare.settings"
BARE_PATH = "/bench/bare/"
LOGIN_PATH = "/accounts/login/"
SERVER_APP_NAME = "bw_load_server"  # application_name of the server's connections (PGAPPNAME)
BENCH_PASSWORD = "Bench-load-2026-window"  # set on the sign-in burst's officers, in the bench database only
CITY_TEMPLATE = "bw_city"
NOTICE_SHARE = 0.35  # of new cases: materials missing, one-time notice, the applicant comes back later
REFUSE_SHARE = 0.05  # of new cases: registered, then refused
DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
REFUSAL = {"legal_basis": "《中华人民共和国户口登记条例》第十条",
           "explanation": "申请事项不属于本机关职权范围，请向户籍所在地公安机关申请。"}


# --- the database ---------------------------------------------------------------------------------------------


def url_with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def admin_connection(admin_url: str):
    import psycopg

    return psycopg.connect(admin_url, autocommit=True)


def database_exists(admin, name: str) -> bool:
    return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def database_recreate(admin, name: str, template: str | None = None) -> None:
    """Drop (if there) and create `name`, a bw_load* database of this benchmark."""
    from psycopg import errors, sql

    if not name.startswith("bw_load"):
        raise SystemExit(f"refusing to drop and create {name!r}: this benchmark only makes bw_load* databases")
    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    try:
        admin.execute(statement)
    except errors.ObjectInUse as exc:
        raise SystemExit(f"cannot copy {template}: {exc} (is it still being generated?)") from exc


def prepare_database(args) -> tuple[str, bool]:
    """The DATABASE_URL to run on, and whether it was just created empty (to be migrated and seeded)."""
    if args.database_url:
        if database_name(args.database_url) == CITY_TEMPLATE:
            raise SystemExit(f"never run on {CITY_TEMPLATE} itself: use --city, which runs on a copy")
        return args.database_url, False
    admin = admin_connection(args.admin_url)
    try:
        if args.city:
            if not database_exists(admin, CITY_TEMPLATE):
                raise SystemExit(f"no database {CITY_TEMPLATE} yet (bench/cityyear.py makes it)")
            name = "bw_load_city"
            if not (args.reuse and database_exists(admin, name)):
                print(f"copying {CITY_TEMPLATE} to {name} ...", flush=True)
                database_recreate(admin, name, template=CITY_TEMPLATE)
            return url_with_database(args.admin_url, name), False
        name = args.db_name
        if args.reuse and database_exists(admin, name):
            return url_with_database(args.admin_url, name), False
        database_recreate(admin, name)
        return url_with_database(args.admin_url, name), True
    finally:
        admin.close()


def setup_django(database_url: str, fresh: bool, server_pool: int | None) -> dict:
    """Configure Django in this process; return the environment for the server (which keeps the connection pool;
    this process, single-threaded on the database, does without)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    from bench_env import bench_environment

    bench_environment()
    server_env = dict(os.environ)
    if server_pool is not None:
        server_env["DB_POOL_MAX_SIZE"] = str(server_pool)
    server_env.update({"PGAPPNAME": SERVER_APP_NAME, "TRUSTED_PROXY_ADDRESS_HEADER": "HTTP_X_REAL_IP",
                       "LOG_LEVEL": "ERROR"})
    os.environ["DB_POOL_MAX_SIZE"] = "0"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.bare.views import TABLE_SQL
    from org.models import Unit

    if connection.vendor != "postgresql":
        raise SystemExit("this benchmark runs on PostgreSQL (--database-url postgres://...)")
    call_command("migrate", verbosity=0)
    if fresh or not Unit.objects.exists():
        print("loading the demo city (demo_seed) ...", flush=True)
        call_command("demo_seed", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(TABLE_SQL)
    return server_env


# --- windows, officers and their sessions -----------------------------------------------------------------------


@dataclass(frozen=True)
class ItemInfo:
    id: int
    on_the_spot: bool
    required: tuple[int, ...]  # required with no condition ticked


@dataclass
class Window:
    index: int
    officer_id: int
    username: str
    unit_id: int
    address: str  # the client address nginx would pass (X-Real-IP)
    items: list[ItemInfo]
    session_key: str = ""
    device_token: str = ""


_items_by_county: dict[int, list[ItemInfo]] = {}


def county_items(county) -> list[ItemInfo]:
    """The items of the guide in force in `county` today that a notice can be issued for."""
    from catalog.selectors import version_in_force
    from core import clock
    from counter.services import required_materials

    if county.pk not in _items_by_county:
        version = version_in_force(county=county, on=clock.today())
        items = []
        if version is not None:
            for item in version.items.prefetch_related("materials").order_by("pk"):
                required = tuple(m.pk for m in required_materials(item, []))
                if required:
                    items.append(ItemInfo(item.pk, item.is_on_the_spot, required))
        _items_by_county[county.pk] = items
    return _items_by_county[county.pk]


def window_officers() -> list:
    """One officer per window who may decide (R8, R11), whose county has a guide in force; by window code."""
    from org.models import Category, DutyStatus, Role, Staff, UnitKind
    from org.services import staff_decision_problem

    people = (Staff.objects.filter(is_active=True, role=Role.WINDOW_OFFICER, category=Category.OFFICER,
                                   law_enforcement_qualified=True, duty_status=DutyStatus.ON_DUTY,
                                   unit__kind=UnitKind.WINDOW)
              .select_related("unit", "unit__county").order_by("unit__code", "pk"))
    chosen, seen = [], set()
    for person in people:
        if person.unit_id in seen or staff_decision_problem(person) or not county_items(person.unit.county):
            continue
        seen.add(person.unit_id)
        chosen.append(person)
    return chosen


def windows_add(missing: int) -> None:
    """Open bench stations of three windows each under the counties in turn, one officer per window."""
    from django.contrib.auth.hashers import make_password

    from org.models import Category, DutyStatus, Role, Staff, Unit, UnitKind
    from org.services import unit_create

    counties = [c for c in Unit.objects.filter(kind=UnitKind.COUNTY).order_by("code") if county_items(c)]
    if not counties:
        raise SystemExit("no county with a guide in force: load the demo city first")
    password = make_password(BENCH_PASSWORD)  # one hash for all: hashing hundreds would take minutes
    print(f"opening {missing} bench windows with their officers ...", flush=True)
    n = 0
    while missing > 0:
        n += 1
        county = counties[n % len(counties)]
        code = f"{county.code}L{n:03d}"
        if Unit.objects.filter(code=code).exists():
            continue
        station = unit_create(name=f"压测{n}号派出所", code=code, kind=UnitKind.STATION, parent=county,
                              doc_prefix=f"{county.doc_prefix[:2]}测{n}户")
        for w in range(1, 4):
            if missing <= 0:
                break
            window = unit_create(name=f"{station.name}{w}号窗口", code=f"{code}W{w}", kind=UnitKind.WINDOW,
                                 parent=station)
            Staff.objects.create(username=f"load_{window.code}".lower(), full_name=f"压测民警{n}-{w}", unit=window,
                                 role=Role.WINDOW_OFFICER, category=Category.OFFICER, law_enforcement_qualified=True,
                                 duty_status=DutyStatus.ON_DUTY, police_number=f"L{n:03d}{w}", password=password)
            missing -= 1


def officer_session(officer) -> str:
    """A signed-in session made in the session store, as a sign-in (org.sessions.session_start) leaves it."""
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from core import clock
    from org.sessions import SEEN

    session = SessionStore()
    session[SESSION_KEY] = str(officer.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = officer.get_session_auth_hash()
    now = clock.now()
    session.set_expiry(now + timedelta(seconds=settings.SESSION_COOKIE_AGE))
    session[SEEN] = int(now.timestamp())
    session.create()
    return session.session_key


def prepare_windows(count: int, signins: int) -> tuple[list[Window], list[str]]:
    """`count` windows with a session each, and the user names of the sign-in burst (password BENCH_PASSWORD)."""
    from django.contrib.auth.hashers import make_password

    from org.models import Staff

    officers = window_officers()
    needed = max(count, signins)
    if len(officers) < needed:
        windows_add(needed - len(officers))
        officers = window_officers()
    burst = officers[:signins]
    if burst:
        Staff.objects.filter(pk__in=[o.pk for o in burst]).update(password=make_password(BENCH_PASSWORD))
        for officer in burst:
            officer.refresh_from_db(fields=["password"])
    windows = []
    for i, officer in enumerate(officers[:count]):
        windows.append(Window(i, officer.pk, officer.username, officer.unit_id,
                              f"10.77.{i // 250}.{i % 250 + 1}", county_items(officer.unit.county)))
        windows[-1].session_key = officer_session(officer)
    return windows, [o.username for o in burst]


# --- the browser ----------------------------------------------------------------------------------------------

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
MATERIAL_RE = re.compile(r'name="materials" value="(\d+)"')
REVISION_RE = re.compile(r'name="revision" value="(\d+)"')
CASE_LINK_RE = re.compile(r'href="(/counter/cases/[^"/]+/)"')
WINDOW_SELECT_RE = re.compile(r'<select name="window"[^>]*>(.*?)</select>', re.S)
SELECTED_RE = re.compile(r'<option value="(\d+)"[^>]*selected')
DECIDE_FORM_RE = re.compile(r'id="decide-form">(.*?)</form>', re.S)
ERROR_TEXT_RE = re.compile(r'class="(?:error-text|alert[^"]*)"[^>]*>([^<]{1,120})')


@dataclass
class Answer:
    status: int
    location: str
    body: str


class Browser:
    """One client on one keep-alive connection with its cookie jar; sends X-Real-IP like nginx when it has one."""

    def __init__(self, port: int, address: str | None, timeout: float = 90):
        self.port, self.address, self.timeout = port, address, timeout
        self.conn: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, fields: dict | None = None, *, json_body: str | None = None,
                headers: dict | None = None) -> Answer:
        headers = {"User-Agent": "bw-counter-load", "Accept": "text/html", **(headers or {})}
        if self.address:
            headers["X-Real-IP"] = self.address
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://{HOST}:{self.port}"
        elif json_body is not None:
            body = json_body.encode()
            headers["Content-Type"] = "application/json"
        if self.conn is None:
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        try:
            self.conn.request(method, path, body, headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        for cookie in response.headers.get_all("Set-Cookie") or []:
            self._keep(cookie)
        if response.will_close:
            self.close()
        return Answer(response.status, response.getheader("Location", ""), data.decode("utf-8", "replace"))

    def _keep(self, header: str) -> None:
        pair, _sep, attributes = header.partition(";")
        name, _eq, value = pair.strip().partition("=")
        attributes = attributes.lower()
        if "max-age=0" in attributes or "01 jan 1970" in attributes or value in ("", '""'):
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = value

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn = None


def csrf_of(html: str) -> str:
    found = CSRF_RE.search(html)
    return found.group(1) if found else ""


# --- what each thread records ---------------------------------------------------------------------------------


@dataclass
class Record:
    kind: str
    start: float
    end: float
    status: int  # 0: no answer (connection error, timeout)


@dataclass
class Recorder:
    records: list[Record] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)  # a few error descriptions
    cases_done: int = 0


class StepFailed(Exception):
    pass


class Actor:
    """Base of the load threads: timed steps, think time."""

    def __init__(self, port: int, window: Window, pace: float, stop: threading.Event, seed: int):
        self.window, self.pace, self.stop = window, pace, stop
        self.rng = random.Random(seed)
        self.browser = Browser(port, window.address)
        self.browser.cookies["sessionid"] = window.session_key
        self.rec = Recorder()

    def step(self, kind: str, method: str, path: str, fields: dict | None = None, **extra) -> Answer:
        start = time.perf_counter()
        try:
            answer = self.browser.request(method, path, fields, **extra)
        except (OSError, http.client.HTTPException) as exc:
            self._record(kind, start, 0, f"{kind}: {exc!r}")
            raise StepFailed(kind) from exc
        if not 200 <= answer.status < 400:
            why = ERROR_TEXT_RE.search(answer.body)
            self._record(kind, start, answer.status,
                         f"{kind} {method} {path}: {answer.status} {why.group(1).strip() if why else ''}")
            raise StepFailed(kind)
        self._record(kind, start, answer.status)
        return answer

    def _record(self, kind: str, start: float, status: int, sample: str = "") -> None:
        self.rec.records.append(Record(kind, start, time.perf_counter(), status))
        if sample and len(self.rec.samples) < 5:
            self.rec.samples.append(sample)

    def think(self) -> None:
        """Pause like a person between two steps; raise StepFailed to leave the case when the phase ends."""
        if self.pace > 0:
            self.stop.wait(self.rng.uniform(0.5, 1.5) * self.pace)
        if self.stop.is_set():
            raise StepFailed("stopped")

    def start_delay(self) -> None:
        self.stop.wait(self.rng.uniform(0, self.pace) if self.pace > 0 else self.rng.uniform(0, 1))

    def run(self) -> None:
        self.start_delay()
        while not self.stop.is_set():
            try:
                self.once()
            except StepFailed:
                if not self.stop.is_set():
                    self.stop.wait(self.pace or 0.2)  # after an error, as a person would look and retry
            except Exception as exc:  # noqa: BLE001  (a parsing surprise must not kill the thread silently)
                self._record("client_bug", time.perf_counter(), 0, f"client: {exc!r}")
                self.stop.wait(1)
        self.browser.close()

    def once(self) -> None:
        raise NotImplementedError


class Officer(Actor):
    """A window officer doing whole cases, as the browser posts the counter's forms."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pending: deque = deque()  # ("return", case path, item) | ("complete", case path, item)
        self.serial = 0

    def applicant(self) -> dict:
        from core.personal import id_check_digit

        self.serial += 1
        rng = self.rng
        first17 = f"350102{rng.randint(1960, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}" \
                  f"{rng.randint(0, 999):03d}"
        return {"applicant_name": f"压测{self.window.index}号{self.serial}",
                "applicant_phone": f"139{rng.randint(0, 99999999):08d}",
                "applicant_id_number": first17 + id_check_digit(first17)}

    def once(self) -> None:
        if self.pending and (len(self.pending) >= 3 or self.rng.random() < 0.5):
            job, case_path, item = self.pending.popleft()
            if job == "return":
                self.applicant_returns(case_path, item)
            else:
                self.complete(case_path)
        else:
            self.new_case()

    def new_case(self) -> None:
        item = self.rng.choice(self.window.items)
        form = self.step("form", "GET", f"/counter/new/{item.id}/")
        materials = [int(m) for m in MATERIAL_RE.findall(form.body)]
        select = WINDOW_SELECT_RE.search(form.body)
        selected = SELECTED_RE.search(select.group(1)) if select else None
        fields = {"csrfmiddlewaretoken": csrf_of(form.body), **self.applicant(),
                  "window": selected.group(1) if selected else str(self.window.unit_id)}
        self.think()  # typing the applicant, ticking the materials
        roll = self.rng.random()
        if roll < REFUSE_SHARE:
            page = self.post_and_follow("intake_save", f"/counter/new/{item.id}/",
                                        {**fields, "materials": materials, "action": "save"})
            self.think()
            self.decide("decide_refuse", page, {"action": "refuse", **REFUSAL})
            self.rec.cases_done += 1
        elif roll < REFUSE_SHARE + NOTICE_SHARE:
            missing = self.rng.choice(item.required)
            answer = self.step("intake_notice", "POST", f"/counter/new/{item.id}/",
                               {**fields, "materials": [m for m in materials if m != missing], "action": "notice"})
            document = self.step("document", "GET", answer.location)  # the notice's print view
            link = CASE_LINK_RE.search(document.body)
            if not link:
                raise StepFailed("no case link on the notice page")
            self.pending.append(("return", link.group(1), item))
            self.think()
        else:
            page = self.post_and_follow("intake_accept", f"/counter/new/{item.id}/",
                                        {**fields, "materials": materials, "action": "accept"})
            if item.on_the_spot:
                self.rec.cases_done += 1
            else:
                self.pending.append(("complete", urlsplit(page.location).path, item))
            self.think()

    def post_and_follow(self, kind: str, path: str, fields: dict) -> Answer:
        """POST a form and GET the page it redirects to, as the browser does; the answer's location is that page."""
        answer = self.step(kind, "POST", path, fields)
        if answer.status != 302 or not answer.location:
            raise StepFailed(f"{kind}: {answer.status} without a redirect")
        page = self.step("case_page" if "/cases/" in answer.location else "document", "GET", answer.location)
        page.location = answer.location
        return page

    def decide(self, kind: str, page: Answer, fields: dict) -> Answer:
        revision = REVISION_RE.search(page.body)
        if not revision:
            raise StepFailed(f"{kind}: no decision form on the case page")
        case_path = urlsplit(page.location).path
        return self.post_and_follow(kind, f"{case_path}decide/", {
            "csrfmiddlewaretoken": csrf_of(page.body), "revision": revision.group(1), **fields})

    def open_case(self, case_path: str) -> Answer:
        page = self.step("case_page", "GET", case_path)
        page.location = case_path
        return page

    def applicant_returns(self, case_path: str, item: ItemInfo) -> None:
        page = self.open_case(case_path)
        self.think()  # checking what was brought
        form = DECIDE_FORM_RE.search(page.body)
        materials = MATERIAL_RE.findall(form.group(1)) if form else []
        page = self.decide("decide_accept", page, {"action": "accept", "materials": materials})
        if item.on_the_spot:
            self.rec.cases_done += 1
        else:
            self.pending.append(("complete", case_path, item))
        self.think()

    def complete(self, case_path: str) -> None:
        page = self.open_case(case_path)
        self.think()
        self.decide("decide_complete", page, {"action": "complete"})
        self.rec.cases_done += 1
        self.think()


class BareUser(Actor):
    """The same officer's session POSTing the bare view."""

    token = ""

    def once(self) -> None:
        if not self.token:
            self.token = csrf_of(self.step("bare_form", "GET", BARE_PATH).body)
        self.step("bare", "POST", BARE_PATH, {"csrfmiddlewaretoken": self.token, "note": f"w{self.window.index}"})
        self.think()


class Evaluator(Actor):
    """The window's tablet: waits on GET /api/devices/next (the long poll) and rates what it is shown, as
    device.js does; it runs through the counter phase, so the server serves both at once."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.browser.cookies.pop("sessionid", None)  # a device proves itself with its token, never a session
        self.after = 0

    def run(self) -> None:
        self.stop.wait(self.rng.uniform(0, 2))
        while not self.stop.is_set():
            try:
                self.once()
            except StepFailed:
                self.stop.wait(1)
            except Exception as exc:  # noqa: BLE001
                self._record("client_bug", time.perf_counter(), 0, f"client: {exc!r}")
                self.stop.wait(1)
        self.browser.close()

    def once(self) -> None:
        headers = {"Authorization": f"Device {self.window.device_token}"}
        answer = self.step("evaluator_wait", "GET", f"/api/devices/next?after={self.after}", headers=headers)
        if answer.status != 200:
            return
        invite = json.loads(answer.body)["invite"]
        self.after = invite["id"]
        self.stop.wait(self.rng.uniform(1, 3))  # the applicant taps
        body = json.dumps({"invite_id": invite["id"], "level": self.rng.choice([5, 5, 5, 4, 3]),
                           "idempotency_key": f"bench{invite['id']}x{self.rng.randrange(10**9)}"})
        self.step("evaluator_rate", "POST", "/api/devices/ratings", json_body=body, headers=headers)


def devices_pair(windows: list[Window]) -> None:
    """Give each window an evaluator (a Device row with a known token), revoking any it had."""
    import hashlib
    import secrets

    from core import clock
    from core.models import scope_fields
    from evaluations.models import Device
    from org.models import Staff, Unit

    now = clock.now()
    units = Unit.objects.in_bulk([w.unit_id for w in windows])
    Device.objects.filter(window_id__in=list(units), revoked_at__isnull=True).update(revoked_at=now)
    devices = []
    for w in windows:
        w.device_token = secrets.token_urlsafe(32)
        unit = units[w.unit_id]
        devices.append(Device(**scope_fields(unit, window=True), name="压测评价器",
                              token_hash=hashlib.sha256(w.device_token.encode()).hexdigest(), paired_at=now,
                              paired_by=Staff.objects.get(pk=w.officer_id), last_seen_at=now))
    Device.objects.bulk_create(devices)


# --- the server and the database's connections ----------------------------------------------------------------


class LoadServer:
    """gunicorn as in docs/operations.md on a free loopback port: started (answers /healthz), stopped on exit."""

    def __init__(self, env: dict, *, workers: int, threads: int):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((HOST, 0))
            self.port = s.getsockname()[1]
        self.env = env
        self.args = [
            sys.executable, "-m", "gunicorn", "config.wsgi:application", "--worker-class", "gthread",
            "--workers", str(workers), "--threads", str(threads), "--bind", f"{HOST}:{self.port}",
            "--timeout", "60", "--keep-alive", "75", "--graceful-timeout", "5", "--log-level", "warning",
        ]
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "LoadServer":
        self.process = subprocess.Popen(self.args, cwd=ROOT, env=self.env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    return self
            except OSError:
                pass
            if self.process.poll() is not None:
                raise SystemExit("gunicorn exited at start")
            time.sleep(0.3)
        self.__exit__()
        raise SystemExit("gunicorn did not answer /healthz within 60 s")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def pids(self) -> list[int]:
        """The master and its workers."""
        master = self.process.pid
        pids = [master]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                    pids.append(int(entry.name))
        return pids

    def cpu_seconds(self) -> float:
        """utime + stime of the master and its workers (fields 14 and 15 of /proc/<pid>/stat), in seconds."""
        total = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total / CLOCK_TICKS


def process_cpu(pid: int) -> float:
    """utime + stime of a process in seconds (0 when it is gone or not readable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class ConnectionSampler(threading.Thread):
    """Every second: how many connections the server (application_name) and everyone hold on the database."""

    def __init__(self, admin_url: str, database: str):
        super().__init__(daemon=True)
        self.admin_url, self.database = admin_url, database
        self.samples: list[tuple[float, int, int, frozenset, dict]] = []
        self.halt = threading.Event()

    def run(self) -> None:
        conn = admin_connection(self.admin_url)
        try:
            while not self.halt.is_set():
                rows = conn.execute(
                    "SELECT pid, backend_start, application_name FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()", [self.database]).fetchall()
                ours = frozenset((pid, start) for pid, start, app in rows if app == SERVER_APP_NAME)
                self.samples.append((time.perf_counter(), len(ours), len(rows), ours,
                                     {key: process_cpu(key[0]) for key in ours}))
                self.halt.wait(1)
        finally:
            conn.close()

    def between(self, t0: float, t1: float) -> dict:
        chosen = [s for s in self.samples if t0 <= s[0] <= t1]
        backends = set().union(*(s[3] for s in chosen)) if chosen else set()
        seen: dict = {}
        for sample in chosen:
            for key, cpu in sample[4].items():
                low, high = seen.get(key, (cpu, cpu))
                seen[key] = (min(low, cpu), max(high, cpu))
        return {"server_max": max((s[1] for s in chosen), default=0),
                "all_max": max((s[2] for s in chosen), default=0), "server_backends": len(backends),
                "backend_cpu": sum(high - low for low, high in seen.values())}


# --- the phases -------------------------------------------------------------------------------------------------


def machine_busy_seconds() -> float:
    """CPU seconds all cores of this machine spent not idle since boot (/proc/stat), to see what others used."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / CLOCK_TICKS  # minus idle and iowait; guest is in user


@dataclass
class PhaseResult:
    name: str
    seconds: float
    records: list[Record]
    cpu: float
    client_cpu: float
    machine_cpu: float
    connections: dict
    cases_done: int
    samples: list[str]
    threads_left: int


def run_phase(name: str, actors: list[Actor], args, server: LoadServer, sampler: ConnectionSampler,
              stop: threading.Event) -> PhaseResult:
    print(f"phase {name}: {len(actors)} threads, warm-up {args.warmup:g} s, measured {args.seconds:g} s ...",
          flush=True)
    began = time.perf_counter()
    threads = [threading.Thread(target=a.run, daemon=True, name=f"{name}-{i}") for i, a in enumerate(actors)]
    for thread in threads:
        thread.start()
    time.sleep(args.warmup)
    cpu0, client0, busy0, t0 = server.cpu_seconds(), time.process_time(), machine_busy_seconds(), time.perf_counter()
    cases0 = sum(a.rec.cases_done for a in actors)
    time.sleep(args.seconds)
    cpu1, client1, busy1, t1 = server.cpu_seconds(), time.process_time(), machine_busy_seconds(), time.perf_counter()
    cases1 = sum(a.rec.cases_done for a in actors)
    stop.set()
    deadline = time.monotonic() + 60
    for thread in threads:
        thread.join(max(0.1, deadline - time.monotonic()))
    left = sum(t.is_alive() for t in threads)
    records = [r for a in actors for r in a.rec.records if t0 <= r.end <= t1]
    samples = [s for a in actors for s in a.rec.samples][:8]
    connections = sampler.between(began, time.perf_counter())
    connections["backend_cpu"] = sampler.between(t0, t1)["backend_cpu"]
    return PhaseResult(name, t1 - t0, records, cpu1 - cpu0, client1 - client0, busy1 - busy0,
                       connections, cases1 - cases0, samples, left)


@dataclass
class SigninResult:
    label: str
    statuses: dict
    latencies: list[float]
    wall: float
    cpu: float
    connections: dict
    samples: list[str]


def signin_burst(port: int, usernames: list[str], one_address: bool, server: LoadServer,
                 sampler: ConnectionSampler) -> SigninResult:
    """Every user GETs the sign-in page, then all POST the form at once."""
    barrier = threading.Barrier(len(usernames) + 1)
    statuses: dict = {}
    latencies: list[float] = []
    samples: list[str] = []
    lock = threading.Lock()

    def one(i: int, username: str) -> None:
        browser = Browser(port, None if one_address else f"10.78.{i // 250}.{i % 250 + 1}")
        status, elapsed, why = 0, 0.0, ""
        try:
            page = browser.request("GET", LOGIN_PATH)
        except (OSError, http.client.HTTPException) as exc:
            page, why = None, repr(exc)
        try:
            barrier.wait(60)
        except threading.BrokenBarrierError:
            pass
        if page is not None:
            start = time.perf_counter()
            try:
                answer = browser.request("POST", LOGIN_PATH, {"csrfmiddlewaretoken": csrf_of(page.body),
                                                              "username": username, "password": BENCH_PASSWORD,
                                                              "next": ""})
                status = answer.status
                if status != 302:
                    found = ERROR_TEXT_RE.search(answer.body)
                    why = f"{status} {found.group(1).strip() if found else ''}"
            except (OSError, http.client.HTTPException) as exc:
                why = repr(exc)
            elapsed = time.perf_counter() - start
        browser.close()
        with lock:
            statuses[status] = statuses.get(status, 0) + 1
            latencies.append(elapsed)
            if why and len(samples) < 3:
                samples.append(why)

    threads = [threading.Thread(target=one, args=(i, u), daemon=True) for i, u in enumerate(usernames)]
    for thread in threads:
        thread.start()
    barrier.wait(60)
    began, cpu0 = time.perf_counter(), server.cpu_seconds()
    for thread in threads:
        thread.join(120)
    wall, cpu = time.perf_counter() - began, server.cpu_seconds() - cpu0
    time.sleep(1.1)  # one more connection sample
    label = "one client address" if one_address else "one address each"
    return SigninResult(label, statuses, latencies, wall, cpu, sampler.between(began, time.perf_counter()), samples)


# --- queries per step (in this process) -------------------------------------------------------------------------


def queries_per_step(window: Window) -> list[tuple[str, int, float, int]]:
    """Each step once through the test client under CaptureQueriesContext, after one warm-up round of them all:
    (step, queries, CPU ms in this process, status)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from core.personal import id_check_digit

    client = Client()
    client.cookies["sessionid"] = window.session_key
    spot = next((i for i in window.items if i.on_the_spot), None)
    days = next((i for i in window.items if not i.on_the_spot), None)
    rows: list[tuple[str, int, float, int]] = []
    serial = [0]

    def timed(label: str, method: str, path: str, data: dict | None = None):
        with CaptureQueriesContext(connection) as queries:
            cpu = time.process_time()
            response = client.post(path, data) if method == "POST" else client.get(path)
            cpu = time.process_time() - cpu
        rows.append((label, len(queries), cpu * 1000, response.status_code))
        return response

    def intake(label: str, item: ItemInfo, action: str, missing: bool):
        body = timed("form GET", "GET", f"/counter/new/{item.id}/").content.decode()
        serial[0] += 1
        first17 = f"35010219800101{serial[0] % 1000:03d}"
        materials = [int(m) for m in MATERIAL_RE.findall(body)]
        if missing:
            materials = [m for m in materials if m != item.required[0]]
        return timed(label, "POST", f"/counter/new/{item.id}/", {
            "applicant_name": "压测", "applicant_id_number": first17 + id_check_digit(first17),
            "applicant_phone": "13800138000", "window": window.unit_id, "materials": materials, "action": action})

    def case_page(path: str):
        body = timed("case page GET", "GET", path).content.decode()
        found = REVISION_RE.search(body)
        form = DECIDE_FORM_RE.search(body)
        return (found.group(1) if found else "0"), (MATERIAL_RE.findall(form.group(1)) if form else [])

    def round_of_steps() -> None:
        rows.clear()
        if days is not None:
            answer = intake("intake POST accept (working days)", days, "accept", missing=False)
            revision, _m = case_page(answer["Location"])
            timed("decide POST complete", "POST", answer["Location"] + "decide/",
                  {"action": "complete", "revision": revision})
        if spot is not None:
            intake("intake POST accept (on the spot: completed)", spot, "accept", missing=False)
        item = days or spot
        answer = intake("intake POST notice", item, "notice", missing=True)
        document = timed("notice print page GET", "GET", answer["Location"]).content.decode()
        case_path = CASE_LINK_RE.search(document).group(1)
        revision, materials = case_page(case_path)
        timed("decide POST accept (after notice)", "POST", case_path + "decide/",
              {"action": "accept", "revision": revision, "materials": materials})
        answer = intake("intake POST save (register only)", item, "save", missing=False)
        revision, _m = case_page(answer["Location"])
        timed("decide POST refuse", "POST", answer["Location"] + "decide/",
              {"action": "refuse", "revision": revision, **REFUSAL})
        timed("bare GET", "GET", BARE_PATH)
        timed("bare POST", "POST", BARE_PATH, {"note": "q"})

    round_of_steps()  # warm-up: templates, translations, caches
    round_of_steps()
    connection.close()
    seen, unique = set(), []
    for row in rows:  # a step that ran several times (form, case page): its first measured run
        if row[0] not in seen:
            seen.add(row[0])
            unique.append(row)
    return unique


# --- the report -------------------------------------------------------------------------------------------------

STEP_ORDER = ["form", "intake_accept", "intake_notice", "intake_save", "document", "case_page", "decide_accept",
              "decide_complete", "decide_refuse", "bare_form", "bare", "client_bug"]
DECISIONS = {"intake_accept", "intake_notice", "intake_save", "decide_accept", "decide_complete", "decide_refuse"}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] if ordered else 0.0


def is_error(status: int) -> bool:
    return not 200 <= status < 400


def phase_report(result: PhaseResult) -> dict:
    kinds = sorted({r.kind for r in result.records}, key=lambda k: STEP_ORDER.index(k) if k in STEP_ORDER else 99)
    left = f"; {result.threads_left} threads still in a request at the end" if result.threads_left else ""
    print(f"\n== {result.name}: measured {result.seconds:.1f} s{left}")
    print(f"{'step':16s} {'requests':>8s} {'req/s':>7s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s} {'errors':>7s}  "
          f"statuses")
    for kind in kinds:
        rows = [r for r in result.records if r.kind == kind]
        ms = [(r.end - r.start) * 1000 for r in rows]
        statuses: dict = {}
        for r in rows:
            statuses[r.status] = statuses.get(r.status, 0) + 1
        errors = sum(n for s, n in statuses.items() if is_error(s))
        print(f"{kind:16s} {len(rows):8d} {len(rows) / result.seconds:7.2f} {percentile(ms, .5):8.0f} "
              f"{percentile(ms, .95):8.0f} {percentile(ms, .99):8.0f} {errors:7d}  "
              + " ".join(f"{s or 'no-answer'}:{n}" for s, n in sorted(statuses.items())))
    # The evaluators' long polls wait by design: they are listed above and left out of the totals.
    records = [r for r in result.records if not r.kind.startswith("evaluator")]
    total = len(records)
    errors = sum(is_error(r.status) for r in result.records)
    ms = [(r.end - r.start) * 1000 for r in records]
    label = "all but evaluators" if len(records) < len(result.records) else "all"
    print(f"{label:16s} {total:8d} {total / result.seconds:7.2f} {percentile(ms, .5):8.0f} {percentile(ms, .95):8.0f} "
          f"{percentile(ms, .99):8.0f} {errors:7d}")
    c = result.connections
    per_request = result.cpu / total * 1000 if total else 0.0
    print(f"server CPU {result.cpu:.1f} s = {result.cpu / result.seconds * 100:.0f} % of one core, "
          f"{per_request:.1f} ms CPU per request; load client CPU {result.client_cpu:.1f} s; "
          f"cases finished {result.cases_done}")
    others = result.machine_cpu - result.cpu - result.client_cpu
    print(f"machine: {result.machine_cpu / result.seconds:.2f} of {os.cpu_count()} cores busy, of which "
          f"{max(0.0, others) / result.seconds:.2f} not this benchmark's (PostgreSQL and everyone else)")
    print(f"PostgreSQL connections: server max {c['server_max']} (distinct backends seen {c['server_backends']}), "
          f"all on the database max {c['all_max']}; CPU of the server's backends {c['backend_cpu']:.1f} s "
          f"({c['backend_cpu'] / total * 1000 if total else 0:.1f} ms per request, sampled each second)")
    for sample in result.samples:
        print(f"  error sample: {sample}")
    return {"rps": total / result.seconds, "decision_rps": sum(r.kind in DECISIONS for r in records)
            / result.seconds, "cpu_per_request": result.cpu / total if total else 0.0,
            "p50": percentile(ms, .5)}


def signin_report(result: SigninResult) -> None:
    n = sum(result.statuses.values())
    ok = result.statuses.get(302, 0)
    statuses = " ".join(f"{s or 'no-answer'}:{k}" for s, k in sorted(result.statuses.items()))
    print(f"sign-in burst, {result.label}: {n} sign-ins, {ok} signed in, {n - ok} errors ({statuses}); "
          f"p50 {percentile(result.latencies, .5):.2f} s, max {max(result.latencies, default=0):.2f} s, "
          f"all done in {result.wall:.1f} s; server CPU {result.cpu:.1f} s ({result.cpu / max(n, 1):.2f} s per "
          f"sign-in); server PostgreSQL connections max {result.connections['server_max']}")
    for sample in result.samples:
        print(f"  error sample: {sample}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--windows", type=int, default=10, help="windows (officer threads), and bare threads")
    parser.add_argument("--pace", type=float, default=30.0,
                        help="mean think time between steps in seconds (0.5x-1.5x at random; the default, a busy "
                             "day, is about one finished case per window every 2 minutes); 0: none")
    parser.add_argument("--max", action="store_true", help="no think time (throughput); same as --pace 0")
    parser.add_argument("--seconds", type=float, default=30, help="measured seconds per phase (at most 600)")
    parser.add_argument("--warmup", type=float, default=None,
                        help="seconds per phase before measuring (default: 5, or --pace + 5 when pacing)")
    parser.add_argument("--signins", type=int, default=40, help="concurrent sign-ins of the burst (0: none)")
    parser.add_argument("--evaluators", action="store_true",
                        help="each window's evaluator long-polls and rates during the counter phase")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=400, help="gunicorn threads per worker")
    parser.add_argument("--pool", type=int, default=None,
                        help="DB_POOL_MAX_SIZE of the server (default: the setting's, 8 per process)")
    parser.add_argument("--together", action="store_true",
                        help="run the counter and the bare threads at once, in one phase (default: one phase each)")
    parser.add_argument("--database-url", default="", help="run on this PostgreSQL database (never bw_city)")
    parser.add_argument("--city", action="store_true", help=f"run on bw_load_city, a fresh copy of {CITY_TEMPLATE}")
    parser.add_argument("--db-name", default="bw_load_demo", help="the demo database to (re)create")
    parser.add_argument("--reuse", action="store_true", help="reuse the bw_load database if it exists")
    parser.add_argument("--admin-url", default=os.environ.get("BW_LOAD_ADMIN_URL", DEFAULT_ADMIN_URL),
                        help="a PostgreSQL superuser URL, to create databases and read pg_stat_activity")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--skip-queries", action="store_true", help="do not count the queries per step")
    args = parser.parse_args()
    args.pace = 0.0 if args.max else max(0.0, args.pace)
    args.seconds = max(1.0, min(args.seconds, 600.0))
    if args.warmup is None:  # paced threads start spread over one think time: measure once all are going
        args.warmup = 5.0 if args.pace == 0 else args.pace + 5
    args.warmup = max(0.0, min(args.warmup, 120.0))
    if args.windows < 1:
        raise SystemExit("--windows must be at least 1")
    if args.windows * (2 if args.together else 1) > args.workers * args.threads:
        print("note: more client threads than gunicorn threads; requests will queue in the server", flush=True)

    database_url, fresh = prepare_database(args)
    server_env = setup_django(database_url, fresh, args.pool)
    windows, burst = prepare_windows(args.windows, args.signins)
    if args.evaluators:
        devices_pair(windows)

    from django.conf import settings
    from django.db import connection

    from counter.models import Case

    cases_before = Case.objects.count()
    if hasattr(settings, "DB_POOL_MAX_SIZE"):
        pool = f"DB_POOL_MAX_SIZE {int(server_env.get('DB_POOL_MAX_SIZE') or 8)} per process"
    else:
        pool = "no connection pool (one connection per thread)"
    connection.close()
    database = database_name(database_url)
    sampler = ConnectionSampler(args.admin_url, database)
    sampler.start()
    phases: list[PhaseResult] = []
    signins: list[SigninResult] = []
    try:
        with LoadServer(server_env, workers=args.workers, threads=args.threads) as server:
            if burst:
                for one_address in (False, True):
                    signins.append(signin_burst(server.port, burst, one_address, server, sampler))
            counter_kinds = [Officer, Evaluator] if args.evaluators else [Officer]
            plan = [("counter+bare", [*counter_kinds, BareUser])] if args.together else \
                [("counter", counter_kinds), ("bare", [BareUser])]
            for name, kinds in plan:
                stop = threading.Event()
                actors = [kind(server.port, w, args.pace, stop, args.seed * 1000 + w.index + 500 * k)
                          for k, kind in enumerate(kinds) for w in windows]
                phases.append(run_phase(name, actors, args, server, sampler, stop))
    finally:
        sampler.halt.set()
    cases_after = Case.objects.count()

    print(f"\ndatabase {database} (cases {cases_before} before, {cases_after} after); {args.windows} windows, "
          f"{'--max (no think time)' if args.pace == 0 else f'pace {args.pace:g} s between steps'}; gunicorn gthread "
          f"--workers {args.workers} --threads {args.threads}, {pool} "
          f"(max_connections {settings_max_connections(args.admin_url)}); "
          f"{'together' if args.together else 'counter phase, then bare phase'}; load client in this process; "
          f"code: {code_state()}")
    for result in signins:
        signin_report(result)
    reports = {p.name: phase_report(p) for p in phases}
    if "counter" in reports and "bare" in reports and reports["bare"]["rps"]:
        counter, bare = reports["counter"], reports["bare"]
        cpu_c, cpu_b = counter["cpu_per_request"] * 1000, bare["cpu_per_request"] * 1000
        print(f"\ncounter / bare throughput: all counter requests {counter['rps']:.2f}/s vs bare {bare['rps']:.2f}/s "
              f"= {counter['rps'] / bare['rps']:.2f}; counter decisions (POSTs) {counter['decision_rps']:.2f}/s "
              f"= {counter['decision_rps'] / bare['rps']:.2f} of bare; CPU per request {cpu_c:.1f} vs {cpu_b:.1f} ms "
              f"= {cpu_c / cpu_b if cpu_b else 0:.1f}x; p50 {counter['p50']:.0f} vs {bare['p50']:.0f} ms")
    if args.skip_queries:
        return
    print(f"\nqueries per step (Django test client in this process, one run after a warm-up; "
          f"DEBUG={settings.DEBUG}):", flush=True)
    try:
        queries = queries_per_step(windows[0])
    except Exception as exc:  # noqa: BLE001  (the figures above are printed already)
        print(f"  could not run the steps: {exc!r}")
        return
    for label, count, cpu_ms, status in queries:
        print(f"  {label:44s} {count:4d} queries  {cpu_ms:6.1f} ms CPU  ({status})")


def code_state() -> str:
    """The commit and how many files differ from it, so that a figure can be matched with the code it measured."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=10, check=True).stdout.strip()
        changed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                                 capture_output=True, text=True, timeout=10, check=True).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return "not a git checkout"
    return f"{head}" + (f" + uncommitted changes in {len(changed)} files" if changed else "")


def settings_max_connections(admin_url: str) -> str:
    conn = admin_connection(admin_url)
    try:
        return conn.execute("SHOW max_connections").fetchone()[0]
    finally:
        conn.close()


if __name__ == "__main__":
    main()
