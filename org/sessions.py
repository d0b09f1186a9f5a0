"""How long a sign-in lasts: SESSION_COOKIE_AGE from the sign-in at most, and SESSION_IDLE_MINUTES without a request.

A counter PC is shared, so a sign-in nobody uses ends early and the next person meets the sign-in page, which
says why. The end of the session is fixed when it begins (`session_start`), so the small write that notes the
last request (at most once a minute) never pushes the absolute end back.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

from core import clock

SEEN = "bw_seen"  # Unix seconds of the last request of this sign-in
SEEN_EVERY = 60  # seconds: the last request is written at most this often (the session is saved then)


def session_start(request: HttpRequest) -> None:
    """Mark a new sign-in: its session ends SESSION_COOKIE_AGE from now, whatever happens in between."""
    now = clock.now()
    request.session.set_expiry(now + timedelta(seconds=settings.SESSION_COOKIE_AGE))
    request.session[SEEN] = int(now.timestamp())


class IdleSessionMiddleware:
    """Sign out a session idle for SESSION_IDLE_MINUTES and send the person to the sign-in page, saying why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        seen = request.session.get(SEEN)  # no session cookie: no query
        if seen is not None:
            now = int(clock.now().timestamp())
            idle = settings.SESSION_IDLE_MINUTES
            if now - seen > idle * 60:
                was_signed_in = request.user.is_authenticated
                logout(request)
                if was_signed_in:
                    why = _("您已连续 %(minutes)s 分钟未操作，为保护信息安全已自动退出，请重新登录。")
                    messages.warning(request, why % {"minutes": idle})
                    if request.method == "GET":
                        return redirect_to_login(request.get_full_path())
                    return redirect_to_login(resolve_url(settings.LOGIN_REDIRECT_URL))
            elif abs(now - seen) >= SEEN_EVERY:
                request.session[SEEN] = now
        return self.get_response(request)
