"""What evaluations shows on pages of the apps below it (subscribed to their hooks in apps.py)."""

from django.template.loader import render_to_string

from evaluations.models import Invite


def case_ratings_panel(*, case, user) -> str:
    """The case's rating invitations and how each stands: waiting, shown on the evaluator, rated."""
    invites = Invite.objects.filter(case=case).select_related("rating", "shown_on").order_by("created_at")
    return render_to_string("evaluations/_case_ratings.html", {"invites": invites, "user": user})
