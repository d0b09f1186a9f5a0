from django.apps import AppConfig


class CounterConfig(AppConfig):
    name = "counter"

    def ready(self) -> None:
        from counter import audit
        from counter.services import case_deadlines_refreshed
        from workdays import hooks as workdays_hooks

        # R6: a promised date computed before its year was entered is recomputed once it is.
        workdays_hooks.deadlines_refresh.subscribe(case_deadlines_refreshed)
        audit.register()
