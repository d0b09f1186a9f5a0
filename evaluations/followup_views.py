"""Pages of the bad-review loop and of evaluator use: ratings, follow-ups, contests, usage (R7, item 7).

Every view: check the role (403), find the record in the user's units (404), validate the form, call a
service, render. Bad input comes back on the same page with a Chinese message and what was typed.
"""

import dataclasses

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import clock
from core.errors import DomainError, form_error_add
from core.pagination import keyset_page, page_of, query_without_page
from core.personal import mask_phone
from evaluations import services
from evaluations.forms import (
    ContestDecideForm,
    ContestFileForm,
    FollowUpCallForm,
    FollowUpCloseForm,
    FollowUpVerifyForm,
    RatingFilterForm,
    UsageFilterForm,
    UsageRecordsForm,
)
from evaluations.models import FlagKind
from evaluations.selectors import (
    FOLLOW_UP_SHOWS,
    RatingFilter,
    can_contest,
    can_decide_contest,
    contest_for,
    contest_shown,
    contests_for_list,
    contests_shown,
    day_range_q,
    follow_up_counts,
    follow_up_for,
    follow_ups_for_list,
    rating_for,
    rating_shown,
    rating_shows_case,
    ratings_filtered,
    ratings_shown,
    unit_q,
    with_reason_text,
)
from evaluations.states import FOLLOW_UP_WORKFLOW, ContestStatus
from evaluations.stats import (
    OFFLINE_ALERT_MINUTES,
    RATE_GAP_POINTS,
    RATE_MIN_INVITES,
    flags_visible_to,
    invites_visible_to,
    usage_report,
    window_offline_detail,
)
from org import access
from org.selectors import windows_visible_to

# --- follow-ups --------------------------------------------------------------------------------


@login_required
def follow_up_list(request):
    """The station head's follow-ups (county and city: read-only), unfinished and nearest deadline first."""
    access.require(request.user, access.FOLLOW_UP_READ)
    show = request.GET.get("show", "all")
    if show not in FOLLOW_UP_SHOWS:
        show = "all"
    today = clock.today()
    page = page_of(follow_ups_for_list(request.user, show=show, today=today), request)
    page.object_list = list(page.object_list)
    with_reason_text([fu.rating for fu in page.object_list])
    counts = follow_up_counts(request.user, today)
    return render(request, "evaluations/followup_list.html", {
        "page": page, "show": show, "today": today, "counts": counts, "query": query_without_page(request),
    })


# The form of each step of the follow-up workflow (evaluations/states.py says which step comes when).
STEP_FORMS = {"call": FollowUpCallForm, "verify": FollowUpVerifyForm, "close": FollowUpCloseForm}


def _follow_up_page(request, follow_up, *, forms=None, status=200, phone=None):
    """The follow-up with its steps; `phone` is the applicant's full number once the head has asked for it."""
    forms = forms or {}
    steps = FOLLOW_UP_WORKFLOW.actions_from(follow_up.status)
    step = steps[0].action if steps and access.can(request.user, steps[0].capability, follow_up) else None
    with_reason_text([follow_up.rating])
    context = {
        "fu": follow_up,
        "rating": follow_up.rating,
        "case": follow_up.rating.case,
        "masked_phone": phone or mask_phone(follow_up.rating.case.applicant_phone),
        "phone_revealed": phone is not None,
        "can_reveal_phone": access.can(request.user, access.FOLLOW_UP_HANDLE, follow_up),
        "late": follow_up.is_late(),
        "closed_late": bool(follow_up.closed_at
                            and clock.localtime(follow_up.closed_at).date() > follow_up.deadline),
        "step": step,
    }
    # A form for a step that is not the current one (e.g. sent from a stale page) cannot be shown in place.
    context["refusals"] = [str(e) for name, form in forms.items() if name != context["step"]
                           for errors in form.errors.values() for e in errors]
    for name, form_class in STEP_FORMS.items():
        context[f"{name}_form"] = forms.get(name) or form_class(
            initial={"called_at": clock.localtime().replace(second=0, microsecond=0)} if name == "call" else None)
    return render(request, "evaluations/followup_detail.html", context, status=status)


@login_required
def follow_up_detail(request, pk: int):
    access.require(request.user, access.FOLLOW_UP_READ)
    return _follow_up_page(request, follow_up_for(request.user, pk))


@login_required
@require_POST
def follow_up_reveal_phone(request, pk: int):
    """Show the applicant's full phone to the station head calling them back; the view is audited."""
    access.require(request.user, access.FOLLOW_UP_READ)
    follow_up = follow_up_for(request.user, pk)
    phone = services.follow_up_reveal_phone(follow_up=follow_up, actor=request.user)
    return _follow_up_page(request, follow_up, phone=phone)


@login_required
@require_POST
def follow_up_step(request, pk: int, step: str):
    """Record one step: the call-back, the verification, or the rectification that closes it."""
    access.require(request.user, access.FOLLOW_UP_READ)
    follow_up = follow_up_for(request.user, pk)
    if step not in STEP_FORMS:
        raise Http404
    access.require(request.user, access.FOLLOW_UP_HANDLE)  # county and city read follow-ups; the head handles them
    form = STEP_FORMS[step](request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            if step == "call":
                services.follow_up_record_call(follow_up=follow_up, actor=request.user,
                                               called_at=data["called_at"], notes=data["call_notes"])
                message = _("已记录回访，请核实差评反映的情况。")
            elif step == "verify":
                services.follow_up_verify(follow_up=follow_up, actor=request.user, verdict=data["verdict"],
                                          verification=data["verification"])
                message = _("已记录核实结论，请记录整改情况后办结。")
            else:
                services.follow_up_close(follow_up=follow_up, actor=request.user,
                                         rectification=data["rectification"])
                message = _("差评回访整改已办结。")
        except DomainError as exc:
            status = form_error_add(form, exc)
        else:
            messages.success(request, message)
            return redirect("evaluations:follow_up_detail", pk=follow_up.pk)
    follow_up.refresh_from_db()
    return _follow_up_page(request, follow_up, forms={step: form}, status=status)


# --- ratings -----------------------------------------------------------------------------------


@login_required
def rating_list(request):
    """Ratings in the user's units (window staff: their own), with filters; defaults and exclusions marked."""
    windows = windows_visible_to(request.user)
    form = RatingFilterForm(request.GET, windows=windows)
    ratings = ratings_filtered(request.user, RatingFilter())
    if form.is_valid():
        data = form.cleaned_data
        ratings = ratings_filtered(request.user, RatingFilter(
            window_id=data["window"], officer_id=data["officer"], level=data["level"], channel=data["channel"],
            bad_only=data["bad"], date_from=data["date_from"], date_to=data["date_to"], by=data["by"] or "rated",
            unit=form.chosen_unit(),
        ))
    else:
        ratings = ratings.none()
    # Newest first, a page at a time from the last one shown (a city-year has millions of ratings).
    page = keyset_page(ratings, request, field="rated_at")
    # Window staff get their ratings without the case they rate (the rater is confidential).
    page = dataclasses.replace(page, object_list=ratings_shown(request.user, with_reason_text(page.object_list)))
    return render(request, "evaluations/ratings_list.html", {
        "form": form, "page": page, "query": query_without_page(request),
        "officer_filtered": form.is_valid() and form.cleaned_data["officer"],
        "shows_case": rating_shows_case(request.user),
    }, status=200 if form.is_valid() else 400)


def _rating_page(request, rating, *, form=None, status=200):
    with_reason_text([rating])
    may_contest = can_contest(request.user, rating)
    rating = rating_shown(request.user, rating)
    return render(request, "evaluations/ratings_detail.html", {
        "rating": rating,
        "follow_up": getattr(rating, "follow_up", None),
        "contest": getattr(rating, "contest", None),
        "can_contest": may_contest,
        "form": form or ContestFileForm(),
        "can_see_follow_up": access.can(request.user, access.FOLLOW_UP_READ),
    }, status=status)


@login_required
def rating_detail(request, pk: int):
    return _rating_page(request, rating_for(request.user, pk))


@login_required
@require_POST
def contest_file(request, pk: int):
    """The rated officer contests his own bad review as mistaken or malicious (申诉复核)."""
    rating = rating_for(request.user, pk)
    access.require(request.user, access.CONTEST_FILE, rating)
    form = ContestFileForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            contest = services.contest_file(rating=rating, actor=request.user, ground=form.cleaned_data["ground"],
                                            statement=form.cleaned_data["statement"])
        except DomainError as exc:
            status = form_error_add(form, exc)
        else:
            messages.success(request, _("申诉已提交，等待县局复核。"))
            return redirect("evaluations:contest_detail", pk=contest.pk)
    rating = rating_for(request.user, pk)
    return _rating_page(request, rating, form=form, status=status)


# --- contests ----------------------------------------------------------------------------------


@login_required
def contest_list(request):
    """The county's queue of contests (pending first); everyone in scope reads the decisions."""
    status = request.GET.get("status", "")
    if status not in ContestStatus.values:
        status = ""
    page = page_of(contests_for_list(request.user, status=status), request)
    page.object_list = contests_shown(request.user, page.object_list)
    return render(request, "evaluations/contest_list.html", {
        "page": page, "status": status, "statuses": ContestStatus.choices,
        "shows_case": rating_shows_case(request.user),
        "is_county": access.can(request.user, access.CONTEST_DECIDE), "query": query_without_page(request),
    })


def _contest_page(request, contest, *, form=None, status=200):
    with_reason_text([contest.rating])
    can_decide = can_decide_contest(request.user, contest)
    contest = contest_shown(request.user, contest)
    return render(request, "evaluations/contest_detail.html", {
        "contest": contest, "rating": contest.rating, "can_decide": can_decide,
        "form": form or ContestDecideForm(),
    }, status=status)


@login_required
def contest_detail(request, pk: int):
    return _contest_page(request, contest_for(request.user, pk))


@login_required
@require_POST
def contest_decide(request, pk: int):
    """The county administrator of the rating's county decides, with reasons."""
    contest = contest_for(request.user, pk)
    access.require(request.user, access.CONTEST_DECIDE)
    form = ContestDecideForm(request.POST)
    status = 400
    if form.is_valid():
        upheld = form.cleaned_data["decision"] == "upheld"
        try:
            services.contest_decide(contest=contest, actor=request.user, upheld=upheld,
                                    reason=form.cleaned_data["reason"])
        except DomainError as exc:
            status = form_error_add(form, exc)
        else:
            messages.success(request, _("复核意见已记录：申诉成立，该评价已剔除（仍可查看）。") if upheld
                             else _("复核意见已记录：申诉不成立，该评价保留。"))
            return redirect("evaluations:contest_detail", pk=contest.pk)
    return _contest_page(request, contest_for(request.user, pk), form=form, status=status)


# --- usage (item 7) ----------------------------------------------------------------------------


@login_required
def usage(request):
    """Was the evaluator used? Per officer, window and day, with the two alerts."""
    access.require(request.user, access.USAGE_READ)
    windows = list(windows_visible_to(request.user))
    form = UsageFilterForm(request.GET, windows=windows)
    report = None
    if form.is_valid():
        data = form.cleaned_data
        report = usage_report(request.user, date_from=data["date_from"], date_to=data["date_to"],
                              window_id=data["window"], unit_id=data["unit"], visible=windows)
    return render(request, "evaluations/usage.html", {
        "form": form, "report": report, "gap_points": RATE_GAP_POINTS, "min_invites": RATE_MIN_INVITES,
        "offline_alert_minutes": OFFLINE_ALERT_MINUTES,
        "unit_query": usage_unit_query(report.unit if report else None),
    }, status=200 if report else 400)


def usage_unit_query(unit) -> str:
    """The query parameter that keeps a page's unit in the links behind its figures (an empty window: all)."""
    if unit is None:
        return "window="
    return f"window={unit.pk}" if unit.kind == "window" else f"unit={unit.pk}"


@login_required
def usage_invites(request):
    """The invitations behind a usage figure: cases decided, screens shown or not, made while offline."""
    access.require(request.user, access.USAGE_READ)
    form = UsageRecordsForm(request.GET, windows=windows_visible_to(request.user))
    invites = invites_visible_to(request.user).none()
    if form.is_valid():
        data = form.cleaned_data
        invites = invites_visible_to(request.user).filter(day_range_q("created_at", data["date_from"],
                                                                      data["date_to"]))
        if form.chosen_unit() is not None:
            invites = invites.filter(unit_q(form.chosen_unit()))
        if data["window"]:
            invites = invites.filter(window_id=data["window"])
        if data["officer"]:
            invites = invites.filter(officer_id=data["officer"])
        only = data["only"]
        if only == "shown":
            invites = invites.filter(shown_at__isnull=False)
        elif only == "not_shown":
            invites = invites.filter(shown_at__isnull=True)
        elif only == "offline":
            invites = invites.filter(device_offline=True)
    invites = invites.select_related("case", "window", "officer", "rating")
    page = keyset_page(invites, request, field="created_at")
    return render(request, "evaluations/usage_invites.html", {
        "form": form, "page": page, "query": query_without_page(request),
    }, status=200 if form.is_valid() else 400)


@login_required
def usage_offline(request):
    """The records behind a window's offline minutes."""
    access.require(request.user, access.USAGE_READ)
    windows = windows_visible_to(request.user)
    form = UsageRecordsForm(request.GET, windows=windows)
    detail, window, choose = None, None, None
    if form.is_valid() and form.cleaned_data["window"]:
        data = form.cleaned_data
        window = windows.get(pk=data["window"])
        detail = window_offline_detail(window, date_from=data["date_from"], date_to=data["date_to"])
    elif form.is_valid():
        # 全部 (the first visit): the records are per window, so offer each window with the period kept.
        data = form.cleaned_data
        unit = form.chosen_unit()
        if unit is not None:
            windows = windows.filter(unit_q(unit))  # a county or station: units carry those columns too
        choose = [(w, f"?window={w.pk}&date_from={data['date_from']:%Y-%m-%d}&date_to={data['date_to']:%Y-%m-%d}")
                  for w in windows.select_related("county", "station")]
    return render(request, "evaluations/usage_offline.html", {
        "form": form, "detail": detail, "window": window, "choose": choose,
    }, status=400 if form.errors else 200)


class UsageFlagsForm(UsageFilterForm):
    """The filter of the flagged ratings behind a figure of alert (d): the period, the window, one kind or all.

    Kept here rather than in evaluations/forms.py, which another change owns; it may move there.
    """

    # Lazy: a class body runs once, at import, in no request's language.
    kind = forms.ChoiceField(label=gettext_lazy("疑点"), required=False,
                             choices=[("", gettext_lazy("全部"))] + list(FlagKind.choices),
                             error_messages={"invalid_choice": gettext_lazy("请选择有效的疑点类型。")})


@login_required
def usage_flags(request):
    """The device ratings behind alert (d): each with the traces of forging it was stored with."""
    access.require(request.user, access.USAGE_READ)
    form = UsageFlagsForm(request.GET, windows=windows_visible_to(request.user))
    ratings = ratings_filtered(request.user, RatingFilter()).none()
    if form.is_valid():
        data = form.cleaned_data
        flags = flags_visible_to(request.user).filter(day_range_q("rating__received_at", data["date_from"],
                                                                  data["date_to"]))
        if form.chosen_unit() is not None:
            flags = flags.filter(unit_q(form.chosen_unit()))
        if data["window"]:
            flags = flags.filter(window_id=data["window"])
        if data["kind"]:
            flags = flags.filter(kind=data["kind"])
        ratings = (ratings_filtered(request.user, RatingFilter()).filter(pk__in=flags.values("rating_id"))
                   .select_related("device").prefetch_related("flags").order_by("-received_at", "-id"))
    page = keyset_page(ratings, request, field="received_at")
    return render(request, "evaluations/usage_flags.html", {
        "form": form, "page": page, "query": query_without_page(request),
        "kind_label": dict(FlagKind.choices).get(form.cleaned_data.get("kind", "")) if form.is_valid() else None,
    }, status=200 if form.is_valid() else 400)


urlpatterns = [
    path("follow-ups/", follow_up_list, name="follow_up_list"),
    path("follow-ups/<int:pk>/", follow_up_detail, name="follow_up_detail"),
    # Before the steps' pattern, which would take "phone" for a step.
    path("follow-ups/<int:pk>/phone/", follow_up_reveal_phone, name="follow_up_reveal_phone"),
    path("follow-ups/<int:pk>/<str:step>/", follow_up_step, name="follow_up_step"),
    path("ratings/", rating_list, name="rating_list"),
    path("ratings/<int:pk>/", rating_detail, name="rating_detail"),
    path("ratings/<int:pk>/contest/", contest_file, name="contest_file"),
    path("contests/", contest_list, name="contest_list"),
    path("contests/<int:pk>/", contest_detail, name="contest_detail"),
    path("contests/<int:pk>/decide/", contest_decide, name="contest_decide"),
    path("usage/", usage, name="usage"),
    path("usage/invites/", usage_invites, name="usage_invites"),
    path("usage/offline/", usage_offline, name="usage_offline"),
    path("usage/flags/", usage_flags, name="usage_flags"),
]
