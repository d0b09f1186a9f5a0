"""Forms of the guide pages; every error says what to fix, in Chinese."""

import re

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Guide, Item, Material, TimeLimitKind
from catalog.services import MAX_POSITION, POSITION_RANGE
from core import clock
from core.bounds import BoundedDateField


class ClearErrorsMixin:
    """Replace Django's generic messages with ones that tell the user what to do."""

    def set_clear_messages(self) -> None:
        for field in self.fields.values():
            messages = {
                "required": _("此项必填，请从列表中选择。") if isinstance(field, forms.ChoiceField)
                else _("此项必填，请填写。"),
                "max_length": _("不能超过%(limit_value)d个字，现在是%(show_value)d个字，请删减。"),
                "min_value": _("不能小于%(limit_value)s。"),
                "max_value": _("不能大于%(limit_value)s。"),
                "invalid_choice": _("选项无效，请从列表中重新选择。"),
            }
            if isinstance(field, forms.IntegerField):
                messages["invalid"] = _("请填写整数，例如 5。")
            if isinstance(field, forms.DecimalField):
                messages.update({
                    "invalid": _("请填写数字金额，例如 20 或 20.00；不收费填 0。"),
                    "max_digits": _("金额太大：最多%(max)s位数字。"),
                    "max_decimal_places": _("最多保留%(max)s位小数（到分）。"),
                    "max_whole_digits": _("金额太大：整数部分最多%(max)s位。"),
                })
            if isinstance(field, forms.DateField):
                messages["invalid"] = _("日期格式不正确，请按 2026-12-01 的格式填写，或从日历中选择。")
            field.error_messages.update(messages)


code_validator = RegexValidator(
    r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,29}$",
    gettext_lazy("事项编码只能由数字、字母、点或短横线组成（不超过30位），例如 122001001。"),
)


class OneLineTextField(forms.CharField):
    """A long one-line text (place, hours, fee basis...) typed in a textarea so that all of it stays visible.

    Line breaks become single spaces before the length check: the guide prints these texts on one line.
    """

    def to_python(self, value):
        value = super().to_python(value)
        return re.sub(r"\s*[\r\n]+\s*", " ", value) if value else value


# Texts of up to 200 characters that a one-line input would cut off.
LONG_TEXT_FIELDS = ("time_limit_note", "fee_basis", "fee_waiver", "place", "hours")


class ItemForm(ClearErrorsMixin, forms.ModelForm):
    class Meta:
        model = Item
        fields = [
            "code", "name", "category", "legal_basis", "conditions_text", "procedure",
            "time_limit_kind", "promised_days", "statutory_days", "time_limit_note",
            "fee_amount", "fee_basis", "fee_waiver", "place", "hours", "enquiry_phone", "complaint_phone",
            "position",
        ]
        labels = {"position": gettext_lazy("排序")}
        help_texts = {
            "code": gettext_lazy("按层级编码，例如 122001001；同一版本内不能重复。"),
            "legal_basis": gettext_lazy("写明法律法规名称及条款，例如：《中华人民共和国户口登记条例》第七条。"),
            "promised_days": gettext_lazy("按工作日承诺的事项必填；不能长于法定时限。"),
            "fee_amount": gettext_lazy("不收费填 0。"),
            "position": gettext_lazy("数字小的排在前面。"),
        }
        widgets = {
            "legal_basis": forms.Textarea(attrs={"rows": 2}),
            "conditions_text": forms.Textarea(attrs={"rows": 2}),
            "procedure": forms.Textarea(attrs={"rows": 2}),
            "fee_amount": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
            **{name: forms.Textarea(attrs={"rows": 2, "class": "long-text"}) for name in LONG_TEXT_FIELDS},
        }
        field_classes = {name: OneLineTextField for name in LONG_TEXT_FIELDS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].validators.append(code_validator)
        for name in ("promised_days", "statutory_days"):
            self.fields[name].widget.attrs.update({"min": "1", "max": "400"})
        self.set_clear_messages()
        position = self.fields["position"]
        position.min_value, position.max_value = 0, MAX_POSITION
        position.validators = [MinValueValidator(0), MaxValueValidator(MAX_POSITION)]
        position.widget.attrs.update({"min": "0", "max": str(MAX_POSITION)})
        position.error_messages.update(dict.fromkeys(("invalid", "min_value", "max_value"), POSITION_RANGE))

    def clean_code(self):
        return self.cleaned_data["code"].strip()

    def _clean_days(self, name):
        days = self.cleaned_data.get(name)
        if days is not None and not 1 <= days <= 400:
            raise forms.ValidationError(_("请填写1到400之间的工作日天数；没有规定的留空。"))
        return days

    def clean_promised_days(self):
        return self._clean_days("promised_days")

    def clean_statutory_days(self):
        return self._clean_days("statutory_days")

    def clean(self):
        data = super().clean()
        kind = data.get("time_limit_kind")
        promised, statutory = data.get("promised_days"), data.get("statutory_days")
        if kind == TimeLimitKind.WORKING_DAYS and promised is None and "promised_days" not in self.errors:
            self.add_error("promised_days", _("按工作日承诺的事项必须填写承诺时限（工作日）。"))
        if promised is not None and statutory is not None and promised > statutory:
            self.add_error("promised_days",
                           _("承诺时限（%(promised)s个工作日）不能长于法定时限（%(statutory)s个工作日）。")
                           % {"promised": promised, "statutory": statutory})
        fee = data.get("fee_amount")
        if fee is not None and fee < 0:
            self.add_error("fee_amount", _("收费金额不能是负数；不收费填 0。"))
        return data

    def _post_clean(self):
        # The service checks the item against its draft; only field-level checks happen here.
        pass


class MaterialForm(ClearErrorsMixin, forms.ModelForm):
    """One row of the materials table; the text above the table explains the columns (no per-row help)."""

    class Meta:
        model = Material
        fields = ["name", "form", "copies", "notes", "condition"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["copies"].min_value = 1
        self.fields["copies"].widget.attrs.update({"min": "1", "max": "99"})
        self.set_clear_messages()

    def label_row(self, row: int) -> None:
        """Name every input of the row, e.g. 材料名称（第2行）: the table has no <label> per cell."""
        for field in self.fields.values():
            if not field.widget.is_hidden:
                field.widget.attrs["aria-label"] = _("%(label)s（第%(row)s行）") % {"label": field.label, "row": row}

    def clean_copies(self):
        copies = self.cleaned_data.get("copies")
        if copies is not None and not 1 <= copies <= 99:
            raise forms.ValidationError(_("份数应在1到99之间。"))
        return copies


class BaseMaterialFormSet(BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)  # adds the DELETE box, which needs a name too
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("删除")  # as the column heading says, in both languages
        if index is not None:
            form.label_row(index + 1)


MaterialFormSet = inlineformset_factory(
    Item, Material, form=MaterialForm, formset=BaseMaterialFormSet,
    fields=["name", "form", "copies", "notes", "condition"], extra=3, can_delete=True,
)


def materials_from(formset) -> list[dict]:
    """The materials a valid formset describes, in order, without deleted or blank rows."""
    rows = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE") or not (data.get("name") or "").strip():
            continue
        rows.append({field: data.get(field) for field in ("name", "form", "copies", "notes", "condition")})
    return rows


class NoticeForm(ClearErrorsMixin, forms.ModelForm):
    class Meta:
        model = Guide
        fields = ["notice_title", "notice_intro", "notice_footer"]
        widgets = {
            "notice_intro": forms.Textarea(attrs={"rows": 4}),
            "notice_footer": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_clear_messages()

    def _post_clean(self):
        pass


class PublishForm(ClearErrorsMixin, forms.Form):
    effective_date = BoundedDateField(
        label=gettext_lazy("生效日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("从这一天起受理的业务按本版办理；不能早于今天。"),
    )
    note = forms.CharField(
        label=gettext_lazy("修订说明"), max_length=200,
        help_text=gettext_lazy("写明本版改了什么，例如：新增居住证签发事项；调整出生登记材料。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_clear_messages()

    def clean_effective_date(self):
        # The service decides; checking here too lets a bad date and a missing note be reported together.
        day = self.cleaned_data["effective_date"]
        today = clock.today()
        if day < today:
            raise forms.ValidationError(
                _("生效日期不能早于今天（%(today)s），已经办理的业务不能改按新版本。请选择今天或以后的日期。")
                % {"today": today.isoformat()}
            )
        return day
