import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.bounds import BoundedDateField

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": _("请输入有效日期，格式为 年-月-日，例如 2026-10-08。")}


class AuditFilterForm(forms.Form):
    """Narrow the audit trail to one action and a span of days (local dates, both ends included)."""

    action = forms.ChoiceField(label=_("动作"), required=False,
                               error_messages={"invalid_choice": _("请从列表中选择动作。")})
    date_from = BoundedDateField(label=_("起始日期"), required=False, widget=DATE_WIDGET, error_messages=DATE_ERRORS)
    date_to = BoundedDateField(label=_("截止日期"), required=False, widget=DATE_WIDGET, error_messages=DATE_ERRORS)

    def __init__(self, *args, actions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("全部"))] + [(a, a) for a in actions]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"), code="date_order")
        return cleaned

    def apply(self, events):
        """Return `events` narrowed by the valid filters."""
        data = self.cleaned_data
        if data.get("action"):
            events = events.filter(action=data["action"])
        # Compare against local midnights so the index on `at` is used.
        if data.get("date_from"):
            events = events.filter(at__gte=_local_midnight(data["date_from"]))
        if data.get("date_to"):
            events = events.filter(at__lt=_local_midnight(data["date_to"] + datetime.timedelta(days=1)))
        return events


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
