import math
from datetime import datetime

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from core import clock
from core.ratelimit import client_address
from org.services import login_check, login_success_record
from org.sessions import session_start


def _minutes_left(locked_until: datetime) -> int:
    """Whole minutes until the lock ends, rounded up so a 15-minute lock says 15."""
    seconds = (locked_until - clock.now()).total_seconds()
    return max(1, math.ceil(seconds / 60))


class SignInForm(AuthenticationForm):
    """Sign-in that locks a user name at a client address after repeated failures (org.services.login_check)."""

    site = "staff"
    error_messages = {
        "invalid_login": _("用户名或密码不正确，请重新输入。注意区分大小写。"),
        "inactive": _("该账号已停用，请联系管理员。"),
        "locked": _("连续登录失败次数过多，账号已锁定，请在 %(minutes)s 分钟后再试或联系管理员。"),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return self.cleaned_data
        address = client_address(self.request) if self.request is not None else ""
        check = login_check(username=username, address=address, site=self.site,
                            authenticate=lambda: authenticate(self.request, username=username, password=password))
        if check.locked_until is not None:
            # Refused even with the right password until the lock ends; the same words for unknown names.
            # Nothing on the form is wrong: the box above the message says so (includes/form_errors.html).
            self.errors_title = _("暂时不能登录：")
            raise forms.ValidationError(self.error_messages["locked"], code="locked",
                                        params={"minutes": _minutes_left(check.locked_until)})
        if check.user is None:
            raise self.get_invalid_login_error()
        self.user_cache = check.user
        self.confirm_login_allowed(self.user_cache)
        login_success_record(staff=self.user_cache, address=address, site=self.site)
        if self.request is not None and hasattr(self.request, "session"):
            session_start(self.request)
        return self.cleaned_data


class AdminSignInForm(SignInForm, AdminAuthenticationForm):
    """The admin's sign-in (org/admin.py): the same lockout and audit, and only for accounts marked as staff."""

    site = "admin"
