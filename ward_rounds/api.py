"""API for ward rounds: the same scoping and the same services as the pages."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.response import Response

from rrp import permissions, roles
from rrp.api import ScopedViewSet
from ward_rounds import services
from ward_rounds.models import AgendaItem, Appointment, Outcome, WardRound
from ward_rounds.permissions import (
    appointments_visible_to,
    items_visible_to,
    outcomes_visible_to,
    sessions_visible_to,
)
from ward_rounds.serializers import (
    AgendaItemSerializer,
    AppointmentBookingSerializer,
    AppointmentSerializer,
    OutcomeSerializer,
    WardRoundSerializer,
)


class WardRoundViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    """Ward-round sessions; the ward's team arranges them for their own wards."""

    queryset = WardRound.objects.select_related("ward").order_by("-starts_at")
    serializer_class = WardRoundSerializer
    filterset_fields = ["ward"]

    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        ward = data.validated_data["ward"]
        if roles.role_of(request.user) not in ("ward_staff", "ward_manager") or not (
            roles.staff_wards(request.user).filter(pk=ward.pk).exists()
        ):
            raise exceptions.PermissionDenied("Only the ward's own team arranges its ward rounds.")
        session = services.ward_round_create(by=request.user, **data.validated_data)
        return Response(self.get_serializer(session).data, status=status.HTTP_201_CREATED)


class AppointmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    """Appointments; booking one opens the person's preparation and shares it with them."""

    queryset = Appointment.objects.order_by("-scheduled_at")
    serializer_class = AppointmentSerializer
    filterset_fields = ["ward", "service_user", "status", "ward_round"]

    def get_serializer_context(self):
        user = self.request.user
        return {
            **super().get_serializer_context(),
            "can_see_draft": lambda a: permissions.has(user, "see_draft", a),
        }

    def get_serializer_class(self):
        return AppointmentBookingSerializer if self.action == "create" else AppointmentSerializer

    @extend_schema(request=AppointmentBookingSerializer, responses={201: AppointmentSerializer})
    def create(self, request, *args, **kwargs):
        data = AppointmentBookingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        session = fields.pop("ward_round")
        person = fields.pop("service_user")
        if not sessions_visible_to(request.user).filter(pk=session.pk).exists():
            raise exceptions.ValidationError({"ward_round": "No such ward round."})
        if not permissions.has(request.user, "change", session):
            raise exceptions.PermissionDenied("Only the ward's team books people into its ward rounds.")
        if not permissions.has(request.user, "view", person):
            raise exceptions.ValidationError({"service_user": "No such person."})
        appointment = services.appointment_book(
            ward_round=session, service_user=person, by=request.user, **fields
        )
        return Response(
            AppointmentSerializer(appointment, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


def _visible_appointment(user, pk) -> Appointment:
    try:
        return appointments_visible_to(user).get(pk=pk)
    except (Appointment.DoesNotExist, ValueError, TypeError):
        raise exceptions.ValidationError({"appointment": "No such appointment."}) from None


class AgendaItemViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    """Agenda items: authors add and change their own; access follows the appointment."""

    queryset = AgendaItem.objects.select_related("appointment").order_by("appointment", "position", "id")
    serializer_class = AgendaItemSerializer
    filterset_fields = ["appointment", "kind", "author_role", "moved_out"]

    def get_queryset(self):
        return (
            items_visible_to(self.request.user)
            .select_related("appointment")
            .order_by("appointment", "position", "id")
        )

    def check_object_permissions(self, request, obj):
        if request.method not in ("GET", "HEAD", "OPTIONS") and not services.can_edit_item(request.user, obj):
            raise exceptions.PermissionDenied("Only the author can change an item while the agenda is open.")

    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        appointment = _visible_appointment(request.user, data.validated_data["appointment"].pk)
        try:
            item = services.item_add(
                appointment=appointment,
                by=request.user,
                text=data.validated_data["text"],
                kind=data.validated_data.get("kind", AgendaItem.Kind.TALK),
            )
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied("You cannot add items to this agenda.") from exc
        return Response(self.get_serializer(item).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        item = self.get_object()
        data = self.get_serializer(item, data=request.data, partial=kwargs.get("partial", False))
        data.is_valid(raise_exception=True)
        if "version" not in data.validated_data:
            raise exceptions.ValidationError({"version": "Send the version you are changing."})
        item = services.item_edit(
            item=item,
            by=request.user,
            text=data.validated_data.get("text", item.text),
            kind=data.validated_data.get("kind", item.kind),
            version=data.validated_data["version"],
        )
        return Response(self.get_serializer(item).data)


class OutcomeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    """Outcomes: the ward team records them; the person and carer read them once shared."""

    queryset = Outcome.objects.select_related("item__appointment").order_by("-recorded_at")
    serializer_class = OutcomeSerializer
    filterset_fields = ["item", "person_agrees"]

    def get_queryset(self):
        return (
            outcomes_visible_to(self.request.user)
            .select_related("item__appointment")
            .prefetch_related("actions")
            .order_by("-recorded_at", "-id")
        )

    def check_object_permissions(self, request, obj):
        if request.method not in ("GET", "HEAD", "OPTIONS") and not permissions.has(
            request.user, "record_outcome", obj.item.appointment
        ):
            raise exceptions.PermissionDenied("Only the ward team records outcomes.")

    def _save(self, request, item, data, version=None):
        try:
            return services.outcome_record(
                item=item,
                by=request.user,
                decision=data.get("decision", getattr(getattr(item, "outcome", None), "decision", "")),
                person_agrees=data.get("person_agrees", Outcome.View.NOT_GIVEN),
                person_view=data.get("person_view", ""),
                version=version,
            )
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied("Only the ward team records outcomes.") from exc

    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = data.validated_data["item"]
        if not items_visible_to(request.user).filter(pk=item.pk).exists():
            raise exceptions.ValidationError({"item": "No such agenda item."})
        if Outcome.objects.filter(item=item).exists():
            raise exceptions.ValidationError({"item": "This item already has an outcome: change that one."})
        outcome = self._save(request, item, data.validated_data)
        return Response(self.get_serializer(outcome).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        outcome = self.get_object()
        data = self.get_serializer(outcome, data=request.data, partial=kwargs.get("partial", False))
        data.is_valid(raise_exception=True)
        if "version" not in data.validated_data:
            raise exceptions.ValidationError({"version": "Send the version you are changing."})
        merged = {
            "decision": outcome.decision,
            "person_agrees": outcome.person_agrees,
            "person_view": outcome.person_view,
            **data.validated_data,
        }
        outcome = self._save(request, outcome.item, merged, version=data.validated_data["version"])
        return Response(self.get_serializer(outcome).data)
