"""API for wards, admissions and service users: the same scoping as the pages."""

from django.db.models import Prefetch
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from rrp import permissions, services
from rrp.api import ScopedViewSet
from rrp.filters import AdmissionFilter
from rrp.models import Admission, ServiceUser, Ward
from rrp.serializers import AdmissionSerializer, ServiceUserSerializer, TransferSerializer, WardSerializer


class WardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = Ward.objects.select_related("division").order_by("name")
    serializer_class = WardSerializer
    filterset_fields = ["division"]


class ServiceUserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = ServiceUser.objects.prefetch_related(
        Prefetch("admissions", queryset=Admission.objects.current(), to_attr="current_admissions")
    ).order_by("family_name", "given_name")
    serializer_class = ServiceUserSerializer
    filterset_fields = ["nhs_number"]


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
