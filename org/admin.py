"""The engineer's back office. Every save and delete here leaves an audit event like any other change."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from core.audit import audit_record
from org.forms import AdminSignInForm
from org.models import Staff, Unit

# The admin's sign-in locks and audits like the staff sign-in (a locked superuser is refused here too).
admin.site.login_form = AdminSignInForm


class AuditedAdmin(admin.ModelAdmin):
    """Write an audit event for each change made through the admin."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changed = {name: str(form.cleaned_data.get(name)) for name in form.changed_data if name != "password"}
        audit_record(actor=request.user, action=f"admin.{'change' if change else 'add'}", obj=obj,
                     unit=getattr(obj, "unit", None) if isinstance(obj, Staff) else obj, data={"changed": changed})

    def delete_model(self, request, obj):
        audit_record(actor=request.user, action="admin.delete", obj=obj, data={"repr": str(obj)})
        super().delete_model(request, obj)


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
