"""The applicant's own rating page behind the QR code on every document (/r/<token>): no sign-in, Chinese, phones.

The token is the case's rating link (evaluations.models.RatingLink). The page offers a form for every rating
invitation of the case that is not rated yet and not older than RATING_LINK_DAYS days; it shows no personal data.
"""

import datetime
import re
import secrets

from django import forms
from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core import clock
from core.errors import DomainError, form_error_add
from counter.states import CaseStatus
from evaluations.models import BAD_LEVELS, Channel, Invite, Level, RatingLink, Reason
from evaluations.services import RatingInput, rating_input_problems, rating_submit, window_complaint_phone

# Keys from this page are stored with a prefix, so they can never collide with a device's or the default job's.
IDEMPOTENCY_PREFIX = "qr-"
_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{16,48}$")

LEVEL_CHOICES = [(level.value, level.label) for level in sorted(Level, reverse=True)]
INDICATORS = (
    ("efficiency", gettext_lazy("服务效率")),
    ("quality", gettext_lazy("服务水平")),
    ("attitude", gettext_lazy("服务态度")),
)


def _level_field(label, message, *, required: bool = True) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=LEVEL_CHOICES,
        coerce=int,
        required=required,
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


class PublicRatingForm(forms.Form):
    """Five levels overall, the three window indicators, reasons for a bad rating, an optional comment."""

    level = _level_field(gettext_lazy("总体评价"), gettext_lazy("请选择您对本次服务的总体评价。"))
    # The three indicators may be left out (an elderly applicant on a phone): each left out counts as the overall
    # level, as the tablet pre-selects them.
    efficiency = _level_field(gettext_lazy("服务效率"), gettext_lazy("请选择服务效率的评价。"), required=False)
    quality = _level_field(gettext_lazy("服务水平"), gettext_lazy("请选择服务水平的评价。"), required=False)
    attitude = _level_field(gettext_lazy("服务态度"), gettext_lazy("请选择服务态度的评价。"), required=False)
    reasons = forms.MultipleChoiceField(
        label=gettext_lazy("不满意的原因"),
        choices=Reason.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": gettext_lazy("所选原因不在列表中，请重新选择。")},
    )
    other_reason = forms.CharField(
        label=gettext_lazy("其他原因"),
        required=False,
        max_length=200,
        error_messages={"max_length": gettext_lazy("其他原因不能超过200个字。")},
    )
    comment = forms.CharField(
        label=gettext_lazy("意见建议（选填）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": gettext_lazy("意见建议不能超过500个字。")},
    )
    # Made when the form is shown; a second tap on 提交 sends the same key and the rating is stored once.
    idempotency_key = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_idempotency_key(self) -> str:
        key = (self.cleaned_data.get("idempotency_key") or "").strip()
        return IDEMPOTENCY_PREFIX + key if _KEY_RE.match(key) else ""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("level"):
            for name, _label in INDICATORS:
                if cleaned.get(name) is None and name not in self.errors:
                    cleaned[name] = cleaned["level"]
        # The service's own rules (reasons for a bad level, "other" needs words) on whatever is valid so far.
        indicators = {name for name, _label in INDICATORS}
        for field, message in rating_input_problems(self.rating_input()).items():
            if field in indicators and not cleaned.get("level"):
                continue  # left out, they take the overall level: only that one is missing
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
        return cleaned

    def rating_input(self) -> RatingInput:
        c = self.cleaned_data
        return RatingInput(
            level=c.get("level") or 0,
            efficiency=c.get("efficiency") or 0,
            quality=c.get("quality") or 0,
            attitude=c.get("attitude") or 0,
            reasons=tuple(c.get("reasons") or ()),
            other_reason=c.get("other_reason") or "",
            comment=c.get("comment") or "",
        )

    @property
    def indicators(self) -> list:
        return [self[name] for name, _label in INDICATORS]

    @property
    def reasons_open(self) -> bool:
        """Whether the reasons are shown even where the browser cannot show them on a bad level by itself."""
        if not self.is_bound:
            return False
        data = self.data.getlist(self.add_prefix("reasons")) if hasattr(self.data, "getlist") else []
        level = self.data.get(self.add_prefix("level"))
        return bool(data) or level in {str(int(v)) for v in BAD_LEVELS} or "reasons" in self.errors


def _blank_form(stage: str) -> PublicRatingForm:
    return PublicRatingForm(prefix=stage, initial={"idempotency_key": secrets.token_urlsafe(24)})


def _is_expired(invite: Invite, now: datetime.datetime) -> bool:
    return now - invite.created_at > datetime.timedelta(days=settings.RATING_LINK_DAYS)


def _rating_of(invite: Invite):
    try:
        return invite.rating
    except Invite.rating.RelatedObjectDoesNotExist:
        return None


def _describe(rating) -> dict:
    """What was rated, in words, for the thank-you panel."""
    return {
        "level": rating.get_level_display(),
        "stars": "★" * rating.level + "☆" * (5 - rating.level),
        "indicators": [(label, Level(getattr(rating, name)).label) for name, label in INDICATORS],
        "reasons": [Reason(r).label for r in rating.reasons if r in Reason.values],
        "other_reason": rating.other_reason,
        "comment": rating.comment,
        "channel": rating.get_channel_display(),
        "rated_at": clock.localtime(rating.rated_at),
        "is_default": rating.is_default,
    }


@require_http_methods(["GET", "POST"])
def rate_case(request, token: str):
    """Show the case's rating invitations; store a submitted rating once (channel QR) and show the thanks."""
    link = (RatingLink.objects.select_related("case__item", "case__window", "case__station", "case__county")
            .filter(token=token).first())
    if link is None:
        return render(request, "evaluations/public_not_found.html", status=404)
    case = link.case
    if request.user.is_authenticated:
        # R7: staff never rate for the applicant, not even on the applicant's phone.
        return render(request, "evaluations/public_forbidden.html", status=403)
    invites = list(Invite.objects.filter(case=case).select_related("rating").order_by("created_at", "id"))
    now = clock.now()
    bound: dict[str, PublicRatingForm] = {}

    if request.method == "POST":
        stage = request.POST.get("stage", "")
        invite = next((i for i in invites if i.stage == stage), None)
        here = reverse("rate:case", args=[token])
        if invite is None or _rating_of(invite) is not None or _is_expired(invite, now):
            return redirect(f"{here}#stage-{stage}" if invite else here)
        form = PublicRatingForm(request.POST, prefix=stage)
        if form.is_valid():
            try:
                rating_submit(
                    invite=invite,
                    data=form.rating_input(),
                    channel=Channel.QR,
                    idempotency_key=form.cleaned_data["idempotency_key"] or None,
                )
            except DomainError as exc:
                if exc.code in ("already_rated", "link_expired"):
                    return redirect(f"{here}#stage-{stage}")
                form_error_add(form, exc)
            else:
                return redirect(f"{here}?rated={stage}#stage-{stage}")
        bound[stage] = form

    entries = []
    for invite in invites:
        rating = _rating_of(invite)
        entry = {"invite": invite, "stage": invite.stage, "label": invite.get_stage_display(), "form": None,
                 "rating": None, "status": "open"}
        if rating is not None and not rating.is_default:
            entry.update(status="rated", rating=_describe(rating))
        elif rating is not None or _is_expired(invite, now):
            entry.update(status="expired", rating=_describe(rating) if rating is not None else None)
        else:
            until = invite.created_at + datetime.timedelta(days=settings.RATING_LINK_DAYS)
            entry.update(form=bound.get(invite.stage) or _blank_form(invite.stage), until=clock.localtime(until))
        entries.append(entry)

    return render(request, "evaluations/public_rate.html", {
        "case": case,
        "entries": entries,
        "open_count": sum(1 for e in entries if e["status"] == "open"),
        "just_rated": request.GET.get("rated", "") if request.method == "GET" else "",
        "days": settings.RATING_LINK_DAYS,
        "case_date": clock.localtime(case.created_at).date(),
        # Published with every guide item: whom to call, whatever there is to rate (an overdue case too).
        "complaint_phone": window_complaint_phone(case.window),
        "overdue": case.status == CaseStatus.ACCEPTED and case.is_overdue(),
    })


urlpatterns = [
    path("<slug:token>", rate_case, name="case"),
    path("<slug:token>/", rate_case),
]
