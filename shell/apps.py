from django.apps import AppConfig


class ShellConfig(AppConfig):
    name = "shell"
    verbose_name = "界面"

    def ready(self) -> None:
        from shell import audit

        audit.register()
