"""Chinese punctuation that a template writes between values: full-width in Chinese, plain in English.

`{% load punctuation %}…{{ a }}{% p "，" %}{{ b }}…` and `{{ names|join_words }}` (、 in Chinese, ", " in English).
Text inside {% translate %} carries its own punctuation; this is for the marks between values.
"""

from django import template
from django.utils.translation import get_language

register = template.Library()

PLAIN = {"，": ", ", "；": "; ", "（": " (", "）": ")", "：": ": ", "、": ", "}


def _chinese() -> bool:
    return (get_language() or "zh-hans").lower().startswith("zh")


@register.simple_tag
def p(mark: str) -> str:
    """The mark as written in Chinese, or its plain equivalent on an English page."""
    if mark not in PLAIN:
        raise template.TemplateSyntaxError(f"no plain equivalent for {mark!r}")
    return mark if _chinese() else PLAIN[mark]


@register.filter
def join_words(values) -> str:
    """Join with 、 in Chinese, ", " in English (the values are escaped by the template as usual)."""
    return ("、" if _chinese() else ", ").join(str(v) for v in values)
