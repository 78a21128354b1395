"""API for wards, admissions and service users: the same scoping as the pages."""

from django.db.models import Prefetch
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from rrp import permissions, services, statements
from rrp.api import ScopedViewSet
from rrp.filters import AdmissionFilter
from rrp.listing import ListedPages
from rrp.models import Admission, ServiceUser, Ward, current_wards
from rrp.serializers import AdmissionSerializer, ServiceUserSerializer, TransferSerializer, WardSerializer


class WardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = Ward.objects.select_related("division").order_by("name")
    serializer_class = WardSerializer
    filterset_fields = ["division"]


class ServiceUserViewSet(ListedPages, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """People. The list is read as the people list page reads it (rrp.listing)."""

    queryset = ServiceUser.objects.prefetch_related(
        Prefetch("admissions", queryset=Admission.objects.current(), to_attr="current_admissions")
    ).order_by("family_name", "given_name", "pk")
    serializer_class = ServiceUserSerializer
    filterset_fields = ["nhs_number"]

    def page_read(self, ids):
        return statements.by_ids(ServiceUser, ids)

    def page_loaded(self, rows):
        wards = current_wards([person.pk for person in rows])
        for person in rows:  # as ServiceUserSerializer.get_ward reads it
            person.current_ward_id = wards[person.pk][0] if person.pk in wards else None
        return rows


class AdmissionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = Admission.objects.select_related("ward").order_by("-start")
    serializer_class = AdmissionSerializer
    filterset_class = AdmissionFilter

    @action(detail=True, methods=["post"], serializer_class=TransferSerializer)
    def transfer(self, request, pk=None):
        """End this admission and start one on another ward, moving live access with the person."""
        admission = self.get_object()
        if not permissions.has(request.user, "change", admission):
            return Response({"detail": "You can see this admission but not change it."}, status=403)
        data = TransferSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        new = services.admission_transfer(
            admission=admission,
            to_ward=data.validated_data["ward"],
            at=data.validated_data["at"],
            by=request.user,
        )
        return Response(AdmissionSerializer(new).data, status=status.HTTP_201_CREATED)
