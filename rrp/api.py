"""Shared API base: a viewset scoped to what the caller may see."""

from rest_framework import exceptions, viewsets

from rrp import permissions


class ScopedViewSet(viewsets.GenericViewSet):
    """A viewset whose queryset is what the caller may view, whose writes need `change`.

    Subclasses set `queryset` (narrowed with select_related) and may set `change_perm`.
    Out-of-scope records answer 404; visible records the caller may not change answer 403.
    """

    view_perm = "view"
    change_perm = "change"

    def get_queryset(self):
        return permissions.visible(self.request.user, self.view_perm, super().get_queryset())

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        if request.method not in ("GET", "HEAD", "OPTIONS") and not permissions.has(
            request.user, self.change_perm, obj
        ):
            raise exceptions.PermissionDenied("You can see this record but not change it.")
