"""Reference data for the administrator. Clinical records are never edited here."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from rrp.models import Division, StaffProfile, Trust, Ward, WardAssignment


@admin.register(Trust)
class TrustAdmin(SimpleHistoryAdmin):
    list_display = ["name"]


@admin.register(Division)
class DivisionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "trust"]


@admin.register(Ward)
class WardAdmin(SimpleHistoryAdmin):
    list_display = ["name", "division", "beds", "target_rate"]
    list_filter = ["division"]


class WardAssignmentInline(admin.TabularInline):
    model = WardAssignment
    extra = 0
    readonly_fields = ["ward"]
    can_delete = False


@admin.register(StaffProfile)
class StaffProfileAdmin(SimpleHistoryAdmin):
    list_display = ["user", "job_title", "role", "division"]
    list_filter = ["role", "division"]
    inlines = [WardAssignmentInline]
