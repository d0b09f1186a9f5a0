from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from core.pagination import page_of, query_without_page
from org import access
from org.forms import SignInForm
from org.selectors import staff_for_list
from org.services import staff_decision_problem
from org.sessions import session_start


class SignInView(auth_views.LoginView):
    template_name = "org/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        # Signing in over another person's session starts a fresh one, without the marks the form set.
        session_start(self.request)
        return response


class SignOutView(auth_views.LogoutView):
    """Sign out (POST only) and say so on the sign-in page."""

    def post(self, request, *args, **kwargs):
        was_signed_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_signed_in:
            messages.info(request, _("您已安全退出。"))
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "org/password_change.html"
    success_url = reverse_lazy("shell:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("密码已修改。"))
        return response


@login_required
def staff_list(request):
    """Who works in the user's units, and whether each may decide hukou cases (R8, R11), 50 a page."""
    access.require(request.user, access.STAFF_READ)
    page = page_of(staff_for_list(request.user), request)
    rows = [{"staff": s, "problem": staff_decision_problem(s)} for s in page.object_list]
    return render(request, "org/staff_list.html", {"rows": rows, "page": page, "query": query_without_page(request)})
