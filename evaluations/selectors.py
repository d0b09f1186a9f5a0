"""Reads of ratings, follow-ups and contests, always scoped by the user's units first.

Window staff see only what concerns themselves: their own ratings and their own contests, and those without
the case they rate (GB/T 39734: the rater is protected from retaliation; see "Who sees what" in
docs/bad_reviews.md). Station heads, county and city administrators and inspectors see everything in their
units, case and applicant included. Usage figures and alerts (self-inspection item 7) are in evaluations/stats.py.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from core import clock
from evaluations.models import (
    BAD_LEVELS,
    Channel,
    Contest,
    FollowUp,
    Rating,
    Reason,
)
from evaluations.states import CONTEST_WORKFLOW, ContestStatus, FollowUpStatus
from org import access
from org.models import Staff
from org.selectors import scope_q

# An active rating is one the applicant gave; the 7-day default is not.
ACTIVE_CHANNELS = (Channel.DEVICE, Channel.QR)


def local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def day_range_q(field: str, date_from: datetime.date | None, date_to: datetime.date | None) -> Q:
    """Rows whose `field` falls on a local date from `date_from` to `date_to`, both included."""
    q = Q()
    if date_from:
        q &= Q(**{f"{field}__gte": local_midnight(date_from)})
    if date_to:
        q &= Q(**{f"{field}__lt": local_midnight(date_to + datetime.timedelta(days=1))})
    return q


def unit_q(unit, through: str = "") -> Q:
    """Rows (core.models.Scoped) of `unit`: a city, county, station (or brigade) or window."""
    level = {"city": "city", "county": "county", "station": "station", "brigade": "station",
             "window": "window"}[unit.kind]
    prefix = f"{through}__" if through else ""
    return Q(**{f"{prefix}{level}_id": unit.pk})


# --- ratings -----------------------------------------------------------------------------------


def ratings_visible_to(user: Staff) -> QuerySet[Rating]:
    qs = Rating.objects.filter(scope_q(user))
    if not access.can(user, access.RATING_READ_UNITS):
        qs = qs.filter(officer=user)  # window staff see their own ratings only
    if not rating_shows_case(user):
        return qs.select_related("window", "station", "officer")  # the case is not theirs to know
    return qs.select_related("case", "window", "station", "officer", "invite")


@dataclass(frozen=True)
class RatingFilter:
    window_id: int | None = None
    officer_id: int | None = None
    level: int | None = None
    channel: str = ""  # a Channel value, or "active" for device and QR together
    bad_only: bool = False
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    # "rated": the dates are rating dates; "invited": the dates are the dates the rating was asked for
    # (the usage figures count by invitation date, and link here with by=invited).
    by: str = "rated"
    unit: Any = None  # a county or station of the user's (the usage page's rows link here with it)


def ratings_filtered(user: Staff, f: RatingFilter) -> QuerySet[Rating]:
    qs = ratings_visible_to(user)
    if f.unit is not None:
        qs = qs.filter(unit_q(f.unit))
    if f.window_id:
        qs = qs.filter(window_id=f.window_id)
    if f.officer_id:
        qs = qs.filter(officer_id=f.officer_id)
    if f.level:
        qs = qs.filter(level=f.level)
    if f.channel == "active":
        qs = qs.filter(channel__in=ACTIVE_CHANNELS)
    elif f.channel:
        qs = qs.filter(channel=f.channel)
    if f.bad_only:
        qs = qs.filter(level__in=BAD_LEVELS, is_default=False)
    field = "invite__created_at" if f.by == "invited" else "rated_at"
    return qs.filter(day_range_q(field, f.date_from, f.date_to)).select_related("follow_up", "contest")


def rating_for(user: Staff, pk: int) -> Rating:
    """The rating if the user may see it; 404 otherwise (leaks nothing)."""
    try:
        return ratings_visible_to(user).select_related("follow_up", "contest", "contest__decided_by").get(pk=pk)
    except Rating.DoesNotExist as exc:
        raise Http404 from exc


# --- who gave it: the rater is protected from retaliation (GB/T 39734) -----------------------------


def rating_shows_case(user: Staff) -> bool:
    """Whether `user` may see which case a rating rates, and so who gave it (the supervisors, not window staff)."""
    return access.can(user, access.RATING_READ_CASE)


class _Shown:
    """A read-only view of one row that answers only the attributes named in SHOWN.

    Anything else is an AttributeError (in a template: nothing), so a page cannot show what the viewer may not
    know by forgetting an `if`; relations that lead back to the case are views of their own.
    """

    SHOWN: frozenset[str] = frozenset()

    def __init__(self, row: Any) -> None:
        object.__setattr__(self, "_row", row)

    def __getattr__(self, name: str) -> Any:
        if name not in self.SHOWN:
            raise AttributeError(f"{type(self).__name__} does not show {name!r}: the rater's data is confidential")
        return getattr(self._row, name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")


class FollowUpWithoutCase(_Shown):
    """A follow-up as the rated officer sees it: where it stands, not what the applicant said on the phone."""

    SHOWN = frozenset({
        "pk", "id", "status", "get_status_display", "deadline", "deadline_provisional", "verdict",
        "get_verdict_display", "is_late", "escalated_at", "closed_at",
    })


class RatingWithoutCase(_Shown):
    """A rating as the rated officer sees it: what was said about the service, and on which day; not the case,
    the applicant, the minute, the device or the address it came from."""

    SHOWN = frozenset({
        "pk", "id", "stage", "get_stage_display", "officer", "officer_id", "window", "window_id", "station_id",
        "county_id", "city_id", "level", "get_level_display", "efficiency", "get_efficiency_display", "quality",
        "get_quality_display", "attitude", "get_attitude_display", "reasons", "other_reason", "reason_text",
        "comment", "channel", "get_channel_display", "is_default", "is_bad", "excluded", "excluded_reason",
    })
    case = None

    @property
    def rated_on(self) -> datetime.date:
        return clock.localtime(self._row.rated_at).date()

    @property
    def follow_up(self) -> FollowUpWithoutCase | None:
        follow_up = getattr(self._row, "follow_up", None)  # a missing one-to-one raises a subclass of AttributeError
        return FollowUpWithoutCase(follow_up) if follow_up is not None else None

    @property
    def contest(self) -> "ContestWithoutCase | None":
        contest = getattr(self._row, "contest", None)
        return ContestWithoutCase(contest) if contest is not None else None


class ContestWithoutCase(_Shown):
    """A contest as the officer who filed it sees it: his statement and the county's decision, not the case."""

    SHOWN = frozenset({
        "pk", "id", "status", "get_status_display", "ground", "get_ground_display", "statement", "filed_by",
        "filed_by_id", "filed_at", "decided_by", "decided_at", "decision_reason",
    })

    @property
    def rating(self) -> RatingWithoutCase:
        return RatingWithoutCase(self._row.rating)


def rating_shown(user: Staff, rating: Rating) -> Rating | RatingWithoutCase:
    """The rating as `user` may see it: whole for the supervisors, without its case for window staff."""
    return rating if rating_shows_case(user) else RatingWithoutCase(rating)


def ratings_shown(user: Staff, ratings: Iterable[Rating]) -> list[Rating | RatingWithoutCase]:
    shows_case = rating_shows_case(user)
    return [rating if shows_case else RatingWithoutCase(rating) for rating in ratings]


def contest_shown(user: Staff, contest: Contest) -> Contest | ContestWithoutCase:
    return contest if rating_shows_case(user) else ContestWithoutCase(contest)


def contests_shown(user: Staff, contests: Iterable[Contest]) -> list[Contest | ContestWithoutCase]:
    shows_case = rating_shows_case(user)
    return [contest if shows_case else ContestWithoutCase(contest) for contest in contests]


# --- follow-ups --------------------------------------------------------------------------------


def follow_ups_visible_to(user: Staff) -> QuerySet[FollowUp]:
    if not access.can(user, access.FOLLOW_UP_READ):
        return FollowUp.objects.none()
    return FollowUp.objects.filter(scope_q(user)).select_related(
        "rating", "rating__case", "rating__window", "rating__officer", "station", "handled_by"
    )


FOLLOW_UP_SHOWS = ("open", "late", "escalated", "closed", "all")


def follow_ups_for_list(user: Staff, *, show: str = "all", today: datetime.date | None = None) -> QuerySet[FollowUp]:
    """Follow-ups in the user's units: unfinished ones first, the nearest deadline first."""
    today = today or clock.today()
    qs = follow_ups_visible_to(user)
    if show == "open":
        qs = qs.exclude(status=FollowUpStatus.CLOSED)
    elif show == "late":
        qs = qs.exclude(status=FollowUpStatus.CLOSED).filter(deadline__lt=today)
    elif show == "escalated":
        qs = qs.filter(escalated_at__isnull=False)
    elif show == "closed":
        qs = qs.filter(status=FollowUpStatus.CLOSED)
    return qs.annotate(
        closed_rank=Case(When(status=FollowUpStatus.CLOSED, then=Value(1)), default=Value(0),
                         output_field=IntegerField())
    ).order_by("closed_rank", "deadline", "id")


def follow_up_for(user: Staff, pk: int) -> FollowUp:
    try:
        return follow_ups_visible_to(user).get(pk=pk)
    except FollowUp.DoesNotExist as exc:
        raise Http404 from exc


def follow_up_counts(user: Staff, today: datetime.date | None = None) -> dict[str, int]:
    today = today or clock.today()
    qs = follow_ups_visible_to(user)
    unfinished = qs.exclude(status=FollowUpStatus.CLOSED)
    late = unfinished.filter(deadline__lt=today)
    return {
        "open": unfinished.count(),
        "late": late.count(),
        "escalated": qs.filter(escalated_at__isnull=False).count(),
        # Late ones the nightly job (manage.py daily, follow_ups_escalate) has not escalated yet: it runs once a
        # day, so "已逾期" can be ahead of "已上报县局" until its next run.
        "late_not_escalated": late.filter(escalated_at__isnull=True).count(),
    }


# --- contests ----------------------------------------------------------------------------------


def contests_visible_to(user: Staff) -> QuerySet[Contest]:
    qs = Contest.objects.filter(scope_q(user))
    if not access.can(user, access.RATING_READ_UNITS):
        qs = qs.filter(filed_by=user)  # window staff see their own contests only
    related = ["rating", "rating__window", "rating__officer", "filed_by", "decided_by", "county"]
    return qs.select_related(*related, *(["rating__case"] if rating_shows_case(user) else []))


def contests_for_list(user: Staff, *, status: str = "") -> QuerySet[Contest]:
    """Pending contests first (the county's queue), then the newest decisions."""
    qs = contests_visible_to(user)
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(
        pending_rank=Case(When(status=ContestStatus.PENDING, then=Value(0)), default=Value(1),
                          output_field=IntegerField())
    ).order_by("pending_rank", "-filed_at", "-id")


def contest_for(user: Staff, pk: int) -> Contest:
    try:
        return contests_visible_to(user).get(pk=pk)
    except Contest.DoesNotExist as exc:
        raise Http404 from exc


def can_decide_contest(user: Staff, contest: Contest) -> bool:
    return access.can(user, access.CONTEST_DECIDE, contest) and CONTEST_WORKFLOW.allows(contest.status, "decide")


def can_contest(user: Staff, rating: Rating) -> bool:
    """Whether `user` may still file a contest against this rating (the form is shown)."""
    return access.can(user, access.CONTEST_FILE, rating) and rating.is_bad and not hasattr(rating, "contest")


def reason_text(rating: Rating) -> str:
    """The bad-review reasons in words, with the 'other' text, e.g. '服务态度差、其他：……'."""
    labels = [str(Reason(r).label) if r in Reason.values else r for r in rating.reasons or []]
    text = "、".join(labels)
    if rating.other_reason:
        text = f"{text}：{rating.other_reason}" if text else rating.other_reason
    return text


def with_reason_text(ratings):
    """Give each rating a `reason_text` for the templates; returns the same objects."""
    for rating in ratings:
        rating.reason_text = reason_text(rating)
    return ratings
