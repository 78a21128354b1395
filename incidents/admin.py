"""Incidents in the admin are read-only and can never be deleted (s.6(6): keep for three years)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from incidents.models import Incident


@admin.register(Incident)
class IncidentAdmin(SimpleHistoryAdmin):
    list_display = ["id", "service_user", "ward", "started_at", "status", "entered_in_error_at"]
    list_filter = ["status", "ward"]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
