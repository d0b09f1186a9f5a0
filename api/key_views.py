"""The city administrator's page of integration keys: list, issue (the secret shown once), revoke."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from api.keys import integration_key_create, integration_key_revoke, integration_keys_of
from api.models import IntegrationKey
from core.errors import DomainError, form_error_add
from org import access
from org.models import Unit, UnitKind
from org.selectors import scope_of


class KeyCreateForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("用途"),
        max_length=100,
        help_text=gettext_lazy("写明谁用这个密钥做什么，例如“省好差评平台上报（鼓楼）”。"),
        error_messages={"required": gettext_lazy("请填写密钥用途。"),
                        "max_length": gettext_lazy("用途不能超过100个字。")},
    )
    county = forms.ModelChoiceField(
        label=gettext_lazy("范围"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=gettext_lazy("全市"),
        error_messages={"invalid_choice": gettext_lazy("请选择本市的县（市、区）局，或选择全市。")},
    )

    def __init__(self, *args, city: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = Unit.objects.filter(kind=UnitKind.COUNTY, city=city).order_by("code")


def _city_of_admin(user) -> Unit:
    access.require(user, access.API_KEY_MANAGE)
    return scope_of(user).unit


@login_required
def keys(request):
    """List the city's integration keys; create one (its secret is shown once, on this response only)."""
    city = _city_of_admin(request.user)
    issued = None
    form = KeyCreateForm(request.POST if request.method == "POST" else None, city=city)
    if request.method == "POST" and form.is_valid():
        try:
            issued = integration_key_create(actor=request.user, name=form.cleaned_data["name"],
                                            county=form.cleaned_data["county"])
        except DomainError as exc:
            form_error_add(form, exc)
        else:
            form = KeyCreateForm(city=city)
    response = render(request, "api/keys.html", {
        "form": form, "issued": issued, "keys": integration_keys_of(request.user),
        "ratings_url": reverse("api:ratings"), "docs_url": reverse("api:openapi-view"),
    })
    response["Cache-Control"] = "no-store"  # the page may carry a secret
    return response


@login_required
@require_POST
def key_revoke(request, pk: int):
    city = _city_of_admin(request.user)
    key = get_object_or_404(IntegrationKey, pk=pk, city=city)
    integration_key_revoke(key=key, actor=request.user)
    messages.success(request, _("密钥“%(name)s”已停用，使用它的系统将无法再读取数据。") % {"name": key.name})
    return HttpResponseRedirect(reverse("api:keys"))
