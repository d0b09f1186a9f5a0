"""config.urls plus /bench/bare/ (bench/bare/views.py); the error handlers are the real ones."""

from django.urls import path

from bench.bare import views
from config.urls import handler400, handler403, handler404, handler500
from config.urls import urlpatterns as real_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

urlpatterns = [
    path("bench/bare/", views.bare, name="bench_bare"),
    *real_urlpatterns,
]
