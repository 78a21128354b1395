"""API for reviews, their sections, pathway entries and actions: the same services and rules as the pages."""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from incidents.reviews import services
from incidents.reviews.deidentify import panel_view
from incidents.reviews.filters import ReviewFilter
from incidents.reviews.models import Account, PathwayEntry, Review, ReviewAction
from incidents.reviews.permissions import reviews_visible_to
from incidents.reviews.serializers import (
    AgreementSerializer,
    PanelLearningSerializer,
    PanelReviewSerializer,
    PathwayEntrySerializer,
    ReviewActionSerializer,
    ReviewSerializer,
    SectionSerializer,
    SummarySerializer,
)
from rrp import listing, permissions
from rrp.api import ScopedViewSet


class ReviewViewSet(listing.ListedPages, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Post-incident reviews; the list is read as the reviews page reads it (rrp.listing)."""

    queryset = Review.objects.select_related("incident__service_user").order_by("due_at", "id")
    serializer_class = ReviewSerializer
    filterset_class = ReviewFilter

    def page_loaded(self, rows: list) -> list:
        """What each open review on the page still needs before it can close: one query."""
        services.load_missing_facts(rows)
        return rows

    def _writable(self, perm: str):
        review = self.get_object_for_read()
        if not permissions.has(self.request.user, perm, review):
            raise PermissionDenied("You can see this review but not do this.")
        return review

    def get_object_for_read(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    @extend_schema(request=SummarySerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"], serializer_class=SummarySerializer)
    def summary(self, request, pk=None):
        """Write the summary; an outdated `version` answers 409."""
        review = self.get_object_for_read()
        if services.is_person_side(request.user, review) or not permissions.has(
            request.user, "change", review
        ):
            raise PermissionDenied("Only the ward's team writes the summary.")
        data = SummarySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.summary_save(review=review, by=request.user, **data.validated_data)
        return Response(ReviewSerializer(review).data)

    @extend_schema(request=AgreementSerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"], serializer_class=AgreementSerializer)
    def agree(self, request, pk=None):
        """The person agrees or disagrees with the summary; the facilitator agrees it."""
        review = self.get_object_for_read()
        data = AgreementSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.summary_agree(review=review, by=request.user, **data.validated_data)
        return Response(ReviewSerializer(review).data)

    @extend_schema(request=None, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the review (ward manager); answers 400 with what is missing."""
        review = self._writable("close")
        if services.is_person_side(request.user, review):
            raise PermissionDenied("Only the ward manager closes a review.")
        review = services.review_close(review=review, by=request.user)
        return Response(ReviewSerializer(review).data)


class ChildFilter(filters.FilterSet):
    review = filters.NumberFilter(field_name="review_id")


class _ReviewChildViewSet(viewsets.GenericViewSet):
    """Rows that belong to a review are visible where the review is; the services decide who writes."""

    filterset_class = ChildFilter

    def visible_reviews(self):
        return reviews_visible_to(self.request.user)

    def get_queryset(self):
        return super().get_queryset().filter(review__in=self.visible_reviews())

    def review_from_request(self, serializer):
        review = serializer.validated_data.pop("review")
        if not self.visible_reviews().filter(pk=review.pk).exists():
            raise NotFound("Not found.")
        return review


class SectionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    _ReviewChildViewSet,
):
    """The person's own account and each staff member's own account; drafts are seen by their side only."""

    queryset = Account.objects.select_related("review__incident").order_by("review_id", "kind", "id")
    serializer_class = SectionSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        user = self.request.user
        own_side = Q(kind=Account.Kind.PERSON) & (
            Q(review__incident__service_user__user=user) | Q(review__supporter=user)
        )
        return super().get_queryset().filter(Q(status=Account.Status.SHARED) | Q(author=user) | own_side)

    def perform_create(self, serializer):
        review = self.review_from_request(serializer)
        data = serializer.validated_data
        serializer.instance = services.account_save(
            review=review,
            by=self.request.user,
            kind=data["kind"],
            what_happened=data.get("what_happened", ""),
            what_would_have_helped=data.get("what_would_have_helped", ""),
            share=data.get("share", False),
            version=data.get("version"),
        )

    def perform_update(self, serializer):
        account = serializer.instance
        data = serializer.validated_data
        serializer.instance = services.account_save(
            review=account.review,
            by=self.request.user,
            kind=account.kind,
            what_happened=data.get("what_happened", account.what_happened),
            what_would_have_helped=data.get("what_would_have_helped", account.what_would_have_helped),
            share=data.get("share", False),
            version=data.get("version"),
        )


class PathwayEntryViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, _ReviewChildViewSet
):
    queryset = PathwayEntry.objects.select_related("review__incident").order_by(
        "review_id", "phase_order", "added_at"
    )
    serializer_class = PathwayEntrySerializer

    def perform_create(self, serializer):
        review = self.review_from_request(serializer)
        serializer.instance = services.pathway_add(
            review=review, by=self.request.user, **serializer.validated_data
        )


class ReviewActionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    _ReviewChildViewSet,
):
    queryset = ReviewAction.objects.select_related("review__incident").order_by("due_date", "id")
    serializer_class = ReviewActionSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer):
        review = self.review_from_request(serializer)
        data = serializer.validated_data
        data.pop("version", None)
        data.pop("status", None)
        data.pop("outcome", None)
        serializer.instance = services.action_create(review=review, by=self.request.user, **data)

    def perform_update(self, serializer):
        action = serializer.instance
        user = self.request.user
        if not (
            action.owner_id == user.pk
            or (
                permissions.has(user, "change", action.review)
                and not services.is_person_side(user, action.review)
            )
        ):
            raise PermissionDenied("You can see this action but not change it.")
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        data.pop("review", None)
        fields = {k: v for k, v in data.items() if k in ("status", "outcome", "due_date", "description")}
        serializer.instance = services.action_update(action=action, by=user, version=version, **fields)


class PanelViewSet(viewsets.GenericViewSet):
    """Closed reviews for the division's review panel, de-identified (never the normal record)."""

    serializer_class = PanelReviewSerializer
    queryset = Review.objects.closed().select_related("incident__ward__division").order_by("-closed_at", "id")
    filterset_class = None

    def get_queryset(self):
        return permissions.visible(self.request.user, "panel", super().get_queryset())

    @extend_schema(responses=PanelReviewSerializer(many=True))
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([panel_view(r) for r in page])

    def retrieve(self, request, pk=None):
        review = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(PanelReviewSerializer(panel_view(review)).data)

    @extend_schema(request=PanelLearningSerializer, responses=PanelReviewSerializer)
    @action(detail=True, methods=["post"], serializer_class=PanelLearningSerializer)
    def learning(self, request, pk=None):
        """Record what the panel learned from this review."""
        review = get_object_or_404(self.get_queryset(), pk=pk)
        data = PanelLearningSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.panel_learning_add(review=review, by=request.user, text=data.validated_data["text"])
        return Response(PanelReviewSerializer(panel_view(review)).data, status=status.HTTP_201_CREATED)
