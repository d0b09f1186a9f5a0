"""Domain errors: a stable code for programs, a Chinese message for people, and the one map to HTTP.

Services raise these; they never build HTTP answers. The staff pages (shell.middleware), the forms
(`form_error_add`) and the JSON API (api.errors) turn them into answers through `http_status` and
`error_body`, so a code means the same status everywhere.
"""

from typing import Any


class DomainError(Exception):
    """A rule of the domain refused the action."""

    code = "domain_error"
    status = 400

    def __init__(self, message: Any, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


class AccessDenied(DomainError):
    """The person may not do this (here). Named apart from Django's PermissionDenied on purpose."""

    code = "access_denied"
    status = 403


class NotFound(DomainError):
    """The record does not exist, or is outside the caller's units (the two are never told apart)."""

    code = "not_found"
    status = 404


class ConflictError(DomainError):
    """Somebody else changed the record first, or it has moved on from the state the caller saw."""

    code = "conflict"
    status = 409


class Unauthenticated(DomainError):
    """The caller did not prove who it is (a device token, an integration key)."""

    code = "unauthenticated"
    status = 401


# The codes whose HTTP status is not their class's. Devices in the field read these: keep them stable.
STATUS_BY_CODE: dict[str, int] = {
    "method_not_allowed": 405,
    "bad_transition": 409,
    "already_decided": 409,
    "already_contested": 409,
    "already_rated": 409,
    "idempotency_key_reused": 409,
}


def http_status(exc: DomainError) -> int:
    """The HTTP status that answers `exc`, wherever it is raised."""
    return STATUS_BY_CODE.get(exc.code, exc.status)


def error_body(exc: DomainError) -> dict[str, dict[str, Any]]:
    """The JSON error of every endpoint: {"error": {"code", "message" (Chinese), "field"}}."""
    return {"error": {"code": exc.code, "message": str(exc.message), "field": exc.field}}


def form_error_add(form: Any, exc: DomainError) -> int:
    """Show a service's refusal next to the field it names (or above the form); return the HTTP status."""
    form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
    return http_status(exc)
