from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from counter.qr import qr_svg

register = template.Library()


@register.filter
def rating_qr_svg(url: str) -> str:
    """The QR code of a document's rating link as inline SVG; nothing for a document without one."""
    if not url:
        return ""
    # qr_svg escapes the label and builds the rest from numbers only.
    return mark_safe(qr_svg(str(url), size="24mm", label=_("扫码评价本次服务")))
