from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "org"

    def ready(self) -> None:
        from org import audit

        audit.register()
