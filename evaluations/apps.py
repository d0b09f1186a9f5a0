from django.apps import AppConfig
from django.conf import settings
from django.db import connections
from django.db.models.signals import post_migrate


def _triggers_installed(sender, using="default", **kwargs) -> None:
    """After every migrate: the invitation trigger is there, for the TIME_ZONE of the settings now."""
    from evaluations import triggers

    connection = connections[using]
    if triggers.TABLE in connection.introspection.table_names():
        triggers.install(connection)


class EvaluationsConfig(AppConfig):
    name = "evaluations"

    def ready(self) -> None:
        from core.jobs import daily_task_register
        from counter import hooks as counter_hooks
        from evaluations import audit, checks, panels, services, window_days  # noqa: F401  (checks: system checks)
        from workdays import hooks as workdays_hooks

        # R7: every notice, refusal and completion asks the window's evaluator for a rating.
        counter_hooks.stage_ended.subscribe(services.invite_for_decision)
        # Every issued document prints the applicant's rating link and its QR code.
        counter_hooks.document_issuing.subscribe(services.document_rating_fields)
        # The applicant's rating link is made with the case, so that no decision has to make it.
        counter_hooks.case_opened.subscribe(services.rating_link_made)
        counter_hooks.case_locking.subscribe(services.decision_columns)
        counter_hooks.case_panels.subscribe(panels.case_ratings_panel)
        # R6: follow-up deadlines computed before their year was entered are recomputed once it is.
        workdays_hooks.deadlines_refresh.subscribe(services.follow_up_deadlines_refreshed)
        audit.register()
        post_migrate.connect(_triggers_installed, sender=self, dispatch_uid="evaluations.triggers")

        daily_task_register(
            "ratings_default", order=20, run=services.ratings_default_apply,
            doc="邀请评价满 RATING_LINK_DAYS 天仍未评价的，记录默认评价（不计入主动评价）",
            report=lambda n: (f"ratings_default: {n} default rating(s) recorded "
                              f"(level {settings.RATING_DEFAULT_LEVEL}, after {settings.RATING_LINK_DAYS} days)"),
        )
        daily_task_register(
            "window_days", order=40, run=window_days.window_days_daily,
            doc="重算评价器使用情况最近几天的每日数字（昨天的离线分钟从此不再变化）；第一次运行时重算全部",
            report=lambda n: f"window_days: {n} window-day row(s) rebuilt",
        )
        daily_task_register(
            "follow_ups_escalate", order=30, run=services.follow_ups_escalate,
            doc="差评回访整改逾期未办结的，上报县局",
            report=lambda n: f"follow_ups_escalate: {n} follow-up(s) escalated",
        )
