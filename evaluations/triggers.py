"""The invitations' daily figures (WindowDay.invites and offline_invites) kept by the database: a trigger on
evaluations_invite adds each new invitation to its window's row of the invitation's local day (settings.TIME_ZONE),
making the row if need be, in the INSERT that records it, so that a decision spends no query of its own on them.
The other figures of WindowDay are added by the services (evaluations.window_days), all of them rebuilt from the
rows by the daily job.

PostgreSQL converts with the zone's name; SQLite (the demo) by the zone's fixed offset (Asia/Shanghai has had
one since 1991). Installed by migration 0007 and again after every `migrate` (evaluations.apps), so a changed
TIME_ZONE takes effect at the next migrate; a bulk load with triggers off rebuilds the figures afterwards
(`window_days_rebuild`).
"""

import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

TABLE, DAYS = "evaluations_invite", "evaluations_windowday"
NAME = "evaluations_invite_counted"
_UPSERT = (f"INSERT INTO {DAYS} (city_id, county_id, station_id, window_id, day, invites, offline_invites) "
           "VALUES (NEW.city_id, NEW.county_id, NEW.station_id, NEW.window_id, {day}, 1, {offline}) "
           f"ON CONFLICT (window_id, day) DO UPDATE SET invites = {DAYS}.invites + 1, "
           f"offline_invites = {DAYS}.offline_invites + excluded.offline_invites")


def _postgresql(zone: str) -> list[str]:
    quoted = zone.replace("'", "''")
    upsert = _UPSERT.format(day=f"(NEW.created_at AT TIME ZONE '{quoted}')::date",
                            offline="CASE WHEN NEW.device_offline THEN 1 ELSE 0 END")
    return [
        f"CREATE OR REPLACE FUNCTION {NAME}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n  {upsert};\n  RETURN NULL;\nEND $$",
        f"DROP TRIGGER IF EXISTS {NAME} ON {TABLE}",
        f"CREATE TRIGGER {NAME} AFTER INSERT ON {TABLE} FOR EACH ROW EXECUTE FUNCTION {NAME}()",
    ]


def fixed_offset_minutes(zone: str) -> int:
    """The zone's offset from UTC in minutes, if it is the same all year (SQLite has no time zones)."""
    tz = zoneinfo.ZoneInfo(zone)
    offsets = {datetime.datetime(2026, month, 1, 12, tzinfo=tz).utcoffset() for month in (1, 4, 7, 10)}
    if len(offsets) != 1:
        raise ImproperlyConfigured(
            f"TIME_ZONE {zone!r} changes its offset during the year: the invitation counts need PostgreSQL.")
    return int(offsets.pop().total_seconds() // 60)


def _sqlite(zone: str) -> list[str]:
    upsert = _UPSERT.format(day=f"date(NEW.created_at, '{fixed_offset_minutes(zone):+d} minutes')",
                            offline="NEW.device_offline")
    return [f"DROP TRIGGER IF EXISTS {NAME}",
            f"CREATE TRIGGER {NAME} AFTER INSERT ON {TABLE} BEGIN {upsert}; END"]


def install(connection) -> None:
    """Create (or replace) the trigger on `connection`'s database, for the TIME_ZONE of the settings."""
    zone = settings.TIME_ZONE
    statements = _postgresql(zone) if connection.vendor == "postgresql" else _sqlite(zone)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def remove(connection) -> None:
    statements = ([f"DROP TRIGGER IF EXISTS {NAME} ON {TABLE}", f"DROP FUNCTION IF EXISTS {NAME}()"]
                  if connection.vendor == "postgresql" else [f"DROP TRIGGER IF EXISTS {NAME}"])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
