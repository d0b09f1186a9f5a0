from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("org.urls")),
    path("calendar/", include("workdays.urls")),
    path("guide/", include("catalog.urls")),
    path("counter/", include("counter.urls")),
    path("evaluations/", include("evaluations.urls")),
    path("api/", include("api.urls")),
    path("r/", include("evaluations.public_urls")),
    path("", include("core.urls")),
]

handler403 = "core.views.forbidden"
handler404 = "core.views.not_found"
