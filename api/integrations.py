"""The integration API: ratings by case or by time, ready for the provincial 好差评 upload (docs/api.md).

Integrations authenticate with `Authorization: Bearer <key>`; keys are issued per county or for the whole
city by the city administrator on /api/keys/.
"""

import math
from urllib.parse import urlencode

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from api.keys import integration_key_for_secret, ratings_for_key
from api.models import IntegrationKey
from api.schemas import Error, Rating, RatingPage, RatingQuery, iso
from core import clock
from core.errors import DomainError, NotFound, Unauthenticated
from counter.models import Case
from evaluations.models import Channel, Level, Reason
from evaluations.models import Rating as RatingRow

PAGE_SIZE = 100
# The provincial format's `pf` (评价渠道) for each of our channels (domain-facts 4.3, Zhejiang offlinereport).
PF_CODES = {Channel.DEVICE: 4, Channel.QR: 3, Channel.DEFAULT: 7}
# The first rating of a case and stage; the provincial format has 2 for a second rating, which R7 never stores.
ASSESS_NUMBER = 1
TAG = "对接系统"


class IntegrationKeyAuth:
    """`Authorization: Bearer <key>` -> the key (its county, or the whole city)."""

    def __call__(self, request: HttpRequest) -> IntegrationKey:
        scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Unauthenticated(_("缺少接口密钥：请在请求头中提供 Authorization: Bearer <密钥>。"),
                                  code="unauthorized")
        key = integration_key_for_secret(secret.strip())
        if key is None:
            raise Unauthenticated(_("接口密钥无效或已停用，请联系市局管理员。"), code="invalid_key")
        return key


IntegrationKeyAuth.openapi_security_schema = {  # type: ignore[attr-defined]
    "type": "http", "scheme": "bearer",
    "description": "市局管理员在 /api/keys/ 签发的接口密钥（以 bwk_ 开头）：`Authorization: Bearer <密钥>`。",
}

router = Router(tags=[TAG])


def rating_out(rating: RatingRow) -> dict:
    """One rating as the integration API gives it."""
    case = rating.case
    officer = rating.officer
    return {
        "case_number": case.number,
        "item_code": case.item.code,
        "item_name": case.item.name,
        "stage": rating.stage,
        "stage_label": str(rating.get_stage_display()),
        "level": rating.level,
        "level_label": str(Level(rating.level).label),
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
        "channel_label": str(rating.get_channel_display()),
        "pf": PF_CODES.get(rating.channel),
        "rated_at": iso(timezone.localtime(rating.rated_at)),
        "received_at": iso(timezone.localtime(rating.received_at)),
        "is_default": rating.is_default,
        "excluded": rating.excluded,
        "excluded_reason": rating.excluded_reason if rating.excluded else "",
        "county": {"code": rating.county.code, "name": rating.county.name},
        "station": {"code": rating.station.code, "name": rating.station.name},
        "window": {"code": rating.window.code, "name": rating.window.name},
        "officer": {"name": officer.display_name, "police_number": officer.police_number},
        "assess_number": ASSESS_NUMBER,
    }


@router.get("/ratings", auth=IntegrationKeyAuth(), url_name="ratings", operation_id="ratings_list",
            response={200: RatingPage, 400: Error, 401: Error, 404: Error, 405: Error},
            summary="查询评价：按办件编号，或按收到时间分页",
            description="按办件编号（case）返回该办件的全部评价；或按服务器收到评价的时间（since 起、until 止，"
                        "含起不含止）分页返回，便于上报程序按相邻时间段连续读取、不重不漏。只返回密钥所属县（或全市）的评价。")
def ratings(request: HttpRequest, query: Query[RatingQuery]):
    key: IntegrationKey = request.auth
    if query.case is not None:
        return _by_case(key, query)
    return _by_time(request, key, query)


def _by_case(key: IntegrationKey, query: RatingQuery) -> dict:
    if query.since is not None or query.until is not None:
        raise DomainError(_("按办件编号查询时不能同时使用 since 或 until。"), code="bad_parameter", field="case")
    number = query.case.strip()
    if not number:
        raise DomainError(_("请提供办件编号（case），最长40个字符。"), code="bad_parameter", field="case")
    if not Case.objects.filter(number=number, **_key_scope(key)).exists():
        raise NotFound(_("未找到该办件，或该办件不在本密钥的范围内。"), code="case_not_found", field="case")
    rows = list(ratings_for_key(key).filter(case__number=number).order_by("received_at", "id"))
    return {"count": len(rows), "page": 1, "pages": 1, "page_size": len(rows), "next": None, "previous": None,
            "results": [rating_out(r) for r in rows]}


def _aware(moment):
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _by_time(request: HttpRequest, key: IntegrationKey, query: RatingQuery) -> dict:
    if query.since is None:
        raise DomainError(_("请提供办件编号（case）或起始时间（since）。"), code="missing_parameter", field="since")
    since = _aware(query.since)
    until = _aware(query.until) if query.until is not None else clock.now()
    if until <= since:
        raise DomainError(_("until 必须晚于 since。"), code="bad_parameter", field="until")
    page, size = query.page, query.page_size
    # Counted and paged on the index (scope, received_at, id) alone: a deep page of a month at city scale skips
    # its rows in the index, and only the page's own ratings are read with their case, units and officer.
    rows = (RatingRow.objects.filter(**_key_scope(key), received_at__gte=since, received_at__lt=until)
            .order_by("received_at", "id"))
    count = rows.count()
    pages = max(1, math.ceil(count / size))
    if page > pages:
        raise DomainError(_("页码超出范围：共 %(pages)s 页。") % {"pages": pages}, code="page_out_of_range",
                          field="page")
    start = (page - 1) * size

    def link(n: int) -> str:
        params = {"since": since.isoformat(), "until": until.isoformat(), "page": n}
        if size != PAGE_SIZE:
            params["page_size"] = size
        return f"{request.path}?{urlencode(params)}"

    return {
        "count": count, "page": page, "pages": pages, "page_size": size,
        "since": iso(timezone.localtime(since)), "until": iso(timezone.localtime(until)),
        "next": link(page + 1) if page < pages else None,
        "previous": link(page - 1) if page > 1 else None,
        "results": [rating_out(r) for r in _page_rows(key, rows, start, size)],
    }


def _key_scope(key: IntegrationKey) -> dict:
    return {"county_id": key.county_id} if key.county_id else {"city_id": key.city_id}


def _page_rows(key: IntegrationKey, rows, start: int, size: int) -> list[RatingRow]:
    """The ratings of one page, in the page's order: their ids from the index, then each with what rating_out
    shows (two queries, however deep the page)."""
    ids = list(rows.values_list("id", flat=True)[start:start + size])
    found = {r.pk: r for r in ratings_for_key(key).filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


__all__ = ["router", "Rating", "rating_out"]
