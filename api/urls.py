"""/api/: the NinjaAPI's paths (answers always in Chinese, never cached, a JSON 405) and the key pages."""

from functools import wraps

from django.conf import settings
from django.http import HttpResponseNotAllowed, JsonResponse
from django.urls import URLPattern, path
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from api import key_views
from api.main import api


def _json_api_view(view):
    """The API's own conventions around each ninja view (ninja answers a wrong method in plain text)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        # The messages are for the applicant at a Chinese counter or an uploader's log, whatever the browser asks.
        with translation.override(settings.LANGUAGE_CODE):
            response = view(request, *args, **kwargs)
            if isinstance(response, HttpResponseNotAllowed):
                allowed = response["Allow"]
                response = JsonResponse(
                    {"error": {"code": "method_not_allowed", "message": translation.gettext("不支持该请求方法。"),
                               "field": None}},
                    status=405, json_dumps_params={"ensure_ascii": False})
                response["Allow"] = allowed
        add_never_cache_headers(response)
        return response

    return wrapped


def _patterns():
    patterns, app_name, namespace = api.urls
    wrapped = []
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = _json_api_view(pattern.callback)
        wrapped.append(pattern)
    return wrapped


app_name = "api"

urlpatterns = [
    *_patterns(),
    path("keys/", key_views.keys, name="keys"),
    path("keys/<int:pk>/revoke/", key_views.key_revoke, name="key_revoke"),
]
