"""Evaluator devices: the station head's pairing and revoking pages, and the device's own full-screen page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core import clock
from core.errors import DomainError
from evaluations import services
from evaluations.models import BAD_LEVELS, Device, Level, PairingCode, Reason
from org import access
from org.models import Unit, UnitKind
from org.selectors import scope_of

INDICATORS = (
    ("efficiency", gettext_lazy("服务效率")),
    ("quality", gettext_lazy("服务水平")),
    ("attitude", gettext_lazy("服务态度")),
)


def _station_of_head(user) -> Unit:
    """The station (or brigade) of a station head; anybody else may not manage devices."""
    access.require(user, access.DEVICE_MANAGE)
    return scope_of(user).unit


def _windows_of(station: Unit):
    return Unit.objects.filter(kind=UnitKind.WINDOW, station=station).order_by("code")


@login_required
def device_list(request):
    """The station's windows with their evaluators, online or not, and the buttons to pair and revoke."""
    station = _station_of_head(request.user)
    windows = list(_windows_of(station))
    now = clock.now()
    devices = Device.objects.filter(window__in=windows).select_related("paired_by", "revoked_by")
    codes = PairingCode.objects.filter(window__in=windows, used_at__isnull=True, expires_at__gt=now)
    rows = []
    for window in windows:
        mine = [d for d in devices if d.window_id == window.pk]
        rows.append(
            {
                "window": window,
                "devices": [{"device": d, "online": services.device_is_online(d, now)} for d in mine],
                "active": sum(1 for d in mine if d.is_active),
                "open_codes": [c for c in codes if c.window_id == window.pk],
            }
        )
    return render(request, "evaluations/devices.html", {"station": station, "rows": rows})


@never_cache
@login_required
@require_POST
def pairing_code_create(request, window_id: int):
    """Show a new pairing code for the window once; only its hash is kept."""
    station = _station_of_head(request.user)
    window = get_object_or_404(_windows_of(station), pk=window_id)
    try:
        code = services.pairing_code_create(window=window, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("evaluations:device_list")
    pairing = PairingCode.objects.filter(window=window, created_by=request.user).order_by("-created_at", "-id").first()
    return render(
        request,
        "evaluations/devices_code.html",
        {
            "window": window,
            "code": code,
            "code_groups": (code[:4], code[4:]),
            "expires_at": pairing.expires_at,
            "minutes": services.PAIRING_CODE_MINUTES,
            "kiosk_url": request.build_absolute_uri(reverse("evaluations:device_kiosk")),
        },
    )


@login_required
@require_POST
def device_revoke(request, device_id: int):
    """Revoke a device: every later call with its token is refused."""
    station = _station_of_head(request.user)
    device = get_object_or_404(Device.objects.select_related("window"), pk=device_id, window__station=station)
    try:
        services.device_revoke(device=device, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("已停用 %(window)s 的评价器“%(name)s”。") % {"window": device.window.name, "name": device.name}
        )
    return redirect("evaluations:device_list")


def device_kiosk(request):
    """The evaluator: pairing form, idle screen, rating screen, thanks. Authenticated by its token, not a login."""
    levels = [
        {"value": value, "label": label, "stars": "★" * value + "☆" * (5 - value), "bad": value in BAD_LEVELS}
        for value, label in sorted(Level.choices, reverse=True)
    ]
    config = {
        "api": {
            "pair": reverse("api:device_pair"),
            "me": reverse("api:device_me"),
            "next": reverse("api:device_next"),
            "ratings": reverse("api:device_ratings"),
        },
        "bad_levels": [int(level) for level in BAD_LEVELS],
    }
    staff = request.user if request.user.is_authenticated else None
    # A public terminal at a Chinese counter: Chinese whatever the tablet's browser asks for.
    with translation.override(settings.LANGUAGE_CODE):
        return render(
            request,
            "evaluations/device.html",
            {"levels": levels, "indicators": INDICATORS, "reasons": Reason.choices, "config": config, "staff": staff},
        )


urlpatterns = [
    path("devices/", device_list, name="device_list"),
    path("devices/windows/<int:window_id>/code/", pairing_code_create, name="pairing_code_create"),
    path("devices/<int:device_id>/revoke/", device_revoke, name="device_revoke"),
    path("device/", device_kiosk, name="device_kiosk"),
]
