from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from org.models import Staff, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("name", "code")


@admin.register(Staff)
class StaffAdmin(UserAdmin):
    list_display = ("username", "full_name", "police_number", "unit", "category", "role", "duty_status")
    list_filter = ("category", "role", "duty_status")
    fieldsets = UserAdmin.fieldsets + (
        ("BrightWindow", {"fields": ("full_name", "police_number", "unit", "category",
                                     "law_enforcement_qualified", "duty_status", "role")}),
    )
