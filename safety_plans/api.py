"""API for safety plans, their agreed versions, their parts and proposed changes.

The same permissions as the pages: out of scope 404, visible but not allowed 403, stale write 409.
A plan's versions, parts and proposals are guarded through the plan.
"""

from django.db.models import Max
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from rrp import permissions
from rrp.api import ScopedViewSet
from rrp.models import ServiceUser
from safety_plans import services
from safety_plans.filters import ProposalFilter
from safety_plans.models import Kind, PlanVersion, Proposal, SafetyPlan, Section
from safety_plans.permissions import (
    plans_visible_to,
    proposals_visible_to,
    sections_visible_to,
    versions_visible_to,
)
from safety_plans.serializers import (
    AgreeResultSerializer,
    AgreeSerializer,
    PlanVersionSerializer,
    ProposalDecisionSerializer,
    ProposalSerializer,
    SafetyPlanCreateSerializer,
    SafetyPlanSerializer,
    SectionSerializer,
)

READ = ("GET", "HEAD", "OPTIONS")


def _visible_plan(user, pk) -> SafetyPlan:
    """A plan the caller may see, else 404 (a plain 400 would disclose that it exists)."""
    return get_object_or_404(plans_visible_to(user), pk=pk)


class SafetyPlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = (
        SafetyPlan.objects.select_related("service_user", "ward")
        .annotate(latest_version=Max("versions__number"))
        .order_by("pk")
    )
    serializer_class = SafetyPlanSerializer
    filterset_fields = ["ward", "service_user"]

    @extend_schema(request=SafetyPlanCreateSerializer, responses={201: SafetyPlanSerializer})
    def create(self, request):
        """Start a person's plan (the person themself, or staff of their ward)."""
        data = SafetyPlanCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = permissions.get_or_404(
            request.user, ServiceUser.objects.all(), data.validated_data["service_user"]
        )
        if person.user_id != request.user.pk and not permissions.has(request.user, "change", person):
            raise exceptions.PermissionDenied("You may not start a plan for this person.")
        plan = services.plan_create(service_user=person, by=request.user)
        return Response(SafetyPlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        """Change the review-by date; send the `version` you read."""
        plan = self.get_object()
        data = SafetyPlanSerializer(plan, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if "version" not in data.validated_data:
            raise exceptions.ValidationError({"version": "Send the version you read."})
        plan = services.plan_update(
            plan=plan,
            version=data.validated_data["version"],
            review_by=data.validated_data.get("review_by", plan.review_by),
            by=request.user,
        )
        return Response(SafetyPlanSerializer(plan).data)

    @extend_schema(request=AgreeSerializer, responses={200: AgreeResultSerializer})
    @action(detail=True, methods=["post"])
    def agree(self, request, pk=None):
        """Agree the draft as it is now; when both sides have, it becomes the next version."""
        plan = self.get_object()
        data = AgreeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.plan_agree(
            plan=plan, by=request.user, for_person=data.validated_data["for_person"]
        )
        detail = (
            f"Version {version.number} agreed."
            if version
            else "Agreement recorded; waiting for the other side."
        )
        return Response({"agreed_version": version.number if version else None, "detail": detail})


class _ChildViewSet(ScopedViewSet):
    """Rows guarded through their plan: visible if the plan is; writes checked by the plan's rules."""

    def check_object_permissions(self, request, obj):
        if request.method not in READ and not permissions.has(request.user, "change", obj.plan):
            raise exceptions.PermissionDenied("You can see this record but not change it.")


class PlanVersionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _ChildViewSet):
    """Agreed versions: read only, they never change."""

    queryset = PlanVersion.objects.none()
    serializer_class = PlanVersionSerializer
    filterset_fields = ["plan", "number"]

    def get_queryset(self):
        return versions_visible_to(self.request.user).select_related("plan").order_by("plan_id", "number")


class SectionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    _ChildViewSet,
):
    """Parts of the working draft. A consented carer may write only the "family" part."""

    queryset = Section.objects.none()
    serializer_class = SectionSerializer
    filterset_fields = ["plan", "kind"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return sections_visible_to(self.request.user).select_related("plan").order_by("plan_id", "kind")

    def check_object_permissions(self, request, obj):
        if request.method not in READ and not services.can_edit_section(request.user, obj.plan, obj.kind):
            raise exceptions.PermissionDenied("You may not change this part of the plan.")

    def _fields(self, validated) -> dict:
        fields = {k: v for k, v in validated.items() if k not in ("plan", "kind", "version")}
        if "contacts" in fields:
            fields["contacts"] = [dict(c) for c in fields["contacts"]]
        return fields

    def perform_create(self, serializer):
        plan = _visible_plan(self.request.user, serializer.validated_data["plan"].pk)
        serializer.instance = services.section_save(
            plan=plan,
            kind=serializer.validated_data["kind"],
            version=serializer.validated_data["version"],
            by=self.request.user,
            **self._fields(serializer.validated_data),
        )

    def perform_update(self, serializer):
        section = serializer.instance
        kind = serializer.validated_data.get("kind", section.kind)
        if kind != section.kind or serializer.validated_data.get("plan", section.plan) != section.plan:
            raise exceptions.ValidationError(
                {"kind": "A part cannot be moved; write to the other part instead."}
            )
        if "version" not in serializer.validated_data:
            raise exceptions.ValidationError({"version": "Send the version you read."})
        serializer.instance = services.section_save(
            plan=section.plan,
            kind=section.kind,
            version=serializer.validated_data["version"],
            by=self.request.user,
            **self._fields(serializer.validated_data),
        )


class ProposalViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, _ChildViewSet
):
    """Suggested changes (for example from post incident reviews), accepted or rejected by co-authors."""

    queryset = Proposal.objects.none()
    serializer_class = ProposalSerializer
    filterset_class = ProposalFilter

    def get_queryset(self):
        return proposals_visible_to(self.request.user).select_related("plan").order_by("-proposed_at", "-id")

    def perform_create(self, serializer):
        plan = _visible_plan(self.request.user, serializer.validated_data["plan"].pk)
        if not permissions.has(self.request.user, "change", plan):
            raise exceptions.PermissionDenied("You may not suggest changes to this plan.")
        serializer.instance = services.proposal_create(
            service_user=plan.service_user,
            text=serializer.validated_data["text"],
            source_label=serializer.validated_data.get("source_label", ""),
            source_url=serializer.validated_data.get("source_url", ""),
            by=self.request.user,
        )

    def _decide(self, request, accept: bool):
        proposal = self.get_object()
        data = ProposalDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = services.proposal_decide(
            proposal=proposal,
            accept=accept,
            by=request.user,
            kind=data.validated_data.get("section_kind", Kind.HELPS),
            note=data.validated_data.get("note", ""),
        )
        return Response(ProposalSerializer(proposal).data)

    @extend_schema(request=ProposalDecisionSerializer, responses={200: ProposalSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Add the proposed words to a part of the draft."""
        return self._decide(request, True)

    @extend_schema(request=ProposalDecisionSerializer, responses={200: ProposalSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Decide not to add the proposed change."""
        return self._decide(request, False)
