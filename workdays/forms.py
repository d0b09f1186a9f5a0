import datetime

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.bounds import BoundedDateField, percent_lazy
from workdays.models import DayKind
from workdays.rules import FIRST_YEAR, LAST_YEAR, NAME_MAX_LENGTH
from workdays.schedule_text import ScheduleErrors, schedule_parse
from workdays.services import MAX_WORKING_DAYS, SOURCE_MAX_LENGTH, year_is_entered

DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]
_BAD_DATE = gettext_lazy("日期格式不对，请按“2026-10-01”的格式填写。")


def _date_field(label, required_message) -> BoundedDateField:
    return BoundedDateField(
        label=label, input_formats=DATE_FORMATS,
        error_messages={"invalid": _BAD_DATE, "required": required_message},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


_YEAR_RANGE = percent_lazy(gettext_lazy("年份应在%(first)s到%(last)s之间。"), {"first": FIRST_YEAR, "last": LAST_YEAR})


def _text_errors(required_message=None) -> dict:
    messages = {"max_length": gettext_lazy("不能超过%(limit_value)d个字（现在是%(show_value)d个字），请删减。"),
                "null_characters_not_allowed": gettext_lazy("不能包含空字符，请删除后重新填写。")}
    if required_message:
        messages["required"] = required_message
    return messages


class YearEnterForm(forms.Form):
    """One year's schedule, pasted line by line from the State Council notice."""

    year = forms.IntegerField(
        label=gettext_lazy("年份"), min_value=FIRST_YEAR, max_value=LAST_YEAR,
        error_messages={
            "required": gettext_lazy("请填写年份，例如 2027。"),
            "invalid": gettext_lazy("年份请填写四位数字，例如 2027。"),
            "min_value": _YEAR_RANGE, "max_value": _YEAR_RANGE,
        },
    )
    holidays = forms.CharField(
        label=gettext_lazy("放假日期"), max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10, "placeholder": "2027-01-01 元旦\n2027-02-08至2027-02-12 春节"}),
        help_text=gettext_lazy("每行一个日期（或“至”连接的日期范围）和名称；周末本来休息，不必填写。"),
        error_messages=_text_errors(gettext_lazy("请填写放假日期，每行一个，例如“2027-01-01 元旦”。")),
    )
    workdays = forms.CharField(
        label=gettext_lazy("调休上班日期"), max_length=20000, required=False,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "2027-02-07 春节"}),
        help_text=gettext_lazy("需要上班的星期六、星期日，每行一个日期和名称。"), error_messages=_text_errors(),
    )
    source = forms.CharField(
        label=gettext_lazy("依据"), max_length=SOURCE_MAX_LENGTH,
        help_text=gettext_lazy("例如：国办发明电〔2026〕X号"),
        error_messages=_text_errors(gettext_lazy("请填写依据（国务院办公厅通知的文号）。")),
    )
    # Shown only once the year turns out to be entered already (see `asks_to_replace`).
    replace = forms.BooleanField(label=gettext_lazy("确认用本次内容整体替换该年度已录入的节假日安排"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.entered_year = None  # set by clean() when the year typed is already entered

    @property
    def asks_to_replace(self) -> bool:
        """Whether the page shows the "replace" box: only for a year that is already entered."""
        return self.entered_year is not None

    def visible_fields_but_replace(self):
        return [field for field in self.visible_fields() if field.name != "replace"]

    def clean(self):
        data = super().clean()
        if "holidays" in data:
            try:
                data["holiday_lines"], data["workday_lines"] = schedule_parse(
                    holidays=data["holidays"], workdays=data.get("workdays", ""), year=data.get("year"))
            except ScheduleErrors as exc:
                for box, messages in exc.errors.items():
                    self.add_error(box, messages)
        year = data.get("year")
        if year and year_is_entered(year):
            self.entered_year = year
            if not data.get("replace"):
                self.add_error("replace", _(
                    "%(year)s 年已录入。如要用本次内容整体替换，请勾选表单末尾的确认框后再提交；"
                    "只改个别日期请到该年度页面增删。"
                ) % {"year": year})
        return data

    def schedule(self) -> dict:
        """Keyword arguments for calendar_year_enter."""
        data = self.cleaned_data
        return {
            "year": data["year"],
            "holidays": [(line.day, line.name) for line in data["holiday_lines"]],
            "workdays": [(line.day, line.name) for line in data["workday_lines"]],
            "source": data["source"],
        }


class DayAddForm(forms.Form):
    date = _date_field(gettext_lazy("日期"), gettext_lazy("请填写日期，例如 2026-10-01。"))
    kind = forms.ChoiceField(label=gettext_lazy("类别"), choices=DayKind.choices,
                             error_messages={"required": gettext_lazy("请选择类别：放假或调休上班。"),
                                             "invalid_choice": gettext_lazy(
                                                 "“%(value)s”不是有效的类别，请选择放假或调休上班。")})
    name = forms.CharField(label=gettext_lazy("名称"), max_length=NAME_MAX_LENGTH, required=False,
                           help_text=gettext_lazy("例如：春节"), error_messages=_text_errors())

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year

    def clean_date(self) -> datetime.date:
        day = self.cleaned_data["date"]
        if day.year != self.year:
            message = _("%(date)s 不属于 %(year)s 年。") % {"date": day.isoformat(), "year": self.year}
            raise forms.ValidationError(message)
        return day


_N_RANGE = percent_lazy(gettext_lazy("工作日数应在0到%(max)s之间。"), {"max": MAX_WORKING_DAYS})


class AddWorkdaysForm(forms.Form):
    """Date + N working days; bound only when its own fields are in the query string."""

    start = _date_field(gettext_lazy("起算日期"), gettext_lazy("请填写起算日期，例如 2026-10-01。"))
    n = forms.IntegerField(
        label=gettext_lazy("工作日数"), min_value=0, max_value=MAX_WORKING_DAYS,
        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_WORKING_DAYS}),
        error_messages={
            "required": gettext_lazy("请填写工作日数，例如 5。"),
            "invalid": gettext_lazy("工作日数请填写整数，例如 5。"),
            "min_value": _N_RANGE, "max_value": _N_RANGE,
        },
    )


class OnOrBeforeForm(forms.Form):
    day = _date_field(gettext_lazy("截止日期"), gettext_lazy("请填写截止日期，例如 2026-10-01。"))
