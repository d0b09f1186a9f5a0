"""Integration keys: issued and revoked by the city administrator, checked on every API call."""

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from api.models import IntegrationKey
from core import clock
from core.audit import audit_record
from core.errors import AccessDenied, DomainError
from evaluations.models import Rating
from org import access
from org.models import Staff, Unit, UnitKind
from org.selectors import scope_of

KEY_PREFIX = "bwk_"
SHOWN_PREFIX_LENGTH = len(KEY_PREFIX) + 6
# A used key records when it was last used at most this often, so reading costs no write per call.
LAST_USED_WRITE_SECONDS = 60


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _require_city_admin(actor: Staff) -> Unit:
    access.require(actor, access.API_KEY_MANAGE)
    return scope_of(actor).unit


@dataclass(frozen=True)
class IssuedKey:
    key: IntegrationKey
    secret: str


def integration_key_create(*, actor: Staff, name: str, county: Unit | None = None) -> IssuedKey:
    """Issue a key for `county` (or the whole city); the secret is returned once and only its hash is kept."""
    city = _require_city_admin(actor)
    name = (name or "").strip()
    if not name:
        raise DomainError(_("请填写密钥用途，例如“省好差评平台上报”。"), code="key_name", field="name")
    if len(name) > 100:
        raise DomainError(_("用途不能超过100个字。"), code="key_name", field="name")
    if county is not None and (county.kind != UnitKind.COUNTY or county.city_id != city.pk):
        raise DomainError(_("只能为本市的县（市、区）局签发密钥。"), code="key_scope", field="county")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        key = IntegrationKey.objects.create(
            name=name,
            prefix=secret[:SHOWN_PREFIX_LENGTH],
            key_hash=_digest(secret),
            city=city,
            county=county,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="api_key.created",
            obj=key,
            unit=county or city,
            data={"name": name, "prefix": key.prefix, "scope": (county or city).code},
        )
    return IssuedKey(key, secret)


def integration_key_revoke(*, key: IntegrationKey, actor: Staff) -> IntegrationKey:
    """Stop a key at once; a revoked key stays listed and cannot be used again."""
    city = _require_city_admin(actor)
    with transaction.atomic():
        locked = IntegrationKey.objects.select_for_update().get(pk=key.pk)
        if locked.city_id != city.pk:
            raise AccessDenied(_("该密钥不属于本市。"), code="not_city_admin")
        if locked.revoked_at is None:
            locked.revoked_at = clock.now()
            locked.revoked_by = actor
            locked.save(update_fields=["revoked_at", "revoked_by"])
            audit_record(
                actor=actor,
                action="api_key.revoked",
                obj=locked,
                unit=locked.scope_unit,
                data={"name": locked.name, "prefix": locked.prefix},
            )
    return locked


def integration_key_for_secret(secret: str) -> IntegrationKey | None:
    """The active key with this secret, or None; notes when it was used."""
    if not secret or not secret.startswith(KEY_PREFIX) or len(secret) > 200:
        return None
    key = (
        IntegrationKey.objects.select_related("city", "county")
        .filter(key_hash=_digest(secret), revoked_at__isnull=True)
        .first()
    )
    if key is not None:
        now = clock.now()
        if key.last_used_at is None or now - key.last_used_at > datetime.timedelta(seconds=LAST_USED_WRITE_SECONDS):
            IntegrationKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
    return key


def integration_keys_of(actor: Staff) -> QuerySet[IntegrationKey]:
    city = _require_city_admin(actor)
    return IntegrationKey.objects.filter(city=city).select_related("county", "created_by", "revoked_by")


def ratings_for_key(key: IntegrationKey) -> QuerySet[Rating]:
    """The ratings a key may read: its county's, or its whole city's."""
    scope = {"county_id": key.county_id} if key.county_id else {"city_id": key.city_id}
    return Rating.objects.filter(**scope).select_related(
        "case", "case__item", "window", "station", "county", "officer"
    )
