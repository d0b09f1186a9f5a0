from django import template

from counter.models import CaseStatus

register = template.Library()

_BADGE = {
    CaseStatus.INTAKE: "",
    CaseStatus.NOTICE: "warn",
    CaseStatus.ACCEPTED: "info",
    CaseStatus.COMPLETED: "ok",
    CaseStatus.REFUSED: "bad",
}


@register.filter
def status_badge(status: str) -> str:
    return _BADGE.get(status, "")
