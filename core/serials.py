"""Gap-free serial numbers per key, safe under concurrent requests."""

from django.db import IntegrityError, transaction
from django.db.models import F

from core.models import Serial


def serial_next(key: str) -> int:
    """Return the next serial for `key`; call inside the transaction that uses it."""
    with transaction.atomic():
        updated = Serial.objects.filter(key=key).update(last=F("last") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    Serial.objects.create(key=key, last=1)
                    return 1
            except IntegrityError:
                Serial.objects.filter(key=key).update(last=F("last") + 1)
        return Serial.objects.get(key=key).last
