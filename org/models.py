from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import clock
from core.errors import DomainError


class UnitKind(models.TextChoices):
    CITY = "city", _("市局")
    COUNTY = "county", _("县（市、区）局")
    STATION = "station", _("派出所")
    BRIGADE = "brigade", _("治安大队")
    WINDOW = "window", _("户籍窗口")


# Which kind of unit may stand under which.
ALLOWED_PARENT = {
    UnitKind.CITY: None,
    UnitKind.COUNTY: UnitKind.CITY,
    UnitKind.STATION: UnitKind.COUNTY,
    UnitKind.BRIGADE: UnitKind.COUNTY,
    UnitKind.WINDOW: (UnitKind.STATION, UnitKind.BRIGADE),
}


def ancestors_under(parent: "Unit | None") -> tuple["Unit | None", "Unit | None", "Unit | None"]:
    """The city, county and station of a unit put under `parent` (Unit's denormalised columns)."""
    if parent is None:
        return None, None, None
    return (
        parent if parent.kind == UnitKind.CITY else parent.city,
        parent if parent.kind == UnitKind.COUNTY else parent.county,
        parent if parent.kind in (UnitKind.STATION, UnitKind.BRIGADE) else parent.station,
    )


class Unit(models.Model):
    """A node of the tree city > county bureau > station or brigade > window."""

    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("单位代码"), max_length=20, unique=True)
    kind = models.CharField(_("类别"), max_length=10, choices=UnitKind.choices)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    # Denormalised ancestors, so every scoped query is one indexed filter.
    city = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    county = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    station = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Shown on documents: the issuing agency's short name for numbers (e.g. 鼓公户).
    doc_prefix = models.CharField(_("文书字号"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("电话"), max_length=40, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # The rule of moves lives with the unit services; whoever saves a unit, its records never stay behind.
        from org.services import unit_move_problem

        problem = unit_move_problem(unit=self, parent=self.parent)
        if problem:
            raise DomainError(problem, code="unit_move_blocked", field="parent")
        # Keep the denormalised ancestors right, whoever saves the unit.
        self.city, self.county, self.station = ancestors_under(self.parent)
        super().save(*args, **kwargs)

    def clean(self):
        from django.core.exceptions import ValidationError

        from org.services import unit_move_problem

        allowed = ALLOWED_PARENT.get(self.kind)
        parent_kind = self.parent.kind if self.parent_id else None
        if allowed is None and parent_kind is not None:
            raise ValidationError({"parent": _("市局是单位树的根，不能有上级单位。")})
        if allowed is not None:
            allowed = allowed if isinstance(allowed, tuple) else (allowed,)
            if parent_kind not in allowed:
                names = "、".join(str(UnitKind(k).label) for k in allowed)
                raise ValidationError({"parent": _("该类单位的上级应为：%(names)s。") % {"names": names}})
        problem = unit_move_problem(unit=self, parent=self.parent if self.parent_id else None)
        if problem:
            raise ValidationError({"parent": problem})

    def city_or_self(self) -> "Unit | None":
        if self.kind == UnitKind.CITY:
            return self
        return self.city

    def county_or_self(self) -> "Unit | None":
        if self.kind == UnitKind.COUNTY:
            return self
        return self.county

    def station_or_self(self) -> "Unit | None":
        if self.kind in (UnitKind.STATION, UnitKind.BRIGADE):
            return self
        return self.station

    def scope_ids(self) -> dict[str, int | None]:
        """The ids of the unit's city, county and station, each the unit itself at its own level (no queries)."""
        own = self.pk
        return {
            "city_id": own if self.kind == UnitKind.CITY else self.city_id,
            "county_id": own if self.kind == UnitKind.COUNTY else self.county_id,
            "station_id": own if self.kind in (UnitKind.STATION, UnitKind.BRIGADE) else self.station_id,
        }

    @property
    def full_name(self) -> str:
        parts = [u.name for u in (self.county, self.station) if u is not None]
        parts.append(self.name)
        return " ".join(parts)


class Category(models.TextChoices):
    OFFICER = "officer", _("民警")
    CIVILIAN = "civilian", _("文职人员")
    AUXILIARY = "auxiliary", _("协勤人员")


class DutyStatus(models.TextChoices):
    ON_DUTY = "on_duty", _("在岗")
    STOPPED = "stopped", _("停止执行职务")
    DISMISSED = "dismissed", _("开除")


class Role(models.TextChoices):
    WINDOW_OFFICER = "window_officer", _("窗口民警")
    WINDOW_STAFF = "window_staff", _("文职/协勤人员")
    STATION_HEAD = "station_head", _("所长（队长）")
    COUNTY_ADMIN = "county_admin", _("县局管理员")
    CITY_ADMIN = "city_admin", _("市局管理员")
    CITY_INSPECTOR = "city_inspector", _("市局督察")


class Staff(AbstractUser):
    """A person who signs in: window staff, heads, administrators, inspectors."""

    full_name = models.CharField(_("姓名"), max_length=50)
    police_number = models.CharField(_("警号/工号"), max_length=20, blank=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="staff")
    category = models.CharField(_("人员类别"), max_length=10, choices=Category.choices, default=Category.OFFICER)
    law_enforcement_qualified = models.BooleanField(_("具有执法资格"), default=False)
    duty_status = models.CharField(
        _("在岗状态"), max_length=10, choices=DutyStatus.choices, default=DutyStatus.ON_DUTY
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.WINDOW_OFFICER)
    # Superseded by LoginLockout (per user name and client address); kept for one release so that the old code
    # still runs during a rolling upgrade (docs/operations.md), then dropped. A good sign-in still clears them.
    failed_logins = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")

    def __str__(self) -> str:
        return f"{self.full_name}（{self.police_number}）" if self.police_number else self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username



class LoginLockout(models.Model):
    """Failed sign-ins in a row for one user name (known or not) from one client address, and the lock they earn.

    Keyed by both, so a guesser elsewhere cannot lock a colleague out at the counter, and an unknown name is
    treated like a real one (the answers never tell which names exist). org.services.login_check holds the row's
    lock while it checks the password, so parallel guesses are counted one by one.
    """

    username = models.CharField(max_length=150)
    address = models.CharField(max_length=64)
    failures = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["username", "address"], name="org_lockout_username_address")]

    def __str__(self) -> str:
        return f"{self.username}@{self.address}: {self.failures}"

    def is_locked(self, now=None) -> bool:
        now = now or clock.now()
        return bool(self.locked_until and self.locked_until > now)
