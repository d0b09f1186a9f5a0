from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render

from org.models import Role


@login_required
def home(request):
    """Send each role to the screen it works on."""
    if request.user.role in (Role.WINDOW_OFFICER, Role.WINDOW_STAFF):
        return redirect("counter:desk")
    return redirect("counter:case_list")


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def forbidden(request, exception=None):
    return render(request, "403.html", status=403)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


