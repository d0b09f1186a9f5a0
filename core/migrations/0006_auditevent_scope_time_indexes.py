# The audit log's pages at city scale: an index for the county's and one for the station's log, leading with the
# scope and the time. The city's log is (nearly) the whole table, which the index on `at` already orders.
#
# On PostgreSQL the indexes are built CONCURRENTLY (so outside a transaction): a city-year holds millions of
# events, and a plain CREATE INDEX would hold back every audited change (every service writes an event) for as
# long as the build takes. Elsewhere (SQLite) they are built as usual.

from django.conf import settings
from django.db import migrations, models


class AddIndexConcurrentlyOnPostgres(migrations.AddIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.add_index(model, self.index, concurrently=True)
        else:
            schema_editor.add_index(model, self.index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.remove_index(model, self.index, concurrently=True)
        else:
            schema_editor.remove_index(model, self.index)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('core', '0005_auditevent_client_address'),
        ('org', '0002_loginlockout'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name='auditevent',
            index=models.Index(fields=['county', '-at', '-id'], name='core_audit_county_at'),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name='auditevent',
            index=models.Index(fields=['station', '-at', '-id'], name='core_audit_station_at'),
        ),
    ]
