from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import clock


class Scoped(models.Model):
    """The city, county and station a row belongs to: the columns every scoped query filters on first.

    Each holds the row's unit's ancestor of that level, or the unit itself when it is of that level, so
    one filter (`org.selectors.scope_q`) serves every table, and the big tables can be partitioned or
    distributed on `county_id` without changing a query. Fill them with `scope_fields(unit)`.
    """

    city = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


class WindowScoped(Scoped):
    """A row of one window: its window as well as the window's station, county and city."""

    window = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


def scope_fields(unit, *, window: bool = False) -> dict[str, int | None]:
    """The Scoped columns (as ids, so nothing is fetched) for a row of `unit`: a window, station, county or city."""
    fields = unit.scope_ids()
    if window:
        fields["window_id"] = unit.pk
    return fields


def scope_copy(row, *, window: bool = True) -> dict[str, int | None]:
    """The Scoped columns of another scoped row (a case, a rating), to give a row that belongs with it."""
    fields = {"city_id": row.city_id, "county_id": row.county_id, "station_id": row.station_id}
    if window:
        fields["window_id"] = row.window_id
    return fields


class AuditEvent(Scoped):
    """One state change or sensitive read: who, when, where, what."""

    at = models.DateTimeField(_("时间"), default=clock.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("动作"), max_length=64, db_index=True)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    # The unit where it happened (a window for counter decisions); the scope columns are its ancestors.
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # An event with no unit (a calendar change, a failed sign-in of an unknown name) has no scope either.
    city = models.ForeignKey(  # type: ignore[assignment]
        "org.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    county = models.ForeignKey(  # type: ignore[assignment]
        "org.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    station = models.ForeignKey(  # type: ignore[assignment]
        "org.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    data = models.JSONField(default=dict, blank=True)
    # The client's address (behind the trusted proxy, the one it reports); none for the daily job's events.
    client_address = models.GenericIPAddressField(_("客户端地址"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # The audit log of a county or a station newest first (shell): a page at any depth, and its count up
            # to a limit, is one range of one of these (core.pagination.keyset_page); a span of days narrows the
            # same range. The city's log is (nearly) the whole table: the index on `at` serves it as well.
            models.Index(fields=["county", "-at", "-id"], name="core_audit_county_at"),
            models.Index(fields=["station", "-at", "-id"], name="core_audit_station_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"


class Serial(models.Model):
    """The last number handed out for a key such as 'case:<station>:<year>'; see core.serials."""

    key = models.CharField(max_length=100, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}={self.last}"


class RateLimitCounter(models.Model):
    """Requests one client made in the current window of one limit (core.ratelimit); one row per limit and client."""

    bucket = models.CharField(max_length=120, primary_key=True)  # "<limit>:<client address>"
    window_end = models.BigIntegerField()  # Unix seconds at which the counted window ends
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["window_end"], name="core_ratelimit_window_end")]

    def __str__(self) -> str:
        return f"{self.bucket}={self.hits}"


def m2m_add(relation, owner_pk: int, targets) -> None:
    """Link `targets` to the row `owner_pk` through the many-to-many `relation` (e.g. Case.materials_presented)
    in one INSERT, without the SELECT of what is linked already that `.add()` and `.set()` make first: for a
    row the caller has just made, or links it knows are new."""
    through = relation.through
    owner, target = relation.field.m2m_field_name(), relation.field.m2m_reverse_field_name()
    through.objects.bulk_create([through(**{f"{owner}_id": owner_pk, f"{target}_id": t.pk}) for t in targets])
