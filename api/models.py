"""Keys with which integrations (the provincial 好差评 uploader, reporting tools) read the JSON API."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import clock


class IntegrationKey(models.Model):
    """An API key for one county or, without a county, the whole city; only its hash is stored."""

    name = models.CharField(_("用途"), max_length=100)
    # The key's first characters, to recognise it in the list and in the caller's configuration.
    prefix = models.CharField(_("密钥前缀"), max_length=16)
    # sha256 of the key; the key itself is shown once, when it is created.
    key_hash = models.CharField(max_length=64, unique=True)
    city = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("范围")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), default=clock.now)
    revoked_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} {self.prefix}…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def scope_unit(self):
        """The unit whose ratings the key reads: its county, or the city."""
        return self.county or self.city
