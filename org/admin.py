"""The engineer's back office. Every save, deletion (one or a selection) and password reset here leaves an audit
event like any other change; the sign-in locks and is audited like the staff sign-in (org.forms)."""

import datetime

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import models, transaction

from core.audit import audit_record
from org.forms import AdminSignInForm
from org.models import Staff, Unit

# The admin's sign-in locks and audits like the staff sign-in (a locked superuser is refused here too).
admin.site.login_form = AdminSignInForm


def _where(obj, *, deleting: bool = False):
    """The unit an admin event about `obj` is recorded at, so the log of that part of the tree shows it."""
    if isinstance(obj, Staff):
        return obj.unit
    if isinstance(obj, Unit):
        # A unit being deleted cannot be its event's unit (the event would hold on to it); its parent can.
        return obj.parent if deleting else obj
    return None


def _stored(value):
    """A changed field's new value as the audit log keeps it: ids for records, codes for choices."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet | list | tuple):
        return [str(v) for v in value]
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


class AuditedAdmin(admin.ModelAdmin):
    """Write an audit event for each change made through the admin."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The changed fields by name (labelled in org/audit.py); never a password or its hash.
        changed = {name: _stored(form.cleaned_data.get(name)) for name in form.changed_data
                   if not name.startswith("password") and name != "usable_password"}
        audit_record(actor=request.user, action=f"admin.{'change' if change else 'add'}", obj=obj,
                     unit=_where(obj), data=changed)

    def delete_model(self, request, obj):
        audit_record(actor=request.user, action="admin.delete", obj=obj, unit=_where(obj, deleting=True),
                     data={"repr": str(obj)})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        """The "delete selected" action: one event per record, all with the deletion or none."""
        with transaction.atomic():
            for obj in queryset:
                audit_record(actor=request.user, action="admin.delete", obj=obj, unit=_where(obj, deleting=True),
                             data={"repr": str(obj), "bulk": True})
            super().delete_queryset(request, queryset)


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ("code", "name", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("name", "code")
    exclude = ("city", "county", "station")


@admin.register(Staff)
class StaffAdmin(AuditedAdmin, UserAdmin):
    list_display = ("username", "full_name", "police_number", "unit", "category", "role", "duty_status")
    list_filter = ("category", "role", "duty_status")
    fieldsets = UserAdmin.fieldsets + (
        ("BrightWindow", {"fields": ("full_name", "police_number", "unit", "category",
                                     "law_enforcement_qualified", "duty_status", "role")}),
    )

    def user_change_password(self, request, id, form_url=""):
        """Django's password reset page, audited: the new password and its event are saved together or not at all."""
        with transaction.atomic():
            before = Staff.objects.filter(pk=id).values_list("password", flat=True).first() if id.isdigit() else None
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and before is not None:
                staff = Staff.objects.select_related("unit").get(pk=id)
                if staff.password != before:
                    audit_record(actor=request.user, action="admin.password_change", obj=staff, unit=staff.unit,
                                 data={"usable": staff.has_usable_password()})
        return response
