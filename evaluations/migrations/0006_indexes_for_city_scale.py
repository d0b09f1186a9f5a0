# Indexes for a city-year of ratings and invitations (docs/evaluator.md, "At city scale"). On PostgreSQL they are
# built CONCURRENTLY, so that a deploy on a database of millions of ratings never holds up the counter's writes.

from django.db import migrations, models


class AddIndexOnline(migrations.AddIndex):
    """AddIndex, built with CREATE INDEX CONCURRENTLY on PostgreSQL (outside a transaction), plainly elsewhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.add_index(model, self.index, concurrently=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            index = from_state.models[app_label, self.model_name_lower].get_index_by_name(self.index.name)
            schema_editor.remove_index(model, index, concurrently=True)


class Migration(migrations.Migration):

    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ('evaluations', '0005_window_days_and_indexes'),
    ]

    operations = [
        AddIndexOnline(
            model_name='invite',
            index=models.Index(fields=['window', 'created_at'], name='invite_window_created'),
        ),
        AddIndexOnline(
            model_name='invite',
            index=models.Index(condition=models.Q(('device_offline', True)), fields=['created_at'],
                               name='invite_offline_created'),
        ),
        AddIndexOnline(
            model_name='rating',
            index=models.Index(fields=['station', 'rated_at'], name='rating_station_rated'),
        ),
        AddIndexOnline(
            model_name='rating',
            index=models.Index(fields=['county', 'received_at', 'id'], name='rating_county_received'),
        ),
        AddIndexOnline(
            model_name='rating',
            index=models.Index(fields=['city', 'received_at', 'id'], name='rating_city_received'),
        ),
    ]
