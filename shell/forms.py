import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditFilterForm(forms.Form):
    """Narrow the audit trail to one action and a span of days (local dates, both ends included)."""

    action = forms.ChoiceField(label=_("动作"), required=False)
    date_from = forms.DateField(label=_("起始日期"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=_("截止日期"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

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
