import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import action_label, actions_known
from core.bounds import BoundedDateField
from shell.selectors import audit_events_of_case, audit_events_of_person

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": _("请输入有效日期，格式为 年-月-日，例如 2026-10-08。")}
TEXT_ERRORS = {"max_length": _("不能超过%(limit_value)d个字（现在是%(show_value)d个字），请删减。"),
               "null_characters_not_allowed": _("不能包含空字符，请删除后重新填写。")}
# A case number as counter.services makes it: the station's code, the year and a serial (350102001-2026-000012).
CASE_NUMBER = re.compile(r"[0-9A-Za-z]{1,20}-\d{4}-\d{1,10}")


class AuditFilterForm(forms.Form):
    """Narrow the audit trail to a person, a case, an action and a span of days (local dates, both ends included)."""

    person = forms.CharField(
        label=_("操作人"), required=False, max_length=50,
        help_text=_("姓名（可只填一部分）、警号或用户名；也列出关于此人的记录，如其登录失败、被锁定"),
        error_messages=TEXT_ERRORS,
    )
    case = forms.CharField(
        label=_("办件编号"), required=False, max_length=40,
        help_text=_("该办件及其文书、评价、回访和申诉的记录"), error_messages=TEXT_ERRORS,
    )
    action = forms.ChoiceField(label=_("动作"), required=False,
                               error_messages={"invalid_choice": _("请从列表中选择动作。")})
    date_from = BoundedDateField(label=_("起始日期"), required=False, widget=DATE_WIDGET, error_messages=DATE_ERRORS)
    date_to = BoundedDateField(label=_("截止日期"), required=False, widget=DATE_WIDGET, error_messages=DATE_ERRORS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every action the apps registered, in words (core.audit): the same menu for everyone, no scan of the log.
        known = sorted(actions_known().items())
        self.fields["action"].choices = [("", _("全部"))] + known

    def clean_person(self) -> str:
        return _printable(self.cleaned_data["person"], _("操作人不能含有控制字符。"))

    def clean_case(self) -> str:
        number = _printable(self.cleaned_data["case"], _("办件编号不能含有控制字符。")).upper()
        if number and not CASE_NUMBER.fullmatch(number):
            raise forms.ValidationError(_("请输入完整的办件编号，例如 350102001-2026-000012。"), code="case_number")
        return number

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"), code="date_order")
        return cleaned

    def filters(self) -> dict[str, str]:
        """The valid filters that were given, as stored text (the export's audit event keeps them)."""
        return {name: str(value) for name, value in self.cleaned_data.items() if value}

    def filters_described(self) -> list[tuple[str, str]]:
        """The valid filters that were given, in words: (label, value) with the action by its label."""
        return [(str(self.fields[name].label), action_label(value) if name == "action" else value)
                for name, value in self.filters().items()]

    def apply(self, events):
        """Return `events` narrowed by the valid filters."""
        data = self.cleaned_data
        if data.get("person"):
            person = data["person"]
            events = audit_events_of_person(events, person)
        if data.get("case"):
            events = audit_events_of_case(events, data["case"])
        if data.get("action"):
            events = events.filter(action=data["action"])
        # Compare against local midnights so the index on `at` is used.
        if data.get("date_from"):
            events = events.filter(at__gte=_local_midnight(data["date_from"]))
        if data.get("date_to"):
            events = events.filter(at__lt=_local_midnight(data["date_to"] + datetime.timedelta(days=1)))
        return events


def _printable(value: str, message) -> str:
    # NUL is dropped before the form sees it (core.middleware); any other control character is a typo here.
    value = (value or "").strip()
    if any(ord(ch) < 32 for ch in value):
        raise forms.ValidationError(message, code="control_character")
    return value


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
