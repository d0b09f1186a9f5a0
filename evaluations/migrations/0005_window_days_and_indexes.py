# The daily figures of the evaluator usage page (evaluations.WindowDay, kept by evaluations/window_days.py).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('evaluations', '0004_forgery_traces'),
        ('org', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='WindowDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(verbose_name='日期')),
                ('invites', models.PositiveIntegerField(default=0)),
                ('shown', models.PositiveIntegerField(default=0)),
                ('active', models.PositiveIntegerField(default=0)),
                ('device_active', models.PositiveIntegerField(default=0)),
                ('qr_active', models.PositiveIntegerField(default=0)),
                ('defaults', models.PositiveIntegerField(default=0)),
                ('excluded', models.PositiveIntegerField(default=0)),
                ('offline_invites', models.PositiveIntegerField(default=0)),
                ('active_level_5', models.PositiveIntegerField(default=0)),
                ('active_level_4', models.PositiveIntegerField(default=0)),
                ('active_level_3', models.PositiveIntegerField(default=0)),
                ('active_level_2', models.PositiveIntegerField(default=0)),
                ('active_level_1', models.PositiveIntegerField(default=0)),
                ('flagged', models.PositiveIntegerField(default=0)),
                ('flags_soon_after_pairing', models.PositiveIntegerField(default=0)),
                ('flags_paired_off_hours', models.PositiveIntegerField(default=0)),
                ('flags_paired_elsewhere', models.PositiveIntegerField(default=0)),
                ('flags_rated_elsewhere', models.PositiveIntegerField(default=0)),
                ('flags_burst', models.PositiveIntegerField(default=0)),
                ('flags_before_pairing', models.PositiveIntegerField(default=0)),
                ('flags_never_shown', models.PositiveIntegerField(default=0)),
                ('offline_minutes', models.PositiveIntegerField(default=0)),
                ('offline_final', models.BooleanField(default=False)),
                ('offline_computed_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'ordering': ['day', 'window_id'],
            },
        ),
        migrations.AddField(
            model_name='windowday',
            name='city',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.unit'),
        ),
        migrations.AddField(
            model_name='windowday',
            name='county',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.unit'),
        ),
        migrations.AddField(
            model_name='windowday',
            name='station',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.unit'),
        ),
        migrations.AddField(
            model_name='windowday',
            name='window',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.unit'),
        ),
        migrations.AddIndex(
            model_name='windowday',
            index=models.Index(fields=['day'], name='window_day_day'),
        ),
        migrations.AddIndex(
            model_name='windowday',
            index=models.Index(fields=['county', 'day'], name='window_day_county'),
        ),
        migrations.AddIndex(
            model_name='windowday',
            index=models.Index(fields=['station', 'day'], name='window_day_station'),
        ),
        migrations.AddConstraint(
            model_name='windowday',
            constraint=models.UniqueConstraint(fields=('window', 'day'), name='window_day_once'),
        ),
    ]
