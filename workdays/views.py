"""Calendar pages: thin views that check access, validate a form, call a service and render."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core import clock
from core.errors import DomainError, form_error_add
from org import access
from workdays.forms import AddWorkdaysForm, DayAddForm, OnOrBeforeForm, YearEnterForm
from workdays.models import DayKind
from workdays.rules import FIRST_YEAR, LAST_YEAR, weekday_label
from workdays.selectors import calendar_days_of, calendar_year_get, calendar_years, years_missing
from workdays.services import (
    add_workdays,
    calendar_day_add,
    calendar_day_remove,
    calendar_year_enter,
    provisional_deadlines_refresh,
    workday_on_or_before,
)


def _calculator(query: QueryDict) -> dict:
    """The two calculator forms and their results, read from the query string."""
    add_form = AddWorkdaysForm(query if "calc-start" in query else None, prefix="calc")
    back_form = OnOrBeforeForm(query if "back-day" in query else None, prefix="back")
    add_result = back_result = None
    if add_form.is_bound and add_form.is_valid():
        try:
            add_result = add_workdays(add_form.cleaned_data["start"], add_form.cleaned_data["n"])
        except DomainError as exc:
            form_error_add(add_form, exc)
    if back_form.is_bound and back_form.is_valid():
        try:
            back_result = workday_on_or_before(back_form.cleaned_data["day"])
        except DomainError as exc:
            form_error_add(back_form, exc)
    return {"add_form": add_form, "add_result": add_result, "back_form": back_form, "back_result": back_result}


def _calculator_status(context: dict) -> int:
    """400 when a calculator form sent in the query string was refused, as for any bad input."""
    refused = any(form.is_bound and form.errors for form in (context["add_form"], context["back_form"]))
    return 400 if refused else 200


def _initial_year(request: HttpRequest, missing: list[int], today: datetime.date) -> int:
    try:
        asked = int(request.GET.get("year", ""))
    except ValueError:
        asked = 0
    if FIRST_YEAR <= asked <= LAST_YEAR:
        return asked
    return missing[0] if missing else today.year + 1


@login_required
@require_http_methods(["GET", "POST"])
def year_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.CALENDAR_READ)
    today = clock.today()
    missing = years_missing(today)
    can_edit = access.can(request.user, access.CALENDAR_EDIT)
    form = None
    if request.method == "POST":
        access.require(request.user, access.CALENDAR_EDIT)
        form = YearEnterForm(request.POST)
        if form.is_valid():
            schedule = form.schedule()
            try:
                cal_year = calendar_year_enter(**schedule, actor=request.user)
            except DomainError as exc:
                form_error_add(form, exc)
            else:
                messages.success(request, _(
                    "已录入 %(year)s 年节假日安排：放假 %(holidays)s 天（周一至周五），调休上班 %(workdays)s 天。"
                ) % {"year": cal_year.year, "holidays": len(schedule["holidays"]),
                     "workdays": len(schedule["workdays"])})
                # R6: every deadline computed before this year was entered is recomputed now.
                recomputed = provisional_deadlines_refresh(actor=request.user)
                messages.info(request, _("已按新录入的节假日安排重新计算暂定期限：%(what)s。")
                              % {"what": recomputed.describe()} if recomputed.total
                              else _("没有需要重新计算的暂定期限。"))
                # An explicit fragment: the browser would otherwise carry the form's "#enter" over.
                return redirect(reverse("workdays:year_detail", args=[cal_year.year]) + "#main")
    elif can_edit:
        form = YearEnterForm(initial={"year": _initial_year(request, missing, today)})
    calculator = _calculator(request.GET)
    return render(request, "workdays/year_list.html", {
        "rows": calendar_years(), "missing": missing, "can_edit": can_edit, "form": form, **calculator,
    }, status=_calculator_status(calculator))


@login_required
@require_http_methods(["GET", "POST"])
def year_detail(request: HttpRequest, year: int) -> HttpResponse:
    access.require(request.user, access.CALENDAR_READ)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404
    can_edit = access.can(request.user, access.CALENDAR_EDIT)
    cal_year = calendar_year_get(year)
    form = None
    if request.method == "POST":
        access.require(request.user, access.CALENDAR_EDIT)
        form = DayAddForm(request.POST, year=year)
        if form.is_valid():
            try:
                day = calendar_day_add(year=year, day=form.cleaned_data["date"], kind=form.cleaned_data["kind"],
                                       name=form.cleaned_data["name"], actor=request.user)
            except DomainError as exc:
                form_error_add(form, exc)
            else:
                messages.success(request, _("已添加 %(date)s %(kind)s %(name)s。") % {
                    "date": day.date.isoformat(), "kind": day.get_kind_display(), "name": day.name})
                return redirect("workdays:year_detail", year=year)
    elif can_edit and cal_year is not None:
        form = DayAddForm(year=year)
    calculator = _calculator(request.GET)
    return render(request, "workdays/year_detail.html", {
        "year": year, "cal_year": cal_year, "days": calendar_days_of(year) if cal_year else [],
        "can_edit": can_edit, "form": form, "HOLIDAY": DayKind.HOLIDAY, **calculator,
    }, status=_calculator_status(calculator))


@login_required
@require_POST
def day_remove(request: HttpRequest, year: int, day: datetime.date) -> HttpResponse:
    access.require(request.user, access.CALENDAR_EDIT)
    try:
        calendar_day_remove(year=year, day=day, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已删除 %(date)s 的记录，这一天恢复为普通的%(weekday)s。") % {
            "date": day.isoformat(), "weekday": weekday_label(day)})
    return redirect("workdays:year_detail", year=year)
