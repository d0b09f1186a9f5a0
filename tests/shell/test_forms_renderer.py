"""The form renderer draws plain inputs and checkboxes exactly as Django's widget templates would."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from counter.forms import CaseOpenForm
from shell.forms_renderer import FormRenderer


class Everything(forms.Form):
    name = forms.CharField(max_length=50, widget=forms.TextInput(attrs={
        "autofocus": True, "data-x": 'a"<b>&', "data-safe": mark_safe("<i>"), "data-off": False}))
    phone = forms.CharField(required=False, widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))
    count = forms.IntegerField(min_value=0, max_value=9)
    email = forms.EmailField()
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    agree = forms.BooleanField(required=False)
    picks = forms.MultipleChoiceField(
        choices=[("1", "原件<1份>"), ("2", mark_safe("<b>复印件</b>")), ("3", "身份证 & 户口簿")],
        widget=forms.CheckboxSelectMultiple, required=False)
    one = forms.ChoiceField(choices=[("a", "甲"), ("b", "乙")], widget=forms.RadioSelect)
    kind = forms.ChoiceField(choices=[("a", "甲"), ("b", "乙")])
    note = forms.CharField(widget=forms.Textarea)


def _drawn(form: forms.Form) -> list[str]:
    out = []
    for field in form:
        out.append(str(field))
        out.extend(str(sub.tag()) for sub in field.subwidgets)
        out.extend(str(sub.tag(wrap_label=True)) for sub in field.subwidgets)
    return out


@pytest.mark.parametrize("data", [
    None,
    {"name": 'Tom "<script>"', "count": "7", "email": "a@b.cn", "secret": "x&y", "hidden": "h", "agree": "on",
     "day": "2026-12-07", "picks": ["1", "3"], "one": "b", "kind": "a", "note": "</textarea>"},
    {"name": "", "count": "99999999999999999999", "picks": ["9"], "one": "c"},
])
def test_every_plain_input_and_checkbox_is_drawn_as_djangos_templates_draw_it(data):
    ours = Everything(data, renderer=FormRenderer())
    django = Everything(data, renderer=DjangoTemplates())
    if data is not None:
        ours.is_valid(), django.is_valid()
    assert _drawn(ours) == _drawn(django)


def test_the_counter_form_is_the_same_page_with_either_renderer(guide, city):

    kwargs = {"item": guide.birth, "windows": [city.w1, city.w2]}
    ours = CaseOpenForm(initial={"window": city.w1.pk}, renderer=FormRenderer(), **kwargs)
    django = CaseOpenForm(initial={"window": city.w1.pk}, renderer=DjangoTemplates(), **kwargs)
    assert _drawn(ours) == _drawn(django)
    assert 'name="materials"' in "".join(_drawn(ours))


def test_the_site_draws_its_forms_with_this_renderer():
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), FormRenderer)
