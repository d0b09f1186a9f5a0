from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"

    def ready(self) -> None:
        # Build the API (its pydantic schemas) at start, not at the first request: a slow first call would
        # otherwise pay for it, and a test under a frozen clock would see a fake `datetime` class.
        from api import audit, main  # noqa: F401

        audit.register()
