"""Blanket rules are clinical records: the administrator may read them here but changes go through the app."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from blanket_rules.models import BlanketRule


@admin.register(BlanketRule)
class BlanketRuleAdmin(SimpleHistoryAdmin):
    list_display = ["title", "category", "status", "next_review_date"]
    list_filter = ["status", "category"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
