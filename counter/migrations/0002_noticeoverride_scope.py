"""NoticeOverride carries all four scope columns, like the case it belongs to."""

import django.db.models.deletion
from django.db import migrations, models


def backfill(apps, schema_editor):
    NoticeOverride = apps.get_model("counter", "NoticeOverride")
    for override in NoticeOverride.objects.select_related("case"):
        NoticeOverride.objects.filter(pk=override.pk).update(city_id=override.case.city_id,
                                                             window_id=override.case.window_id)


def fk(null: bool):
    return models.ForeignKey(null=null, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                             to="org.unit")


class Migration(migrations.Migration):

    dependencies = [
        ("counter", "0001_initial"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.AddField(model_name="noticeoverride", name="city", field=fk(True)),
        migrations.AddField(model_name="noticeoverride", name="window", field=fk(True)),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(model_name="noticeoverride", name="city", field=fk(False)),
        migrations.AlterField(model_name="noticeoverride", name="window", field=fk(False)),
    ]
