"""API for blanket rules, their reviews and challenges: the same scoping and services as the pages."""

from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from blanket_rules import permissions as rule_perms
from blanket_rules import services
from blanket_rules.filters import ChallengeFilter, RuleFilter
from blanket_rules.models import BlanketRule, BlanketRuleReview, Challenge
from blanket_rules.serializers import (
    AuthoriseSerializer,
    BlanketRuleReviewSerializer,
    BlanketRuleSerializer,
    ChallengeSerializer,
    DecideSerializer,
    LiftSerializer,
)
from rrp import permissions
from rrp.api import ScopedViewSet


class BlanketRuleViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    """Blanket rules. Creating one proposes it; `authorise` puts it in force; `lift` lifts it."""

    queryset = BlanketRule.objects.prefetch_related("wards").order_by("title")
    serializer_class = BlanketRuleSerializer
    filterset_class = RuleFilter

    def get_queryset(self):
        return rule_perms.rules_visible_to(self.request.user).prefetch_related("wards").order_by("title")

    def perform_create(self, serializer):
        allowed = rule_perms.proposable_wards(self.request.user)
        data = dict(serializer.validated_data)
        wards = data.pop("wards", [])
        division = data.pop("division", None)
        if any(not allowed.filter(pk=w.pk).exists() for w in wards):
            raise exceptions.ValidationError({"wards": "You can only propose rules for your own wards."})
        if division and not allowed.filter(division=division).exists():
            raise exceptions.ValidationError(
                {"division": "You can only propose rules for your own division."}
            )
        if not allowed.exists():
            raise exceptions.PermissionDenied("Only ward staff can propose blanket rules.")
        serializer.instance = services.rule_propose(
            by=self.request.user, wards=wards, division=division, **data
        )

    def _change(self, request):
        rule = self.get_object()
        if not permissions.has(request.user, "change", rule):
            raise exceptions.PermissionDenied("You can see this rule but not change it.")
        return rule

    @action(detail=True, methods=["post"], serializer_class=AuthoriseSerializer)
    def authorise(self, request, pk=None):
        """Put a proposed rule in force (it needs a rationale and a first review date)."""
        rule = self._change(request)
        data = AuthoriseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.rule_authorise(rule=rule, by=request.user, **data.validated_data)
        return Response(BlanketRuleSerializer(rule).data)

    @action(detail=True, methods=["post"], serializer_class=LiftSerializer)
    def lift(self, request, pk=None):
        """Lift a rule in force, with the reason; it stays in the register."""
        rule = self._change(request)
        data = LiftSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.rule_lift(rule=rule, by=request.user, **data.validated_data)
        return Response(BlanketRuleSerializer(rule).data)


class BlanketRuleReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Scheduled and held reviews of the rules the caller may see."""

    queryset = BlanketRuleReview.objects.order_by("-due_date")
    serializer_class = BlanketRuleReviewSerializer
    filterset_fields = ["rule"]

    def get_queryset(self):
        return rule_perms.reviews_visible_to(self.request.user).order_by("-due_date")


class ChallengeViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    """Challenges to blanket rules. `decide` is the ward manager's keep / modify / lift decision."""

    queryset = Challenge.objects.select_related("rule").order_by("-raised_at")
    serializer_class = ChallengeSerializer
    filterset_class = ChallengeFilter

    def perform_create(self, serializer):
        user = self.request.user
        data = serializer.validated_data
        rule = data["rule"]
        if not rule_perms.rules_visible_to(user).filter(pk=rule.pk).exists():
            raise exceptions.ValidationError({"rule": "No such rule."})
        if not rule_perms.can_challenge(user, rule):
            raise exceptions.PermissionDenied("You cannot challenge this rule.")
        person = data.get("service_user")
        if rule_perms.people_for(user).exists() and person is None:
            person = rule_perms.people_for(user).first()
        if person is not None and not rule_perms.challenge_people(user).filter(pk=person.pk).exists():
            raise exceptions.ValidationError(
                {"service_user": "You cannot raise a challenge for this person."}
            )
        serializer.instance = services.challenge_create(
            rule=rule,
            by=user,
            service_user=person,
            in_own_words=data.get("in_own_words", ""),
            would_like_instead=data.get("would_like_instead", ""),
            withhold_name=data.get("withhold_name", False),
            source_label=data.get("source_label", ""),
            source_url=data.get("source_url", ""),
        )

    @action(detail=True, methods=["post"], serializer_class=DecideSerializer)
    def decide(self, request, pk=None):
        """Keep, modify or lift the rule, with reasons the challenger will read."""
        challenge = self.get_object()
        if not permissions.has(request.user, "blanket_rules.decide_challenge", challenge):
            raise exceptions.PermissionDenied("Only the ward manager can decide a challenge.")
        data = DecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.challenge_decide(challenge=challenge, by=request.user, **data.validated_data)
        return Response(ChallengeSerializer(challenge).data, status=status.HTTP_200_OK)
