"""Domain errors: a stable code for programs and a Chinese message for people."""


class DomainError(Exception):
    """A rule of the domain refused the action."""

    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


class PermissionDenied(DomainError):
    code = "permission_denied"


class ConflictError(DomainError):
    """Somebody else changed the record first."""

    code = "conflict"
