"""The staff shell's own pages (home, audit log, health) and the error pages every screen falls back on."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import audit_record, events_describe
from core.errors import DomainError, error_body
from core.pagination import keyset_page, query_without_page
from org import access
from shell.audit_export import EXPORT_CAP, XLSX, audit_export_build
from shell.forms import AuditFilterForm
from shell.navigation import home_url_name
from shell.selectors import audit_events_visible_to, audit_export_unit


@login_required
def home(request):
    """Send each person to the screen they work on."""
    return redirect(home_url_name(request.user))


def _audit_filtered(request):
    """The filter form of the audit log and the events it selects within the user's scope (none if it is invalid)."""
    events = audit_events_visible_to(request.user)
    form = AuditFilterForm(request.GET)  # every filter is optional: no query string is a valid form
    return form, form.apply(events) if form.is_valid() else events.none()


def _audit_page(request, form, events):
    # Keyset pages: as quick 100,000 rows down as at the top, and no count of millions (core.pagination).
    page = keyset_page(events, request)
    return render(request, "shell/audit_list.html", {
        "form": form, "page": page, "rows": events_describe(page.object_list), "query": query_without_page(request),
        "export_cap": EXPORT_CAP,
    }, status=400 if form.errors else 200)


@login_required
def audit_list(request):
    """List the audit events of the user's units in words, newest first, 50 a page ("next" and "previous")."""
    access.require(request.user, access.AUDIT_READ)
    form, events = _audit_filtered(request)
    return _audit_page(request, form, events)


@login_required
def audit_export(request):
    """The filtered audit log of the user's units as an Excel file (at most EXPORT_CAP rows, newest first)."""
    access.require(request.user, access.AUDIT_READ)
    form, events = _audit_filtered(request)
    if form.errors:
        return _audit_page(request, form, events)
    unit = audit_export_unit(request.user)
    export = audit_export_build(events=events, viewer=request.user, unit=unit,
                                filters=form.filters_described())
    # The file carries personal data: who took which part of the log is itself on the log.
    audit_record(actor=request.user, action="audit.export", unit=unit,
                 data={**form.filters(), "rows": export.rows, "matched": export.matched})
    response = HttpResponse(export.content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=export.filename)
    return response


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# --- error pages ---------------------------------------------------------------------------------

API_CODES = {403: "access_denied", 404: "not_found", 405: "method_not_allowed", 409: "conflict", 500: "server_error"}
ERROR_TITLES = {
    400: (gettext_lazy("请求有误"),
          gettext_lazy("提交的内容无法处理。请返回上一页检查后重新填写；如果一再出现，请刷新页面后重试。")),
    403: (gettext_lazy("无权访问"),
          gettext_lazy("您没有查看或办理该内容的权限。如确需访问，请联系本单位管理员。")),
    404: (gettext_lazy("未找到"),
          gettext_lazy("您要找的页面或记录不存在，或不在您的管辖范围内。")),
    405: (gettext_lazy("请求方式不对"),
          gettext_lazy("该页面不支持这种操作，请从页面上的按钮或链接进入。")),
    409: (gettext_lazy("记录已被他人处理"),
          gettext_lazy("该记录刚刚已被他人处理，您的操作未保存。请刷新页面查看最新情况后再办理。")),
    429: (gettext_lazy("请求过于频繁"),
          gettext_lazy("短时间内的请求太多，已暂停受理。请稍等片刻再试。")),
    500: (gettext_lazy("系统出错"),
          gettext_lazy("系统暂时无法完成您的请求，已记录错误。请稍后重试；如果一再出现，请联系系统管理员。")),
}


# The public is not told to ask "their unit's administrator".
PUBLIC_TEXTS = {
    403: gettext_lazy("该页面不对外开放。如需办理户籍业务，请到户籍窗口或拨打办事指南上的咨询电话。"),
}


def _is_public(request: HttpRequest) -> bool:
    """Pages for the public (and requests without a staff session) get the public layout, no staff menu."""
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def error_page(request: HttpRequest, status: int, message: str = "") -> HttpResponse:
    """A Chinese error page in the staff or public layout; `message` says what happened, when known."""
    title, text = ERROR_TITLES.get(status, ERROR_TITLES[400])
    if request.path.startswith("/api/"):
        # A path under /api/ that no endpoint answers: the API's JSON error, not a page.
        return JsonResponse(error_body(DomainError(message or text, code=API_CODES.get(status, "bad_request"))),
                            status=status, json_dumps_params={"ensure_ascii": False})
    if _is_public(request):
        return render(request, "public_error.html", {"status": status, "title": title,
                                                     "text": PUBLIC_TEXTS.get(status, text), "message": message},
                      status=status)
    return render(request, "error.html", {"status": status, "title": title, "text": text, "message": message},
                  status=status)


def bad_request(request, exception=None):
    return error_page(request, 400)


def forbidden(request, exception=None):
    message = str(exception) if exception and str(exception) and not isinstance(exception, type) else ""
    return error_page(request, 403, message)


def not_found(request, exception=None):
    return error_page(request, 404)


def server_error(request):
    """Rendered without context processors or database access: the database may be what failed."""
    title, text = ERROR_TITLES[500]
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(DomainError(text, code="server_error")), status=500,
                            json_dumps_params={"ensure_ascii": False})
    html = loader.get_template("500.html").render({"title": title, "text": text})
    return HttpResponse(html, status=500)


def csrf_failure(request, reason=""):
    """The page expired or came from elsewhere: say so in Chinese instead of Django's English page."""
    return error_page(request, 403, _("页面已过期或来源不明（安全校验未通过）。请刷新页面后重新提交；"
                                      "若仍不行，请确认浏览器允许本网站的 Cookie。"))
