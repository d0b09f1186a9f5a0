from django.db import migrations


def install(apps, schema_editor):
    from counter import triggers

    triggers.install(schema_editor.connection)


def remove(apps, schema_editor):
    from counter import triggers

    triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("counter", "0006_case_counts_and_list_indexes")]

    # The window's case counts, kept by the database from now on (counter/triggers.py); they were kept by the
    # services until this migration, so they are right as they stand.
    operations = [migrations.RunPython(install, remove)]
