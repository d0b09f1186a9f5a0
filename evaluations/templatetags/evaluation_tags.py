from django import template

from evaluations.models import Invite

register = template.Library()


@register.inclusion_tag("evaluations/_case_ratings.html")
def case_ratings(case):
    """The rating invitations of a case and how each stands: waiting, shown on the evaluator, rated."""
    invites = Invite.objects.filter(case=case).select_related("rating", "shown_on").order_by("created_at")
    return {"invites": invites}
