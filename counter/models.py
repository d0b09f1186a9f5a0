import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import clock
from core.models import WindowScoped

# The states and decisions live in counter/states.py, the one table of the case workflow.
from counter.states import OPEN_STATUSES, CaseStatus, Decision, Stage  # noqa: F401


class Case(WindowScoped):
    """One application at a hukou window, recorded against the guide version in force at intake."""

    number = models.CharField(_("办件编号"), max_length=40, unique=True)
    window = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="cases")
    guide_version = models.ForeignKey("catalog.GuideVersion", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="cases")
    applicant_name = models.CharField(_("申请人姓名"), max_length=50)
    applicant_id_number = models.CharField(_("公民身份号码"), max_length=18)
    applicant_phone = models.CharField(_("联系电话"), max_length=20)
    # Conditions (Material.condition values) that apply to this applicant.
    conditions = models.JSONField(_("适用情形"), default=list, blank=True)
    materials_presented = models.ManyToManyField("catalog.Material", blank=True, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.INTAKE)
    revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("收件时间"), default=clock.now, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("经办民警"),
    )
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    deadline = models.DateField(_("承诺办结日期"), null=True, blank=True, db_index=True)
    deadline_provisional = models.BooleanField(default=False)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    refused_at = models.DateTimeField(_("不予受理时间"), null=True, blank=True)
    refusal_basis = models.TextField(_("不予受理的法律依据"), blank=True)
    refusal_explanation = models.TextField(_("不予受理的理由"), blank=True)

    # Not stored: what a decision reads with the case (counter.services.case_lock) and keeps on it.
    notice_count: int
    rating_token: str | None
    _presented_ids: set[int]
    _listed_ids: set[int]
    _status_before: str
    _locked_in: object
    _made_in: object

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["county", "status"]),
            models.Index(fields=["station", "status", "deadline"]),
            models.Index(fields=["window", "created_at"]),
            # The case list, newest first within each scope (keyset pages), and its overdue cases
            # (accepted with a deadline past) within each scope.
            models.Index(fields=["city", "-created_at", "-id"], name="counter_case_city_new"),
            models.Index(fields=["county", "-created_at", "-id"], name="counter_case_county_new"),
            models.Index(fields=["station", "-created_at", "-id"], name="counter_case_station_new"),
            models.Index(fields=["city", "status", "deadline"], name="counter_case_city_due"),
            models.Index(fields=["county", "status", "deadline"], name="counter_case_county_due"),
            # The case list finds a returning applicant by the full ID number.
            models.Index(fields=["applicant_id_number"], name="counter_case_applicant_id"),
        ]

    def __str__(self) -> str:
        return self.number

    def is_overdue(self, today=None) -> bool:
        today = today or clock.today()
        if self.deadline is None:
            return False
        if self.status == CaseStatus.ACCEPTED:
            return self.deadline < today
        if self.status == CaseStatus.COMPLETED and self.completed_at is not None:
            return clock.localtime(self.completed_at).date() > self.deadline
        return False

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseCount(WindowScoped):
    """How many cases of a window are in each state: kept by the services with every intake and decision (in
    the same transaction), so that the lists' and the desk's counts read a few hundred rows, not millions.
    `counter.services.case_counts_rebuild` recomputes it from the cases (after a bulk load)."""

    status = models.CharField(max_length=10, choices=CaseStatus.choices)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["window", "status"], name="case_count_window_status")]

    def __str__(self) -> str:
        return f"{self.window_id} {self.status}={self.n}"


class DocumentKind(models.TextChoices):
    RECEIPT = "receipt", _("受理回执")
    NOTICE = "notice", _("补充材料告知单")
    REFUSAL = "refusal", _("不予受理告知书")


# The character that marks each kind in a document number, e.g. 鼓公东户补〔2026〕第000012号.
KIND_MARK = {DocumentKind.RECEIPT: "受", DocumentKind.NOTICE: "补", DocumentKind.REFUSAL: "不"}


def _public_id() -> str:
    return secrets.token_hex(8)


class Document(models.Model):
    """An issued, numbered document. Never changes: a reprint renders the same snapshot."""

    public_id = models.CharField(max_length=16, unique=True, default=_public_id, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("文书类别"), max_length=10, choices=DocumentKind.choices)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField()
    serial = models.PositiveIntegerField()
    number = models.CharField(_("文书编号"), max_length=60, unique=True)
    snapshot = models.JSONField()
    # For notices: the missing materials it lists (the one-time rule compares against these).
    materials = models.ManyToManyField("catalog.Material", blank=True, related_name="+")
    issued_at = models.DateTimeField(_("出具时间"), default=clock.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["issued_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "year", "serial"], name="document_serial_unique"),
        ]

    def __str__(self) -> str:
        return self.number


class NoticeOverride(WindowScoped):
    """A station head let a later notice ask for something the first notice did not list (R3)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="overrides")
    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="override")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("理由"))
    added_materials = models.ManyToManyField("catalog.Material", related_name="+")
    at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.case.number} {self.approved_by}"
