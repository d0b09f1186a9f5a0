from django.apps import AppConfig


class CounterConfig(AppConfig):
    name = "counter"

    def ready(self) -> None:
        from core.jobs import daily_task_register
        from counter.services import case_deadlines_refresh

        daily_task_register(
            "deadlines_refresh", order=10, run=case_deadlines_refresh,
            doc="录入新年度节假日安排后，重算按“暂定”计算的承诺办结日期",
            report=lambda n: f"deadlines_refresh: 已重新计算 {n} 件办件的承诺办结日期",
        )
