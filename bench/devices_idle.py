"""Benchmark: the server's CPU cost of idle evaluator devices waiting for their next case.

Starts gunicorn (gthread, --workers processes of --threads threads, as in production: docs/operations.md
section 5) on a free loopback port against a throwaway SQLite copy of the demo database (built with
demo_seed when there is none) or the PostgreSQL database in DATABASE_URL, pairs --devices devices through
the services, holds that many concurrent long polls (GET /api/devices/next, keep-alive, one thread each)
from this process for --seconds, and prints the CPU time the server processes used (utime + stime from
/proc/<pid>/stat) divided by wall time, as % of one core. On PostgreSQL it also prints how many database
connections the server opened and how many transactions it ran while the devices waited
(pg_stat_database). Each device sends its own client address in X-Real-IP, which the server trusts
(TRUSTED_PROXY_ADDRESS_HEADER), as behind nginx: the request limits count each tablet on its own.
Loopback only; it stops on its own after about --seconds + 20 s. Usage:

    .venv/bin/python bench/devices_idle.py [--devices 300] [--seconds 60] [--wait 25] [--workers 3] [--threads 400]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bw_bench .venv/bin/python bench/devices_idle.py

The server's settings come from the environment as usual (e.g. DB_POOL_MAX_SIZE=0 turns the connection pool
off). On PostgreSQL the devices it pairs are revoked at the end (they stay as rows: use a throwaway database).
bench/rating_latency.py reuses the helpers below.
"""

import argparse
import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- database and devices ------------------------------------------------------------------------


def prepare_database(workdir: Path) -> str:
    """DATABASE_URL if it names PostgreSQL, else a SQLite copy of the demo database in `workdir`."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url
    path = workdir / "bench.sqlite3"
    demo = ROOT / "db.sqlite3"
    if demo.exists() and demo.stat().st_size > 0:
        shutil.copy(demo, path)
    return f"sqlite:///{path}"


def setup_django(database_url: str) -> None:
    """Configure Django in this process for `database_url`; migrate and load the demo city if empty."""
    os.environ["DATABASE_URL"] = database_url
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_env import bench_environment

    bench_environment()
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from org.models import Unit

    call_command("migrate", verbosity=0)
    if not Unit.objects.exists():
        print("loading the demo city (demo_seed) ...", flush=True)
        call_command("demo_seed", verbosity=0)


@dataclass
class BenchDevice:
    token: str
    window_id: int
    device_id: int

    @property
    def address(self) -> str:
        """A client address of its own (a tablet on the counter's network)."""
        return f"10.{self.device_id // 65536 % 256}.{self.device_id // 256 % 256}.{self.device_id % 256}"


def pair_devices(count: int, windows=None) -> list[BenchDevice]:
    """Pair `count` devices, spread over the demo's windows, as their station heads would."""
    from evaluations import services
    from org.models import Role, Staff, Unit, UnitKind

    heads = {s.unit_id: s for s in Staff.objects.filter(role=Role.STATION_HEAD, is_active=True)}
    windows = [w for w in (windows or Unit.objects.filter(kind=UnitKind.WINDOW).order_by("code"))
               if w.station_id in heads]
    if not windows:
        raise SystemExit("no window with a station head: load the demo city first")
    devices = []
    for i in range(count):
        window = windows[i % len(windows)]
        code = services.pairing_code_create(window=window, actor=heads[window.station_id])
        paired = services.device_pair(code=code, name=f"bench-{i:03d}")
        devices.append(BenchDevice(paired.token, window.pk, paired.device.pk))
    return devices


def revoke_devices(devices: list[BenchDevice]) -> None:
    from evaluations import services
    from evaluations.models import Device
    from org.models import Role, Staff

    heads = {s.unit_id: s for s in Staff.objects.filter(role=Role.STATION_HEAD, is_active=True)}
    for device in Device.objects.filter(pk__in=[d.device_id for d in devices]).select_related("window"):
        services.device_revoke(device=device, actor=heads[device.window.station_id])


# --- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """gunicorn on a loopback port, stopped (and waited for) on exit."""

    def __init__(self, database_url: str, *, threads: int, wait_seconds: float, workers: int = 1):
        self.port = free_port()
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DEVICE_WAIT_SECONDS": str(int(wait_seconds)),
            "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            "LOG_LEVEL": "WARNING",
            # As behind nginx (docs/operations.md): the client's address comes in X-Real-IP.
            "TRUSTED_PROXY_ADDRESS_HEADER": "HTTP_X_REAL_IP",
        }
        self.args = [
            sys.executable, "-m", "gunicorn", "config.wsgi", "-k", "gthread", "--threads", str(threads),
            "-w", str(workers), "-b", f"{HOST}:{self.port}", "--keep-alive", "30", "--timeout", "120",
            "--graceful-timeout", "3", "--log-level", "warning",
        ]
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        self.process = subprocess.Popen(self.args, cwd=ROOT, env=self.env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return self
            except OSError:
                pass
            if self.process.poll() is not None:
                raise SystemExit("gunicorn exited at start")
            time.sleep(0.2)
        self.__exit__()
        raise SystemExit("gunicorn did not answer /healthz within 30 s")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
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
        """utime + stime of the master and its workers, in seconds."""
        total = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        return total / CLOCK_TICKS


def pg_activity(database_url: str) -> tuple[int, int] | None:
    """(connections opened, transactions) of the database so far, from pg_stat_database; None on SQLite."""
    if not database_url.startswith(("postgres://", "postgresql://")):
        return None
    import psycopg

    # Its own connection (not Django's, which may be a pool): one session and one transaction per call.
    with psycopg.connect(database_url, autocommit=True) as conn:
        time.sleep(1.1)  # the server's processes flush their statistics at most once a second
        sessions, transactions = conn.execute(
            "SELECT sessions, xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    return sessions, transactions


# --- the devices' long polls ---------------------------------------------------------------------


@dataclass
class PollStats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    started: int = 0
    answers: dict = field(default_factory=dict)
    errors: int = 0
    last_error: str = ""

    def count(self, key) -> None:
        with self.lock:
            self.answers[key] = self.answers.get(key, 0) + 1


def long_poll(port: int, device: BenchDevice, stop: threading.Event, stats: PollStats, wait_seconds: float,
              on_invite=None) -> None:
    """One device: GET /api/devices/next again and again on one keep-alive connection, like device.js."""
    headers = {"Authorization": f"Device {device.token}", "X-Real-IP": device.address}
    after = 0
    conn = None
    first = True
    while not stop.is_set():
        try:
            if conn is None:
                conn = http.client.HTTPConnection(HOST, port, timeout=wait_seconds + 20)
            if first:
                with stats.lock:
                    stats.started += 1
                first = False
            conn.request("GET", f"/api/devices/next?after={after}", headers=headers)
            response = conn.getresponse()
            body = response.read()
            arrived = time.perf_counter()
            stats.count(response.status)
            if response.status == 200:
                import json

                invite = json.loads(body)["invite"]
                after = invite["id"]
                if on_invite:
                    on_invite(invite, arrived)
        except (OSError, http.client.HTTPException) as exc:
            with stats.lock:
                stats.errors += 1
                stats.last_error = repr(exc)
            if conn is not None:
                conn.close()
            conn = None
            stop.wait(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--devices", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=60, help="measured time, after a warm-up")
    parser.add_argument("--wait", type=float, default=25, help="DEVICE_WAIT_SECONDS of the server")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=400, help="gunicorn gthread threads per worker")
    parser.add_argument("--baseline", type=float, default=5, help="seconds measured with no device first")
    parser.add_argument("--warmup", type=float, default=None,
                        help="seconds of polling before the measurement (default: two waits and 5 s, so that every "
                             "device is past its first two polls in its worker: the steady state of a tablet)")
    args = parser.parse_args()
    if args.threads < args.devices + 10:
        # The kernel does not spread the connections evenly over the workers: one may get them all.
        raise SystemExit("--threads must exceed --devices: each waiting device holds one thread")
    args.seconds = min(args.seconds, 600)  # bounded: this is a benchmark, not a soak test

    with tempfile.TemporaryDirectory(prefix="bw-bench-") as workdir:
        database_url = prepare_database(Path(workdir))
        setup_django(database_url)
        from django.db import connection

        devices = pair_devices(args.devices)
        vendor = connection.vendor
        connection.close()
        try:
            with Server(database_url, threads=args.threads, wait_seconds=args.wait, workers=args.workers) as server:
                time.sleep(2)  # the workers finish starting
                cpu0, t0 = server.cpu_seconds(), time.monotonic()
                time.sleep(args.baseline)
                baseline = (server.cpu_seconds() - cpu0) / (time.monotonic() - t0) * 100

                stop, stats = threading.Event(), PollStats()
                for device in devices:
                    threading.Thread(target=long_poll, args=(server.port, device, stop, stats, args.wait),
                                     daemon=True).start()
                    time.sleep(2.0 / len(devices))  # spread the first requests over two seconds
                warmup = args.warmup if args.warmup is not None else 2 * args.wait + 5
                time.sleep(max(3.0, warmup))  # every device is waiting, and past its first polls
                answers_before, errors_before = dict(stats.answers), stats.errors
                db0 = pg_activity(database_url)
                cpu0, t0 = server.cpu_seconds(), time.monotonic()
                time.sleep(args.seconds)
                cpu1, t1 = server.cpu_seconds(), time.monotonic()
                db1 = pg_activity(database_url)
                answers_after, errors = dict(stats.answers), stats.errors - errors_before
                stop.set()  # the polls still in flight end with the server
                threads = len(list(Path(f"/proc/{server.pids()[-1]}/task").iterdir()))
        finally:
            if vendor == "postgresql":
                revoke_devices(devices)

    load = (cpu1 - cpu0) / (t1 - t0) * 100
    polls = {k: v - answers_before.get(k, 0) for k, v in answers_after.items() if v > answers_before.get(k, 0)}
    pool = os.environ.get("DB_POOL_MAX_SIZE", "default")
    print(f"database: {vendor} (DB_POOL_MAX_SIZE={pool}); devices: {args.devices} (started {stats.started}); "
          f"DEVICE_WAIT_SECONDS={args.wait:g}; gunicorn gthread, {args.workers} worker(s) of {args.threads} threads "
          f"({threads} threads in the last worker); warm-up {max(3.0, warmup):g} s")
    last_error = stats.last_error if errors else ""
    print(f"measured {t1 - t0:.1f} s: long polls answered {polls}, client errors {errors} {last_error}")
    if db0 and db1:
        answered = max(1, sum(polls.values()))
        # Less the one connection and transaction of the second pg_activity() call.
        opened, transactions = db1[0] - db0[0] - 1, db1[1] - db0[1] - 1
        print(f"database: the server opened {opened} connection(s) and ran {transactions} transaction(s) "
              f"({transactions / answered:.2f} per long poll answered)")
    print(f"server CPU with no device: {baseline:.2f} % of one core")
    print(f"server CPU with {args.devices} idle devices waiting: {load:.2f} % of one core  (goal: at most 5 %)")


if __name__ == "__main__":
    main()
