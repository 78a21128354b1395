"""API settings classes: pagination, strict filtering and error mapping (no viewset imports)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, pagination, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from rrp.concurrency import StaleEdit


class Pagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class StrictFilterBackend(DjangoFilterBackend):
    """Answer 400 for an invalid filter value instead of silently widening the result."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        view.filterset = filterset  # for views that read the filtered list another way (incidents.api)
        return filterset.qs


def exception_handler(exc, context):
    """Map domain exceptions to HTTP: stale edit 409, model validation 400."""
    if isinstance(exc, StaleEdit):
        return Response(
            {
                "detail": "This record was changed by someone else after you loaded it. "
                "Nothing was saved. Reload it and make your change again.",
                "current_version": exc.current.version,
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied("You do not have permission to do this to this record.")
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    return drf_exception_handler(exc, context)
