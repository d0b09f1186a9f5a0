from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "workdays"

    def ready(self) -> None:
        from core.jobs import daily_task_register
        from workdays import audit
        from workdays.services import provisional_deadlines_refresh

        daily_task_register(
            "deadlines_refresh", order=10, run=lambda: provisional_deadlines_refresh().total,
            doc="录入新年度节假日安排后，重算各处按“暂定”计算的期限（办件承诺办结日期、差评整改期限）",
            report=lambda n: f"deadlines_refresh: 已重新计算 {n} 个暂定期限",
        )
        audit.register()
