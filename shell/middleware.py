"""One handler for the staff pages: a domain error a view did not catch becomes the Chinese error page.

Views let services raise (AccessDenied -> 403, NotFound -> 404, ConflictError -> 409, any other
DomainError -> 400; core.errors.http_status decides) instead of mapping errors themselves. Errors a view
wants to show on its form it catches and hands to `core.errors.form_error_add`. The JSON API has its
own handler (api.errors), which gives the same codes the same statuses.
"""

from django.conf import settings
from django.http import HttpRequest

from core.errors import DomainError, http_status


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, DomainError):
            return None
        from shell.views import error_page

        return error_page(request, http_status(exception), str(exception.message))


class SecurityHeadersMiddleware:
    """Every page the application renders gets the Content-Security-Policy and, unless its view chose otherwise,
    `Cache-Control: no-store`.

    Everything is served from this server (no CDN, no inline script, style or handler in any template: a test
    reads them all), so the policy can forbid everything else: an injected script has nowhere to load from and
    nothing inline runs. `no-store` keeps case pages, revealed numbers, PDFs and ratings out of the browser's
    and any proxy's cache, so the next person at a shared counter PC cannot page back to them after sign-out.
    Static files never reach this middleware: WhiteNoise, above it, answers them with long-lived caching.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        if "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        return response
