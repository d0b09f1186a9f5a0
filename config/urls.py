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
    path("", include("shell.urls")),
]

# Chinese error pages, in the staff or the public layout (shell/views.py), never Django's English ones.
handler400 = "shell.views.bad_request"
handler403 = "shell.views.forbidden"
handler404 = "shell.views.not_found"
handler500 = "shell.views.server_error"
