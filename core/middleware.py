"""Drop NUL characters from form and query data: no form field needs them and PostgreSQL text cannot hold them.

A NUL in a part of the path (a case number, a county code) names no record: that is a 404 before the view
looks it up.
"""

import ipaddress

from django.http import Http404

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class StripNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        names = ["GET"]
        # Only form posts are parsed here; the JSON API reads its own body and refuses NUL itself.
        if request.method == "POST" and request.content_type in FORM_TYPES and not request.path.startswith("/api/"):
            names.append("POST")
        for name in names:
            data = getattr(request, name)
            if _has_nul(data):
                cleaned = data.copy()
                for key, values in data.lists():
                    cleaned.setlist(key, [value.replace("\x00", "") for value in values])
                cleaned._mutable = False
                setattr(request, name, cleaned)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if any(isinstance(value, str) and "\x00" in value for value in (*view_args, *view_kwargs.values())):
            raise Http404
        return None


def _has_nul(data) -> bool:
    return any("\x00" in value for _key, values in data.lists() for value in values)


class AuditAddressMiddleware:
    """Every audit event written while serving a request records the client's address (core.audit)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from core.audit import request_address, request_address_reset
        from core.ratelimit import client_address

        token = request_address(_valid_address(client_address(request)))
        try:
            return self.get_response(request)
        finally:
            request_address_reset(token)


def _valid_address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None
