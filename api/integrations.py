"""The integration API (ratings by case or by time, ready for the provincial 好差评 upload) and its key page.

Integrations authenticate with `Authorization: Bearer <key>`; keys are issued per county or for the whole
city by the city administrator on /api/keys/. See docs/api.md.
"""

import datetime
import math
import re
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from api.keys import (
    integration_key_create,
    integration_key_for_secret,
    integration_key_revoke,
    integration_keys_of,
    ratings_for_key,
)
from api.models import IntegrationKey
from core.errors import DomainError, PermissionDenied
from counter.models import Case
from evaluations.models import Channel, Level, Rating, Reason
from org.models import Role, Unit, UnitKind
from org.selectors import scope_of

PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
# The provincial format's `pf` (评价渠道) for each of our channels (domain-facts 4.3, Zhejiang offlinereport).
PF_CODES = {Channel.DEVICE: 4, Channel.QR: 3, Channel.DEFAULT: 7}
# The first rating of a case and stage; the provincial format has 2 for a second rating, which R7 never stores.
ASSESS_NUMBER = 1


# --- responses -------------------------------------------------------------------------------


def _json(data, status: int = 200, **headers) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def api_error(status: int, code: str, message: str, field: str | None = None, **headers) -> JsonResponse:
    """The error body of every endpoint: {"error": {"code", "message" (Chinese), "field"}}."""
    return _json({"error": {"code": code, "message": str(message), "field": field}}, status=status, **headers)


class BadParameter(Exception):
    def __init__(self, field: str, message: str, code: str = "bad_parameter"):
        super().__init__(message)
        self.field, self.message, self.code = field, message, code


def _iso(moment: datetime.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def rating_json(rating: Rating) -> dict:
    """One rating as the integration API gives it."""
    case = rating.case
    officer = rating.officer
    return {
        "case_number": case.number,
        "item_code": case.item.code,
        "item_name": case.item.name,
        "stage": rating.stage,
        "stage_label": rating.get_stage_display(),
        "level": rating.level,
        "level_label": Level(rating.level).label,
        "efficiency": rating.efficiency,
        "quality": rating.quality,
        "attitude": rating.attitude,
        "reasons": [
            {"code": code, "label": str(Reason(code).label) if code in Reason.values else code}
            for code in rating.reasons
        ],
        "other_reason": rating.other_reason,
        "comment": rating.comment,
        "channel": rating.channel,
        "channel_label": rating.get_channel_display(),
        "pf": PF_CODES.get(rating.channel),
        "rated_at": _iso(rating.rated_at),
        "received_at": _iso(rating.received_at),
        "is_default": rating.is_default,
        "excluded": rating.excluded,
        "excluded_reason": rating.excluded_reason if rating.excluded else "",
        "county": {"code": rating.county.code, "name": rating.county.name},
        "station": {"code": rating.station.code, "name": rating.station.name},
        "window": {"code": rating.window.code, "name": rating.window.name},
        "officer": {"name": officer.display_name, "police_number": officer.police_number},
        "assess_number": ASSESS_NUMBER,
    }


# --- parameters ------------------------------------------------------------------------------

# "+08:00" arrives as " 08:00" when a caller forgets to encode the plus sign.
_LOST_PLUS = re.compile(r"(T?\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


def parse_moment(raw: str, field: str) -> datetime.datetime:
    """An ISO 8601 time, or a date meaning its start; a time without offset is Beijing time."""
    raw = _LOST_PLUS.sub(r"\1+\2", raw.strip())
    try:
        moment = parse_datetime(raw)
        if moment is None:
            day = parse_date(raw)
            moment = datetime.datetime.combine(day, datetime.time()) if day else None
    except ValueError:
        moment = None
    if moment is None:
        raise BadParameter(
            field,
            _("%(field)s 不是有效的时间，请使用 ISO 8601 格式，例如 2026-11-27T08:00:00+08:00。") % {"field": field},
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _positive_int(raw: str | None, field: str, default: int, maximum: int | None = None) -> int:
    if raw in (None, ""):
        return default
    if not raw.isdigit() or int(raw) < 1 or (maximum is not None and int(raw) > maximum):
        limit = _("1到%(max)s之间的整数") % {"max": maximum} if maximum else _("大于0的整数")
        raise BadParameter(field, _("%(field)s 应为%(limit)s。") % {"field": field, "limit": limit})
    return int(raw)


def _authenticate(request) -> IntegrationKey | JsonResponse:
    header = request.headers.get("Authorization", "")
    scheme, _sep, secret = header.partition(" ")
    challenge = {"WWW_Authenticate": 'Bearer realm="brightwindow"'}
    if scheme.lower() != "bearer" or not secret.strip():
        return api_error(401, "unauthorized", _("缺少接口密钥：请在请求头中提供 Authorization: Bearer <密钥>。"),
                         **challenge)
    key = integration_key_for_secret(secret.strip())
    if key is None:
        return api_error(401, "invalid_key", _("接口密钥无效或已停用，请联系市局管理员。"), **challenge)
    return key


# --- endpoints -------------------------------------------------------------------------------


def ratings(request):
    """GET /api/ratings?case=<办件编号>, or ?since=<time>[&until=<time>][&page=<n>][&page_size=<n>]."""
    if request.method != "GET":
        return api_error(405, "method_not_allowed", _("该接口只支持 GET 请求。"), Allow="GET")
    key = _authenticate(request)
    if isinstance(key, JsonResponse):
        return key
    params = request.GET
    try:
        return _ratings_by_case(key, params) if "case" in params else _ratings_by_time(request, key, params)
    except BadParameter as exc:
        return api_error(400, exc.code, exc.message, exc.field)


def _ratings_by_case(key: IntegrationKey, params) -> JsonResponse:
    if "since" in params or "until" in params:
        raise BadParameter("case", _("按办件编号查询时不能同时使用 since 或 until。"))
    number = params.get("case", "").strip()
    if not number or len(number) > 40:
        raise BadParameter("case", _("请提供办件编号（case），最长40个字符。"))
    scope = {"county_id": key.county_id} if key.county_id else {"city_id": key.city_id}
    if not Case.objects.filter(number=number, **scope).exists():
        return api_error(404, "case_not_found", _("未找到该办件，或该办件不在本密钥的范围内。"), "case")
    rows = list(ratings_for_key(key).filter(case__number=number).order_by("received_at", "id"))
    return _json({
        "count": len(rows), "page": 1, "pages": 1, "page_size": len(rows), "next": None, "previous": None,
        "results": [rating_json(r) for r in rows],
    })


def _ratings_by_time(request, key: IntegrationKey, params) -> JsonResponse:
    if not params.get("since", "").strip():
        raise BadParameter("since", _("请提供办件编号（case）或起始时间（since）。"), code="missing_parameter")
    since = parse_moment(params["since"], "since")
    until = parse_moment(params["until"], "until") if params.get("until", "").strip() else timezone.now()
    if until <= since:
        raise BadParameter("until", _("until 必须晚于 since。"))
    page = _positive_int(params.get("page"), "page", 1)
    size = _positive_int(params.get("page_size"), "page_size", PAGE_SIZE, MAX_PAGE_SIZE)
    rows = ratings_for_key(key).filter(received_at__gte=since, received_at__lt=until).order_by("received_at", "id")
    count = rows.count()
    pages = max(1, math.ceil(count / size))
    if page > pages:
        raise BadParameter("page", _("页码超出范围：共 %(pages)s 页。") % {"pages": pages}, code="page_out_of_range")
    start = (page - 1) * size

    def link(n: int) -> str:
        query = {"since": since.isoformat(), "until": until.isoformat(), "page": n}
        if size != PAGE_SIZE:
            query["page_size"] = size
        return f"{request.path}?{urlencode(query)}"

    return _json({
        "count": count, "page": page, "pages": pages, "page_size": size,
        "since": _iso(since), "until": _iso(until),
        "next": link(page + 1) if page < pages else None,
        "previous": link(page - 1) if page > 1 else None,
        "results": [rating_json(r) for r in rows[start:start + size]],
    })


# --- the key page (city administrator) -------------------------------------------------------


class KeyCreateForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("用途"),
        max_length=100,
        help_text=gettext_lazy("写明谁用这个密钥做什么，例如“省好差评平台上报（鼓楼）”。"),
        error_messages={"required": gettext_lazy("请填写密钥用途。"),
                        "max_length": gettext_lazy("用途不能超过100个字。")},
    )
    county = forms.ModelChoiceField(
        label=gettext_lazy("范围"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=gettext_lazy("全市"),
        error_messages={"invalid_choice": gettext_lazy("请选择本市的县（市、区）局，或选择全市。")},
    )

    def __init__(self, *args, city: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = Unit.objects.filter(kind=UnitKind.COUNTY, city=city).order_by("code")


def _require_city_admin(user):
    if user.role != Role.CITY_ADMIN or scope_of(user).unit is None:
        raise DjangoPermissionDenied


@login_required
def keys(request):
    """List the city's integration keys; create one (its secret is shown once, on this response only)."""
    _require_city_admin(request.user)
    city = scope_of(request.user).unit
    issued = None
    form = KeyCreateForm(request.POST if request.method == "POST" else None, city=city)
    if request.method == "POST" and form.is_valid():
        try:
            issued = integration_key_create(actor=request.user, name=form.cleaned_data["name"],
                                            county=form.cleaned_data["county"])
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            form = KeyCreateForm(city=city)
    response = render(request, "api/keys.html", {
        "form": form, "issued": issued, "keys": integration_keys_of(request.user),
        "ratings_url": reverse("api:ratings"), "docs_url": reverse("api:docs"),
    })
    response["Cache-Control"] = "no-store"  # the page may carry a secret
    return response


@login_required
@require_POST
def key_revoke(request, pk: int):
    _require_city_admin(request.user)
    key = get_object_or_404(IntegrationKey, pk=pk, city=scope_of(request.user).unit)
    try:
        integration_key_revoke(key=key, actor=request.user)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied from exc
    messages.success(request, _("密钥“%(name)s”已停用，使用它的系统将无法再读取数据。") % {"name": key.name})
    return HttpResponseRedirect(reverse("api:keys"))


urlpatterns = [
    path("ratings", ratings, name="ratings"),
    path("keys/", keys, name="keys"),
    path("keys/<int:pk>/revoke/", key_revoke, name="key_revoke"),
]
