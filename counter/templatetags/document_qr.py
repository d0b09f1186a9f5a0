from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from counter.barcode import barcode_svg
from counter.qr import qr_svg

register = template.Library()


@register.filter
def rating_qr_svg(url: str) -> str:
    """The QR code of a document's rating link as inline SVG; nothing for a document without one."""
    if not url:
        return ""
    # qr_svg escapes the label and builds the rest from numbers only.
    return mark_safe(qr_svg(str(url), size="24mm", label=_("扫码评价本次服务")))


@register.filter
def case_barcode_svg(number: str) -> str:
    """The case number as a Code 128 barcode (inline SVG), for the counter's scanner; nothing if it cannot be coded."""
    if not number:
        return ""
    # barcode_svg escapes the label and builds the rest from numbers only.
    return mark_safe(barcode_svg(str(number), label=_("业务编号条码：扫描即可打开本办件")))
