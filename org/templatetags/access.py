"""Ask the capability table from a template: `{% load access %}`.

    {% if user|can:"case.reveal_personal_data" %} ... {% endif %}
    {% can "contest.decide" contest as may_decide %}{% if may_decide %} ... {% endif %}
"""

from django import template

from org import access

register = template.Library()


@register.filter(name="can")
def can_filter(user, capability: str) -> bool:
    return access.can(user, capability)


@register.simple_tag(takes_context=True)
def can(context, capability: str, obj=None) -> bool:
    return access.can(context.get("user"), capability, obj)
