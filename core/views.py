import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render

from core.forms import AuditFilterForm
from core.selectors import audit_actions_visible_to, audit_can_read, audit_events_visible_to
from org.models import Role

AUDIT_PAGE_SIZE = 50


@login_required
def home(request):
    """Send each role to the screen it works on."""
    if request.user.role in (Role.WINDOW_OFFICER, Role.WINDOW_STAFF):
        return redirect("counter:desk")
    return redirect("counter:case_list")


@login_required
def audit_list(request):
    """List the audit events of the user's units, newest first, 50 a page."""
    if not audit_can_read(request.user):
        raise PermissionDenied
    events = audit_events_visible_to(request.user)
    form = AuditFilterForm(request.GET or None, actions=audit_actions_visible_to(request.user))
    if form.is_bound and form.is_valid():
        events = form.apply(events)
    elif form.is_bound:
        events = events.none()
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"event": e, "data": json.dumps(e.data, ensure_ascii=False, sort_keys=True) if e.data else ""}
            for e in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "core/audit_list.html", {
        "form": form, "page": page, "rows": rows, "query": query.urlencode(),
    })


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def forbidden(request, exception=None):
    return render(request, "403.html", status=403)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)
