"""Evaluator devices, rating invitations, ratings, bad-review follow-ups and contests (R7, item 7)."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import clock
from core.errors import DomainError
from core.models import WindowScoped
from counter.states import Stage

# The states of follow-ups and contests live in evaluations/states.py, with their workflow tables.
from evaluations.states import ContestStatus, FollowUpStatus  # noqa: F401


class RatingImmutable(DomainError):
    code = "rating_immutable"


class Device(WindowScoped):
    """A tablet's browser at one window's counter, paired by a station head."""

    window = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="devices")
    name = models.CharField(_("设备名称"), max_length=50)
    # sha256 of the device's secret token; the token itself lives only on the device.
    token_hash = models.CharField(max_length=64, unique=True)
    paired_at = models.DateTimeField(default=clock.now)
    paired_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_seen_at = models.DateTimeField(null=True, blank=True)
    # The address the pairing call came from (docs/evaluator.md, "Who can forge what").
    paired_from = models.GenericIPAddressField(_("配对地址"), null=True, blank=True)

    class Meta:
        ordering = ["window", "-paired_at"]

    def __str__(self) -> str:
        return f"{self.window.name} {self.name}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class PairingCode(models.Model):
    """A short code, shown once to the station head, that binds the next device to a window."""

    window = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    code_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    device = models.OneToOneField(Device, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    def __str__(self) -> str:
        return f"{self.window.name} {self.created_at:%Y-%m-%d %H:%M}"


class DeviceOffline(models.Model):
    """A stretch of time in which a device sent no heartbeat."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="offline_periods")
    window = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(db_index=True)
    ended_at = models.DateTimeField()

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.device} {self.started_at:%H:%M}-{self.ended_at:%H:%M}"


def _link_token() -> str:
    return secrets.token_urlsafe(9)


class RatingLink(models.Model):
    """The applicant's short link to rate a case (/r/<token>), printed with its QR code on every document."""

    case = models.OneToOneField("counter.Case", on_delete=models.PROTECT, related_name="rating_link")
    token = models.CharField(max_length=16, unique=True, default=_link_token, editable=False)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    def __str__(self) -> str:
        return f"{self.case_id} {self.token}"


class Invite(WindowScoped):
    """The rating screen asked of the window's device after a decision (R7)."""

    case = models.ForeignKey("counter.Case", on_delete=models.PROTECT, related_name="invites")
    stage = models.CharField(_("评价环节"), max_length=12, choices=Stage.choices)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now, db_index=True)
    shown_at = models.DateTimeField(_("评价界面显示时间"), null=True, blank=True)
    shown_on = models.ForeignKey(Device, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    device_offline = models.BooleanField(_("发起时评价器离线"), default=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["case", "stage"], name="invite_once_per_case_stage")]
        indexes = [
            models.Index(fields=["window", "id"]),
            # A window's invitations of a period: the long poll, the usage page's officer rows, the daily figures.
            models.Index(fields=["window", "created_at"], name="invite_window_created"),
            # The usage page's alert of decisions taken while the evaluator was offline (few rows).
            models.Index(fields=["created_at"], condition=Q(device_offline=True), name="invite_offline_created"),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_stage_display()}"


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    BASICALLY_SATISFIED = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


BAD_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)


class Reason(models.TextChoices):
    ATTITUDE = "attitude", _("服务态度差")
    SLOW = "slow", _("办理慢、等待时间长")
    EXTRA_MATERIALS = "extra_materials", _("要求提供办事指南以外的材料")
    NOT_TOLD_AT_ONCE = "not_told_at_once", _("缺少的材料没有一次性告知")
    PASSED_AROUND = "passed_around", _("在窗口之间推来推去")
    FAVOURS = "favours", _("索要好处")
    OTHER = "other", _("其他")


class Channel(models.TextChoices):
    DEVICE = "device", _("窗口评价器")
    QR = "qr", _("扫码评价")
    DEFAULT = "default", _("超期默认")


class Rating(WindowScoped):
    """One rating per case and stage; nobody can change or delete it (R7)."""

    invite = models.OneToOneField(Invite, on_delete=models.PROTECT, related_name="rating")
    case = models.ForeignKey("counter.Case", on_delete=models.PROTECT, related_name="ratings")
    stage = models.CharField(max_length=12, choices=Stage.choices)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("总体评价"), choices=Level.choices)
    efficiency = models.PositiveSmallIntegerField(_("服务效率"), choices=Level.choices)
    quality = models.PositiveSmallIntegerField(_("服务水平"), choices=Level.choices)
    attitude = models.PositiveSmallIntegerField(_("服务态度"), choices=Level.choices)
    reasons = models.JSONField(_("差评原因"), default=list, blank=True)
    other_reason = models.CharField(_("其他原因"), max_length=200, blank=True)
    comment = models.CharField(_("意见建议"), max_length=500, blank=True)
    channel = models.CharField(_("评价渠道"), max_length=10, choices=Channel.choices)
    device = models.ForeignKey(Device, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    is_default = models.BooleanField(_("默认评价"), default=False)
    rated_at = models.DateTimeField(_("评价时间"), default=clock.now, db_index=True)
    received_at = models.DateTimeField(default=clock.now)
    # Only the device's and the QR page's keys; a default has none (no key a device could take first).
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # The address a device's rating came from; none for QR and default ratings.
    client_address = models.GenericIPAddressField(_("提交地址"), null=True, blank=True)
    excluded = models.BooleanField(_("经申诉复核剔除"), default=False)
    excluded_reason = models.TextField(_("剔除理由"), blank=True)

    class Meta:
        ordering = ["-rated_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "stage"], name="rating_once_per_case_stage"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="rating_level_1_to_5"),
            models.CheckConstraint(
                condition=Q(is_default=False) | Q(channel="default"), name="rating_default_only_by_default_channel"
            ),
        ]
        indexes = [
            models.Index(fields=["window", "rated_at"]),
            models.Index(fields=["county", "rated_at"]),
            models.Index(fields=["station", "rated_at"], name="rating_station_rated"),
            # GET /api/ratings?since=&until= (the provincial upload): a key's county or city, by received time.
            models.Index(fields=["county", "received_at", "id"], name="rating_county_received"),
            models.Index(fields=["city", "received_at", "id"], name="rating_city_received"),
            # The forgery checks of every device rating stored (evaluations/forgery.py): the window's usual address
            # over 30 days, read from this index alone, and the device's ratings a few seconds either side.
            models.Index(fields=["window", "received_at"], include=["client_address"],
                         condition=Q(channel="device"), name="rating_window_device_received"),
            models.Index(fields=["device", "rated_at"], name="rating_device_rated"),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_level_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RatingImmutable(_("评价一经提交，任何人不得修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RatingImmutable(_("评价一经提交，任何人不得删除。"))

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS and not self.is_default


class FlagKind(models.TextChoices):
    """What makes a device's rating look forged (docs/evaluator.md, "Who can forge what")."""

    SOON_AFTER_PAIRING = "soon_after_pairing", _("评价器配对后几秒内即提交")
    PAIRED_OFF_HOURS = "paired_off_hours", _("评价器在开放时间以外配对")
    PAIRED_ELSEWHERE = "paired_elsewhere", _("评价器配对地址不是本窗口常用地址")
    RATED_ELSEWHERE = "rated_elsewhere", _("提交地址不是本窗口常用地址")
    BURST = "burst", _("与本评价器上一条评价间隔过短")
    BEFORE_PAIRING = "before_pairing", _("所评办件在评价器配对之前已决定")
    NEVER_SHOWN = "never_shown", _("评价器从未显示过该评价界面")


class RatingFlag(WindowScoped):
    """One reason to doubt a device's rating, recorded with it; the county sees them on the usage page."""

    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="flags")
    kind = models.CharField(_("疑点"), max_length=20, choices=FlagKind.choices)
    detail = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=clock.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["rating", "kind"], name="rating_flag_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.rating_id} {self.get_kind_display()}"


class WindowDay(WindowScoped):
    """One window's evaluator figures of one day, summed by the usage page (self-inspection item 7).

    Kept current in the transaction of every write behind them and rebuilt from those rows by the daily job
    (evaluations/window_days.py, which says what each figure counts). A window has a row for a day once it had an
    invitation, a flagged rating or an evaluator that day.
    """

    day = models.DateField(_("日期"))
    # Every figure has a default in the database too: the invitation trigger (evaluations/triggers.py) makes a
    # row naming only the scope, the day and its two figures.
    # By the day of the invitation (the decision), whenever the rating came.
    invites = models.PositiveIntegerField(default=0, db_default=0)
    shown = models.PositiveIntegerField(default=0, db_default=0)
    active = models.PositiveIntegerField(default=0, db_default=0)
    device_active = models.PositiveIntegerField(default=0, db_default=0)
    qr_active = models.PositiveIntegerField(default=0, db_default=0)
    defaults = models.PositiveIntegerField(default=0, db_default=0)
    excluded = models.PositiveIntegerField(default=0, db_default=0)
    offline_invites = models.PositiveIntegerField(default=0, db_default=0)
    # The active ratings by overall level (5 非常满意 ... 1 非常不满意).
    active_level_5 = models.PositiveIntegerField(default=0, db_default=0)
    active_level_4 = models.PositiveIntegerField(default=0, db_default=0)
    active_level_3 = models.PositiveIntegerField(default=0, db_default=0)
    active_level_2 = models.PositiveIntegerField(default=0, db_default=0)
    active_level_1 = models.PositiveIntegerField(default=0, db_default=0)
    # By the day the rating was stored: device ratings stored with traces of forging, and with each kind.
    flagged = models.PositiveIntegerField(default=0, db_default=0)
    flags_soon_after_pairing = models.PositiveIntegerField(default=0, db_default=0)
    flags_paired_off_hours = models.PositiveIntegerField(default=0, db_default=0)
    flags_paired_elsewhere = models.PositiveIntegerField(default=0, db_default=0)
    flags_rated_elsewhere = models.PositiveIntegerField(default=0, db_default=0)
    flags_burst = models.PositiveIntegerField(default=0, db_default=0)
    flags_before_pairing = models.PositiveIntegerField(default=0, db_default=0)
    flags_never_shown = models.PositiveIntegerField(default=0, db_default=0)
    # Minutes of the day's opening hours without an online evaluator, as computed at offline_computed_at; final
    # (offline_final) when computed after the day ended, else the page works them out again.
    offline_minutes = models.PositiveIntegerField(default=0, db_default=0)
    offline_final = models.BooleanField(default=False, db_default=False)
    offline_computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["day", "window_id"]
        constraints = [models.UniqueConstraint(fields=["window", "day"], name="window_day_once")]
        indexes = [
            models.Index(fields=["day"], name="window_day_day"),
            models.Index(fields=["county", "day"], name="window_day_county"),
            models.Index(fields=["station", "day"], name="window_day_station"),
        ]

    def __str__(self) -> str:
        return f"{self.window_id} {self.day}"


class Verdict(models.TextChoices):
    TRUE = "true", _("属实")
    PARTLY = "partly", _("部分属实")
    FALSE = "false", _("不属实")


class FollowUp(WindowScoped):
    """A bad review called back, verified and put right on a deadline (Fujian: 10 working days)."""

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="follow_up")
    status = models.CharField(_("状态"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    opened_at = models.DateTimeField(default=clock.now)
    deadline = models.DateField(_("整改期限"))
    deadline_provisional = models.BooleanField(default=False)
    called_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    call_notes = models.TextField(_("回访记录"), blank=True)
    verdict = models.CharField(_("核实结论"), max_length=10, choices=Verdict.choices, blank=True)
    verification = models.TextField(_("核实情况"), blank=True)
    rectification = models.TextField(_("整改情况"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    escalated_at = models.DateTimeField(_("逾期上报县局时间"), null=True, blank=True)
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return f"{self.rating.case.number} {self.get_status_display()}"

    def is_late(self, today=None) -> bool:
        today = today or clock.today()
        return self.status != FollowUpStatus.CLOSED and self.deadline < today


class ContestGround(models.TextChoices):
    MISTAKEN = "mistaken", _("误评")
    MALICIOUS = "malicious", _("恶意差评")


class Contest(WindowScoped):
    """An officer's 申诉复核 of a bad review; the county decides with reasons."""

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="contest")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(default=clock.now)
    ground = models.CharField(_("申诉理由类别"), max_length=10, choices=ContestGround.choices)
    statement = models.TextField(_("申诉说明"))
    status = models.CharField(_("状态"), max_length=10, choices=ContestStatus.choices, default=ContestStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("复核意见"), blank=True)

    class Meta:
        ordering = ["-filed_at"]

    def __str__(self) -> str:
        return f"{self.rating.case.number} {self.get_status_display()}"
