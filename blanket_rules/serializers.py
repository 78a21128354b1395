from rest_framework import serializers

from blanket_rules.models import BlanketRule, BlanketRuleReview, Challenge, Outcome
from rrp.models import Division, Ward


class BlanketRuleSerializer(serializers.ModelSerializer):
    wards = serializers.PrimaryKeyRelatedField(many=True, queryset=Ward.objects.all(), required=False)
    division = serializers.PrimaryKeyRelatedField(
        queryset=Division.objects.all(), required=False, allow_null=True
    )
    in_force = serializers.BooleanField(read_only=True)
    review_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = BlanketRule
        fields = [
            "id",
            "title",
            "category",
            "status",
            "in_force",
            "division",
            "wards",
            "description",
            "risks",
            "why_not_individual",
            "policy_reference",
            "equality_impact",
            "proposed_by",
            "proposed_at",
            "authorised_by",
            "authorised_at",
            "authorising_body",
            "patients_told_how",
            "patients_told_on",
            "review_interval_months",
            "next_review_date",
            "review_overdue",
            "modified_at",
            "modification_reason",
            "lifted_at",
            "lifted_reason",
            "version",
        ]
        read_only_fields = [
            "status",
            "proposed_by",
            "proposed_at",
            "authorised_by",
            "authorised_at",
            "authorising_body",
            "patients_told_how",
            "patients_told_on",
            "next_review_date",
            "modified_at",
            "modification_reason",
            "lifted_at",
            "lifted_reason",
            "version",
        ]


class AuthoriseSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    authorising_body = serializers.CharField(max_length=200)
    patients_told_how = serializers.CharField()
    patients_told_on = serializers.DateField(required=False, allow_null=True)
    review_interval_months = serializers.IntegerField(min_value=1, max_value=12, required=False)
    next_review_date = serializers.DateField()


class LiftSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    reason = serializers.CharField()


class BlanketRuleReviewSerializer(serializers.ModelSerializer):
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = BlanketRuleReview
        fields = [
            "id",
            "rule",
            "due_date",
            "overdue",
            "held_on",
            "participants",
            "service_user_representative",
            "findings",
            "outcome",
            "outcome_reason",
            "recorded_by",
            "version",
        ]
        read_only_fields = fields


class ChallengeSerializer(serializers.ModelSerializer):
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Challenge
        fields = [
            "id",
            "rule",
            "service_user",
            "ward",
            "raised_by",
            "raised_at",
            "in_own_words",
            "would_like_instead",
            "withhold_name",
            "source_label",
            "source_url",
            "response_due",
            "overdue",
            "status",
            "decision",
            "decision_reason",
            "decided_by",
            "decided_at",
            "look_again_reason",
            "look_again_requested_at",
            "look_again_response",
            "look_again_by",
            "look_again_at",
            "version",
        ]
        read_only_fields = [
            "ward",
            "raised_by",
            "raised_at",
            "response_due",
            "status",
            "decision",
            "decision_reason",
            "decided_by",
            "decided_at",
            "look_again_reason",
            "look_again_requested_at",
            "look_again_response",
            "look_again_by",
            "look_again_at",
            "version",
        ]
        extra_kwargs = {"rule": {"queryset": BlanketRule.objects.all()}}


class DecideSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    decision = serializers.ChoiceField(choices=Outcome.choices)
    reason = serializers.CharField()
    new_description = serializers.CharField(required=False, allow_blank=True, default="")
