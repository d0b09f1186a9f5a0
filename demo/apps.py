from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo city: one seeder per app, each built only through that app's public services."""

    name = "demo"
    verbose_name = "演示数据"
