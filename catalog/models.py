from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin

from core import clock
from core.errors import DomainError


class PublishedVersionImmutable(DomainError):
    """A published guide version, its items and materials never change."""

    code = "version_published"


def _refuse_published() -> None:
    raise PublishedVersionImmutable(gettext("已发布的办事指南版本不能修改。如需调整，请新建草稿版本后修改并发布。"))


def pinyin_initials_of(name: str) -> str:
    """Return the lower-case initials of a Chinese name (出生登记 -> csdj); letters and digits are kept."""
    parts = lazy_pinyin(name or "", style=Style.FIRST_LETTER, errors="default")
    text = "".join(parts).lower()
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum())[:60]


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class ItemCategory(models.TextChoices):
    HUKOU = "hukou", _("户口")
    ID_CARD = "id_card", _("身份证")
    CERTIFICATE = "certificate", _("证明")
    RESIDENCE = "residence", _("居住证")


class TimeLimitKind(models.TextChoices):
    ON_THE_SPOT = "on_the_spot", _("当场办结")
    WORKING_DAYS = "working_days", _("按工作日承诺")


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", _("原件")
    COPY = "copy", _("复印件")
    ORIGINAL_AND_COPY = "both", _("原件及复印件")


class Guide(models.Model):
    """The one service guide of a county (R3: uniform within a county)."""

    county = models.OneToOneField("org.Unit", on_delete=models.PROTECT, related_name="guide")
    # The county's one layout of the one-time notice (R3: 一次性告知单 uniform within a county).
    notice_title = models.CharField(_("告知单标题"), max_length=50, default="补充材料告知单")
    notice_intro = models.TextField(
        _("告知单开头语"),
        default="您申请办理的事项所需材料尚不齐全，现一次性告知您需补充的全部材料如下。"
        "补齐后请携带本告知单到原窗口办理，窗口不会再要求本告知单以外的材料。",
    )
    notice_footer = models.TextField(
        _("告知单结尾语"), default="如对本告知有异议，可拨打监督投诉电话反映。", blank=True
    )

    def __str__(self) -> str:
        return f"{self.county.name}户籍业务办事指南"


class GuideVersion(models.Model):
    """A numbered version of a guide; a published version never changes."""

    guide = models.ForeignKey(Guide, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(_("状态"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    effective_date = models.DateField(_("生效日期"), null=True, blank=True)
    note = models.CharField(_("修订说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["guide", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["guide", "number"], name="guide_version_number_unique"),
            # At most one draft per guide at a time.
            models.UniqueConstraint(
                fields=["guide"], condition=Q(status="draft"), name="guide_one_draft"
            ),
            # A published version always says from when it applies.
            models.CheckConstraint(
                condition=Q(status="draft") | Q(effective_date__isnull=False), name="published_has_effective_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guide} 第{self.number}版"

    def save(self, *args, **kwargs):
        # Publishing saves a stored draft; once stored as published the row is frozen.
        if self.pk and GuideVersion.objects.filter(pk=self.pk, status=VersionStatus.PUBLISHED).exists():
            _refuse_published()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk and GuideVersion.objects.filter(pk=self.pk, status=VersionStatus.PUBLISHED).exists():
            _refuse_published()
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED


class Item(models.Model):
    """A business item (事项) of one guide version."""

    version = models.ForeignKey(GuideVersion, on_delete=models.PROTECT, related_name="items")
    code = models.CharField(_("事项编码"), max_length=30)
    name = models.CharField(_("事项名称"), max_length=100)
    category = models.CharField(_("类别"), max_length=20, choices=ItemCategory.choices)
    pinyin_initials = models.CharField(max_length=60, blank=True, db_index=True)
    legal_basis = models.TextField(_("法律依据"), help_text=_("法律法规名称及条款"))
    conditions_text = models.TextField(_("办理条件"), blank=True)
    procedure = models.TextField(_("办理流程"), blank=True)
    time_limit_kind = models.CharField(_("办理时限类型"), max_length=20, choices=TimeLimitKind.choices)
    statutory_days = models.PositiveIntegerField(_("法定时限（工作日）"), null=True, blank=True)
    promised_days = models.PositiveIntegerField(_("承诺时限（工作日）"), null=True, blank=True)
    time_limit_note = models.CharField(_("时限说明"), max_length=200, blank=True)
    fee_amount = models.DecimalField(_("收费金额（元）"), max_digits=8, decimal_places=2, default=0)
    fee_basis = models.CharField(_("收费依据"), max_length=200, blank=True)
    fee_waiver = models.CharField(_("减免情形"), max_length=200, blank=True)
    place = models.CharField(_("办理地点"), max_length=200, blank=True)
    hours = models.CharField(_("办理时间"), max_length=200, blank=True)
    enquiry_phone = models.CharField(_("咨询电话"), max_length=40, blank=True)
    complaint_phone = models.CharField(_("监督投诉电话"), max_length=40, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="item_code_unique_in_version")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs):
        if self.version_id and GuideVersion.objects.filter(
            pk=self.version_id, status=VersionStatus.PUBLISHED
        ).exists():
            _refuse_published()
        self.pinyin_initials = pinyin_initials_of(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "pinyin_initials"}
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.version_id and GuideVersion.objects.filter(
            pk=self.version_id, status=VersionStatus.PUBLISHED
        ).exists():
            _refuse_published()
        return super().delete(*args, **kwargs)

    @property
    def is_on_the_spot(self) -> bool:
        return self.time_limit_kind == TimeLimitKind.ON_THE_SPOT

    @property
    def time_limit_text(self) -> str:
        """The time limit as the public reads it: 当场办结, or 承诺N个工作日（法定M个工作日）."""
        if self.is_on_the_spot:
            return gettext("当场办结")
        text = gettext("承诺%(days)s个工作日") % {"days": self.promised_days if self.promised_days is not None else "—"}
        if self.statutory_days is not None:
            text += gettext("（法定%(days)s个工作日）") % {"days": self.statutory_days}
        return text

    @property
    def fee_text(self) -> str:
        if not self.fee_amount:
            return gettext("不收费")
        amount = Decimal(self.fee_amount).quantize(Decimal("0.01"))
        shown = f"{amount:f}".rstrip("0").rstrip(".")
        return gettext("%(amount)s元") % {"amount": shown}


class Material(models.Model):
    """A material an item requires; only these may ever be asked for (R5)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(_("材料名称"), max_length=100)
    form = models.CharField(_("形式"), max_length=10, choices=MaterialForm.choices, default=MaterialForm.ORIGINAL)
    copies = models.PositiveIntegerField(_("份数"), default=1)
    notes = models.CharField(_("备注"), max_length=200, blank=True)
    # Blank: always required. Otherwise required only when this condition applies to the applicant.
    condition = models.CharField(_("适用情形"), max_length=100, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["item", "position", "id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self._on_published_version():
            _refuse_published()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._on_published_version():
            _refuse_published()
        return super().delete(*args, **kwargs)

    def _on_published_version(self) -> bool:
        return bool(self.item_id) and GuideVersion.objects.filter(
            items=self.item_id, status=VersionStatus.PUBLISHED
        ).exists()

    @property
    def describe(self) -> str:
        """The material as documents and the audit log record it, always in Chinese: 名称（原件1份）［适用情形］."""
        # Built during English requests too (counter documents, audit log): pin the form's label to Chinese.
        with translation.override("zh-hans"):
            form = str(self.get_form_display())
        text = f"{self.name}（{form}{self.copies}份）"
        if self.condition:
            text += f"［{self.condition}］"
        return text

    @property
    def describe_display(self) -> str:
        """The material as a page shows it, in the reader's language (English: "Name (Original, 1 copy)")."""
        text = ngettext(
            "%(name)s（%(form)s%(copies)s份）", "%(name)s（%(form)s%(copies)s份）", self.copies,
        ) % {"name": self.name, "form": self.get_form_display(), "copies": self.copies}
        if self.condition:
            text = gettext("%(material)s［%(condition)s］") % {"material": text, "condition": self.condition}
        return text
