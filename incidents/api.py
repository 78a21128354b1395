"""API for incidents with nested interventions: the same services and permissions as the pages."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from incidents import services
from incidents.filters import IncidentFilter
from incidents.models import Incident, Intervention
from incidents.serializers import IncidentSerializer
from rrp import listing, statements
from rrp.api import ScopedViewSet


def _children(data) -> dict:
    children = {}
    for name in ("interventions", "staff_involved"):
        if name in data:
            children[name] = [dict(row) for row in data[name]]
    return children


class IncidentViewSet(listing.ListedPages, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Uses of force. Create a draft (optionally submitting it), read, and amend with a reason.

    The list is read as the incident list page reads it (rrp.listing)."""

    # The person, ward and admission are answered as ids (no join needed; whether the caller is
    # the person force was used on is told from the ids too: incidents.permissions.is_subject).
    queryset = Incident.objects.prefetch_related(
        Prefetch("interventions", queryset=Intervention.objects.order_by("started_at", "id")),
        "staff_involved",
    ).order_by("-started_at", "-id")
    serializer_class = IncidentSerializer
    filterset_class = IncidentFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def page_read(self, ids):
        # The rows of `queryset` with their interventions and staff, by statements built once
        # (rrp.statements) rather than the queryset compiled on each request.
        return statements.by_ids(Incident, ids, children=("interventions", "staff_involved"))

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        submit = data.pop("submit", False)
        data.pop("change_reason", None)
        data.pop("version", None)
        children = _children(data)
        fields = {k: v for k, v in data.items() if k in services.EDITABLE_FIELDS}
        incident = services.incident_create(
            service_user=data["service_user"], by=request.user, children=children, **fields
        )
        if submit:
            incident = services.incident_submit(incident=incident, by=request.user)
        return Response(self._read(incident), status=status.HTTP_201_CREATED)

    @extend_schema(description="Change an incident: send `version`; a submitted one needs `change_reason`.")
    def partial_update(self, request, *args, **kwargs):
        incident = self.get_object()
        serializer = self.get_serializer(incident, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "version" not in data:
            return Response({"version": ["Send the version you read."]}, status=status.HTTP_400_BAD_REQUEST)
        submit = data.pop("submit", False)
        fields = {k: v for k, v in data.items() if k in services.EDITABLE_FIELDS}
        incident = services.incident_update(
            incident=incident,
            by=request.user,
            version=data["version"],
            reason=data.get("change_reason", ""),
            children=_children(data),
            **fields,
        )
        if submit:
            incident = services.incident_submit(incident=incident, by=request.user)
        return Response(self._read(incident))

    def _read(self, incident):
        fresh = self.queryset.get(pk=incident.pk)
        return self.get_serializer(fresh).data
