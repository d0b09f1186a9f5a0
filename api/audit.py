"""The API's audit vocabulary: integration keys in words.

Imported by ApiConfig.ready() (core/audit.py says how the audit log uses it).
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from api.models import IntegrationKey
from core.audit import ObjectRef, actions_register, fields_register, objects_register, values_register
from org.audit import units_by_code

ACTIONS = {
    "api_key.created": _("签发接口密钥"),
    "api_key.revoked": _("停用接口密钥"),
}

FIELDS = {
    "api_key.created:name": _("用途"),
    "api_key.revoked:name": _("用途"),
    "prefix": _("密钥前缀"),
    "api_key.created:scope": _("可读范围"),
}


def _keys(ids: list[str]) -> dict[str, ObjectRef]:
    pks = [int(i) for i in ids if i.isdigit()]
    url = reverse("api:keys")
    return {str(pk): ObjectRef(f"{name}（{prefix}…）", url)
            for pk, name, prefix in IntegrationKey.objects.filter(pk__in=pks).values_list("pk", "name", "prefix")}


def register() -> None:
    actions_register(ACTIONS)
    fields_register(FIELDS)
    objects_register("api.integrationkey", _("接口密钥"), _keys)
    values_register("api_key.created:scope", units_by_code)
