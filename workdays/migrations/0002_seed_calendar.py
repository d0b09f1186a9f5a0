"""Seed the official PRC calendar 2004-2026 from the chinese_calendar package (see workdays/seed.py)."""

from django.db import migrations

SEED_YEARS = range(2004, 2027)


def seed_forward(apps, schema_editor):
    from workdays.seed import calendar_years_seed

    calendar_years_seed(
        year_model=apps.get_model("workdays", "CalendarYear"),
        day_model=apps.get_model("workdays", "CalendarDay"),
        years=SEED_YEARS,
    )


def seed_backward(apps, schema_editor):
    """Remove only the imported years; a year an administrator entered by hand stays."""
    CalendarYear = apps.get_model("workdays", "CalendarYear")
    CalendarDay = apps.get_model("workdays", "CalendarDay")
    imported = CalendarYear.objects.filter(
        year__in=list(SEED_YEARS), entered_by__isnull=True, source__contains="chinese-calendar"
    )
    for year in imported.values_list("year", flat=True):
        CalendarDay.objects.filter(date__year=year).delete()
    imported.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("workdays", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed_forward, seed_backward),
    ]
