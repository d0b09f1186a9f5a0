from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Item
from core.bounds import MAX_POSITIVE_INT
from core.personal import id_number_problem, normalize_id_number, normalize_phone, phone_problem
from counter.services import item_conditions


class MaterialsForm(forms.Form):
    """Checkboxes for an item's materials and conditions; nothing outside the guide can be chosen (R5)."""

    conditions = forms.MultipleChoiceField(
        label=_("适用情形"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("所选适用情形不属于本事项。")},
    )
    materials = forms.TypedMultipleChoiceField(
        label=_("已提交材料"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("所选材料不在本事项的办事指南材料清单内，不得要求指南以外的材料。")},
    )

    def __init__(self, *args, item: Item, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        self.fields["materials"].choices = [(m.pk, m.describe_display) for m in item.materials.all()]
        self.fields["conditions"].choices = [(c, c) for c in item_conditions(item)]


class WindowField(forms.TypedChoiceField):
    """One of the windows the officer may record at, from the list read once for the page (a ModelChoiceField
    reads its queryset again to draw the options and again to check the choice)."""

    def __init__(self, **kwargs):
        super().__init__(coerce=int, empty_value=None, **kwargs)
        self.windows: dict[int, object] = {}

    def set_windows(self, windows) -> None:
        self.windows = {w.pk: w for w in windows}
        self.choices = [(w.pk, str(w)) for w in self.windows.values()]

    def clean(self, value):
        return self.windows[super().clean(value)]  # only a listed window's id passes the choice check


class CaseOpenForm(MaterialsForm):
    window = WindowField(
        label=_("受理窗口"),
        error_messages={"required": _("请选择受理窗口。"),
                        "invalid_choice": _("所选受理窗口不在您可受理的窗口之中，请重新选择。")},
    )
    applicant_name = forms.CharField(
        label=_("申请人姓名"),
        max_length=50,
        widget=forms.TextInput(attrs={"autofocus": True}),
        error_messages={"required": _("请填写申请人姓名。"),
                        "max_length": _("申请人姓名不能超过%(limit_value)d个字（现在是%(show_value)d个字），请删减。")},
    )
    applicant_id_number = forms.CharField(
        label=_("公民身份号码"),
        max_length=30,
        help_text=_("18位，可用扫描枪读取；校验位按GB 11643检查。"),
        error_messages={"required": _("请填写公民身份号码。"),
                        "max_length": _("公民身份号码不能超过%(limit_value)d位（现在是%(show_value)d位），请核对。")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    applicant_phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        error_messages={"required": _("请填写联系电话，便于通知和回访。"),
                        "max_length": _("联系电话不能超过%(limit_value)d位（现在是%(show_value)d位），请核对。")},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )

    def __init__(self, *args, item: Item, windows, **kwargs):
        super().__init__(*args, item=item, **kwargs)
        self.fields["window"].set_windows(windows)

    def clean_applicant_id_number(self):
        value = normalize_id_number(self.cleaned_data["applicant_id_number"])
        problem = id_number_problem(value)
        if problem:
            raise forms.ValidationError(problem)
        return value

    def clean_applicant_phone(self):
        value = normalize_phone(self.cleaned_data["applicant_phone"])
        problem = phone_problem(value)
        if problem:
            raise forms.ValidationError(problem)
        return value


# Both come from the page, not from typing: a wrong one means a stale or tampered page.
STALE_PAGE = _("页面已过期，请刷新后重试。")
UNKNOWN_ACTION = _("未知的操作，请刷新页面后重试。")


class DecisionForm(MaterialsForm):
    # The buttons send the action and the page its revision; their errors say what to do, under no field name.
    action = forms.ChoiceField(
        label="",
        choices=[("accept", "accept"), ("notice", "notice"), ("refuse", "refuse"), ("complete", "complete")],
        error_messages={"required": UNKNOWN_ACTION, "invalid_choice": UNKNOWN_ACTION},
    )
    revision = forms.IntegerField(
        label="", widget=forms.HiddenInput, min_value=0, max_value=MAX_POSITIVE_INT,
        error_messages=dict.fromkeys(("required", "invalid", "min_value", "max_value"), STALE_PAGE),
    )
    override_reason = forms.CharField(
        label=_("补充告知理由（所长填写）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    legal_basis = forms.CharField(
        label=_("不予受理的法律依据"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    explanation = forms.CharField(
        label=_("不予受理的理由（向申请人耐心解释）"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, item: Item, **kwargs):
        super().__init__(*args, item=item, **kwargs)
        self.fields["materials"].label = _("本次补交材料")
