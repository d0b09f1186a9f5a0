"""What evaluations shows on pages of the apps below it (subscribed to their hooks in apps.py)."""

import datetime
from dataclasses import dataclass

from django.template.loader import render_to_string

from core.prepared import run
from evaluations.models import Invite, Rating
from evaluations.selectors import rating_shows_case


def _case_invites(case_id):
    return Invite.objects.filter(case_id=case_id).select_related("rating", "shown_on").order_by("created_at")


@dataclass(frozen=True)
class InviteRow:
    """One rating invitation on the case page. `rating` is given only to those who may see the rater's data;
    window staff learn that the case was rated, never the level, the reasons or the comment (GB/T 39734)."""

    stage_label: str
    created_at: datetime.datetime
    device_offline: bool
    shown_at: datetime.datetime | None
    rated: bool
    rated_by_default: bool
    rating: Rating | None


def case_ratings_panel(*, case, user) -> str:
    """The case's rating invitations and how each stands: waiting, shown on the evaluator, rated."""
    invites = run(_case_invites, case_id=case.pk)  # on every case page: compiled once (core/prepared.py)
    shows_rating = rating_shows_case(user)
    rows = []
    for invite in invites:
        rating = getattr(invite, "rating", None)  # a missing one-to-one raises a subclass of AttributeError
        rows.append(InviteRow(
            stage_label=str(invite.get_stage_display()), created_at=invite.created_at,
            device_offline=invite.device_offline, shown_at=invite.shown_at, rated=rating is not None,
            rated_by_default=bool(rating and rating.is_default), rating=rating if shows_rating else None,
        ))
    return render_to_string("evaluations/_case_ratings.html", {
        "invites": rows, "user": user, "confidential": not shows_rating and any(row.rated for row in rows),
    })
