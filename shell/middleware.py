"""One handler for the staff pages: a domain error a view did not catch becomes the Chinese error page.

Views let services raise (AccessDenied -> 403, NotFound -> 404, ConflictError -> 409, any other
DomainError -> 400; core.errors.http_status decides) instead of mapping errors themselves. Errors a view
wants to show on its form it catches and hands to `core.errors.form_error_add`. The JSON API has its
own handler (api.errors), which gives the same codes the same statuses.
"""

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
