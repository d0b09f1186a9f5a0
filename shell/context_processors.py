from core import clock


def _served_host(request) -> str:
    try:
        return request.get_host()
    except Exception:  # a host Django refuses is answered with a 400 before any page is drawn
        return ""


def shell(request):
    """Navigation and warnings shown on every staff page."""
    user = getattr(request, "user", None)
    context = {"today": clock.today()}
    if user is not None and user.is_authenticated:
        from shell.navigation import nav_for, warnings_for

        context["nav"] = nav_for(user)
        match = getattr(request, "resolver_match", None)
        # The calendar pages carry their own, more specific warning.
        if match is None or match.app_name != "workdays":
            context["shell_warnings"] = warnings_for(user, context["today"], served_host=_served_host(request))
    return context
