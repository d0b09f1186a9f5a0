from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _triggers_installed(sender, using="default", **kwargs) -> None:
    """After every migrate: the case-count trigger is there (counter/triggers.py), whatever was migrated."""
    from counter import triggers

    connection = connections[using]
    if triggers.TABLE in connection.introspection.table_names():
        triggers.install(connection)


class CounterConfig(AppConfig):
    name = "counter"

    def ready(self) -> None:
        from counter import audit
        from counter.services import case_deadlines_refreshed
        from workdays import hooks as workdays_hooks

        # R6: a promised date computed before its year was entered is recomputed once it is.
        workdays_hooks.deadlines_refresh.subscribe(case_deadlines_refreshed)
        audit.register()
        post_migrate.connect(_triggers_installed, sender=self, dispatch_uid="counter.triggers")
