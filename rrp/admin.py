"""Reference data for the administrator. Clinical records are never edited here."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from rrp import services
from rrp.models import Division, StaffProfile, Trust, Ward, WardAssignment


@admin.register(Trust)
class TrustAdmin(SimpleHistoryAdmin):
    list_display = ["name"]


@admin.register(Division)
class DivisionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "trust"]

    def save_model(self, request, obj, form, change):
        if change:
            obj._history_user = request.user
            obj.save()
            return
        obj.pk = services.division_create(trust=obj.trust, name=obj.name, by=request.user).pk

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Ward)
class WardAdmin(SimpleHistoryAdmin):
    list_display = ["name", "division", "beds", "target_rate"]
    list_filter = ["division"]
    fields = ["division", "name", "description", "beds", "target_rate"]

    def save_model(self, request, obj, form, change):
        # A new ward needs its teams' groups and grants, which only the service creates.
        if change:
            obj._history_user = request.user
            obj.save()
            return
        created = services.ward_create(
            division=obj.division,
            name=obj.name,
            description=obj.description,
            beds=obj.beds,
            target_rate=obj.target_rate,
            by=request.user,
        )
        obj.pk = created.pk

    def has_delete_permission(self, request, obj=None):
        return False


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
