import math

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from org.models import Staff
from org.services import login_failure_record, login_success_record


def _minutes_left(staff: Staff) -> int:
    """Whole minutes until the lock ends, rounded up so a 15-minute lock says 15."""
    seconds = (staff.locked_until - timezone.now()).total_seconds()
    return max(1, math.ceil(seconds / 60))


class SignInForm(AuthenticationForm):
    """Sign-in that locks an account after repeated failures."""

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
        staff = Staff.objects.filter(username=username).first()
        if staff is not None and staff.is_locked():
            # Refused even with the right password until the lock ends.
            raise self._locked_error(staff)
        self.user_cache = authenticate(self.request, username=username, password=password)
        if self.user_cache is None:
            if staff is not None:
                staff = login_failure_record(staff=staff)
                if staff.is_locked():
                    raise self._locked_error(staff)
            raise self.get_invalid_login_error()
        self.confirm_login_allowed(self.user_cache)
        login_success_record(staff=self.user_cache)
        return self.cleaned_data

    def _locked_error(self, staff: Staff) -> forms.ValidationError:
        return forms.ValidationError(
            self.error_messages["locked"], code="locked", params={"minutes": _minutes_left(staff)}
        )
