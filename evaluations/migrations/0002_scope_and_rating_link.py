"""Every table of evaluations carries all four scope columns; the case's rating link moves here from counter."""

import django.db.models.deletion
from django.db import migrations, models

import core.clock
import evaluations.models


def fk(null: bool):
    return models.ForeignKey(null=null, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                             to="org.unit")


def backfill(apps, schema_editor):
    Case = apps.get_model("counter", "Case")
    RatingLink = apps.get_model("evaluations", "RatingLink")
    Invite = apps.get_model("evaluations", "Invite")
    FollowUp = apps.get_model("evaluations", "FollowUp")
    Contest = apps.get_model("evaluations", "Contest")
    # The tokens already printed on paper stay valid: each case keeps its token.
    batch = []
    for case_id, token in Case.objects.values_list("pk", "rating_token").iterator(chunk_size=2000):
        batch.append(RatingLink(case_id=case_id, token=token))
        if len(batch) >= 2000:
            RatingLink.objects.bulk_create(batch)
            batch = []
    RatingLink.objects.bulk_create(batch)
    for invite in Invite.objects.select_related("case").iterator(chunk_size=2000):
        Invite.objects.filter(pk=invite.pk).update(city_id=invite.case.city_id, station_id=invite.case.station_id)
    for model in (FollowUp, Contest):
        for row in model.objects.select_related("rating").iterator(chunk_size=2000):
            model.objects.filter(pk=row.pk).update(window_id=row.rating.window_id)


class Migration(migrations.Migration):

    dependencies = [
        ("evaluations", "0001_initial"),
        ("counter", "0002_noticeoverride_scope"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="RatingLink",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(default=evaluations.models._link_token, editable=False, max_length=16,
                                           unique=True)),
                ("created_at", models.DateTimeField(default=core.clock.now, editable=False)),
                ("case", models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name="rating_link",
                                              to="counter.case")),
            ],
        ),
        migrations.RemoveField(model_name="invite", name="token"),
        migrations.AddField(model_name="invite", name="city", field=fk(True)),
        migrations.AddField(model_name="invite", name="station", field=fk(True)),
        migrations.AddField(model_name="followup", name="window", field=fk(True)),
        migrations.AddField(model_name="contest", name="window", field=fk(True)),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(model_name="invite", name="city", field=fk(False)),
        migrations.AlterField(model_name="invite", name="station", field=fk(False)),
        migrations.AlterField(model_name="followup", name="window", field=fk(False)),
        migrations.AlterField(model_name="contest", name="window", field=fk(False)),
    ]
