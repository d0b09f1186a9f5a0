"""Forms of the rating, bad-review follow-up, contest and usage pages.

The forms check the shape of what was typed; the rules (order of steps, who may act, minimum lengths)
are the services' and come back as DomainError, which the views put on the form.
"""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.bounds import MAX_ID, BoundedDateField, BoundedDateTimeField
from evaluations.models import Channel, ContestGround, Level, Verdict
from evaluations.stats import MAX_PERIOD_DAYS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": _("请输入有效日期，格式为 年-月-日，例如 2026-10-08。")}


def date_field(label) -> BoundedDateField:
    """A filter date, from 2000-01-01 to 2100-12-31 like every date the pages take (core.bounds)."""
    return BoundedDateField(label=label, required=False, widget=DATE_WIDGET, error_messages=DATE_ERRORS)


def officer_field() -> forms.IntegerField:
    """Set by the links from the usage figures; not shown as a field of its own."""
    return forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput,
                              error_messages=dict.fromkeys(("invalid", "min_value", "max_value"), _("民警参数无效。")))


def units_of(windows) -> list:
    """The counties and stations the windows belong to, in code order (the usage page's drill-down)."""
    units = {u.pk: u for w in windows for u in (w.county, w.station) if u is not None}
    return sorted(units.values(), key=lambda u: u.code)


def unit_label(windows):
    """A function naming a county or station (a station after its county's name), read from the windows."""
    counties = {w.county_id: w.county for w in windows if w.county is not None}

    def label(unit) -> str:
        county = counties.get(unit.county_id)  # a county's own county_id is None
        return f"{county.name} {unit.name}" if county is not None else unit.name

    return label


def unit_field():
    """A county or station of the user's (the usage page's drill-down, and the lists behind its figures)."""
    return forms.TypedChoiceField(label=_("单位"), required=False, coerce=int, empty_value=None,
                                  error_messages={"invalid_choice": _("所选单位不在您的查看范围内。")})


# The usage page shows the last seven days unless told otherwise.
USAGE_DEFAULT_DAYS = 7


class DateRangeMixin:
    def check_range(self, cleaned: dict, *, max_days: int | None = None) -> dict:
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"), code="date_order")
        if max_days and start and end and (end - start).days + 1 > max_days:
            raise forms.ValidationError(
                _("一次最多查询%(n)s天，请缩小日期范围。") % {"n": max_days}, code="date_span"
            )
        return cleaned


class RatingFilterForm(DateRangeMixin, forms.Form):
    unit = unit_field()
    window = forms.TypedChoiceField(label=_("窗口"), required=False, coerce=int, empty_value=None,
                                    error_messages={"invalid_choice": _("所选窗口不在您的查看范围内。")})
    level = forms.TypedChoiceField(label=_("评价等级"), required=False, coerce=int, empty_value=None,
                                   choices=[("", _("全部"))] + list(Level.choices),
                                   error_messages={"invalid_choice": _("请选择有效的评价等级。")})
    channel = forms.ChoiceField(
        label=_("评价渠道"), required=False,
        choices=[("", _("全部")), ("active", _("主动评价（评价器和扫码）"))] + list(Channel.choices),
        error_messages={"invalid_choice": _("请选择有效的评价渠道。")},
    )
    bad = forms.BooleanField(label=_("只看差评"), required=False)
    date_from = date_field(_("起始日期"))
    date_to = date_field(_("截止日期"))
    by = forms.ChoiceField(label=_("日期依据"), required=False,
                           choices=[("rated", _("评价时间")), ("invited", _("邀请评价时间（办件决定时间）"))],
                           error_messages={"invalid_choice": _("请选择有效的日期依据。")})
    officer = officer_field()

    def __init__(self, *args, windows, **kwargs):
        super().__init__(*args, **kwargs)
        windows = list(windows)
        label = unit_label(windows)
        self.units = {u.pk: u for u in units_of(windows)}
        self.fields["unit"].choices = [("", _("全部"))] + [(u.pk, label(u)) for u in self.units.values()]
        self.fields["window"].choices = [("", _("全部"))] + [(w.pk, w.full_name) for w in windows]

    def chosen_unit(self):
        return self.units.get(self.cleaned_data.get("unit"))

    def clean(self):
        return self.check_range(super().clean())


class UsageFilterForm(DateRangeMixin, forms.Form):
    date_from = date_field(_("起始日期"))
    date_to = date_field(_("截止日期"))
    unit = unit_field()
    window = forms.TypedChoiceField(label=_("窗口"), required=False, coerce=int, empty_value=None,
                                    error_messages={"invalid_choice": _("所选窗口不在您的查看范围内。")})

    def __init__(self, *args, windows, **kwargs):
        super().__init__(*args, **kwargs)
        windows = list(windows)
        label = unit_label(windows)
        self.units = {u.pk: u for u in units_of(windows)}
        self.fields["unit"].choices = [("", _("全部"))] + [(u.pk, label(u)) for u in self.units.values()]
        self.fields["window"].choices = [("", _("全部"))] + [(w.pk, w.full_name) for w in windows]

    def chosen_unit(self):
        """The county or station chosen (None for all), once the form is valid."""
        return self.units.get(self.cleaned_data.get("unit"))

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        if not self.errors:
            cleaned["date_to"] = cleaned.get("date_to") or today
            cleaned["date_from"] = cleaned.get("date_from") or cleaned["date_to"] - datetime.timedelta(
                days=USAGE_DEFAULT_DAYS - 1)
        return self.check_range(cleaned, max_days=MAX_PERIOD_DAYS)


class UsageRecordsForm(UsageFilterForm):
    """The filter of the pages behind a figure: the same period and window, and optionally an officer."""

    officer = officer_field()
    only = forms.ChoiceField(required=False, widget=forms.HiddenInput,
                             choices=[("", ""), ("shown", "shown"), ("not_shown", "not_shown"),
                                      ("offline", "offline")],
                             error_messages={"invalid_choice": _("筛选参数无效。")})


class FollowUpCallForm(forms.Form):
    called_at = BoundedDateTimeField(
        label=_("回访时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        error_messages={"required": _("请填写回访时间。"),
                        "invalid": _("请输入有效的回访时间，例如 2026-10-08 09:30。")},
    )
    call_notes = forms.CharField(
        label=_("回访记录"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("联系了谁、怎么联系的、对方反映了什么。"),
        error_messages={"required": _("请记录回访情况：联系了谁、对方怎么说。"),
                        "max_length": _("回访记录不能超过%(limit_value)d个字。")},
    )


class FollowUpVerifyForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("核实结论"), choices=Verdict.choices, widget=forms.RadioSelect,
        error_messages={"required": _("请选择核实结论。"),
                        "invalid_choice": _("请选择核实结论：属实、部分属实或不属实。")},
    )
    verification = forms.CharField(
        label=_("核实情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("调取了哪些记录（监控、办件材料），向谁了解了情况，结论的依据。"),
        error_messages={"required": _("请写明核实情况。"), "max_length": _("核实情况不能超过%(limit_value)d个字。")},
    )


class FollowUpCloseForm(forms.Form):
    rectification = forms.CharField(
        label=_("整改情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("属实的写明整改措施和结果；不属实的写明向申请人解释的情况。"),
        error_messages={"required": _("请写明整改情况。"), "max_length": _("整改情况不能超过%(limit_value)d个字。")},
    )


class ContestFileForm(forms.Form):
    ground = forms.ChoiceField(
        label=_("申诉理由类别"), choices=ContestGround.choices, widget=forms.RadioSelect,
        error_messages={"required": _("请选择申诉理由：误评或恶意差评。"),
                        "invalid_choice": _("请选择申诉理由：误评或恶意差评。")},
    )
    statement = forms.CharField(
        label=_("申诉说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("写明事实和依据，例如：申请人当场表示满意，误触了“不满意”；或评价内容与办件无关。"),
        error_messages={"required": _("请写明申诉理由。"), "max_length": _("申诉说明不能超过%(limit_value)d个字。")},
    )


class ContestDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("复核结论"), widget=forms.RadioSelect,
        choices=[("upheld", _("申诉成立，剔除该评价")), ("rejected", _("申诉不成立，保留该评价"))],
        error_messages={"required": _("请选择复核结论。"), "invalid_choice": _("请选择复核结论。")},
    )
    reason = forms.CharField(
        label=_("复核意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("写明理由；申诉成立时，该理由与被剔除的评价一起显示。"),
        error_messages={"required": _("请写明复核意见。"), "max_length": _("复核意见不能超过%(limit_value)d个字。")},
    )
