"""AuditEvent carries the scope columns (city, county, station) of the unit where it happened."""

import django.db.models.deletion
from django.db import migrations, models

STATION_KINDS = ("station", "brigade")


def backfill(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    Unit = apps.get_model("org", "Unit")
    unit_ids = AuditEvent.objects.exclude(unit_id=None).values_list("unit_id", flat=True).distinct()
    for unit in Unit.objects.filter(pk__in=list(unit_ids)):
        AuditEvent.objects.filter(unit_id=unit.pk).update(
            city_id=unit.pk if unit.kind == "city" else unit.city_id,
            station_id=unit.pk if unit.kind in STATION_KINDS else unit.station_id,
        )


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_initial"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="city",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="org.unit"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="station",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="org.unit"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
