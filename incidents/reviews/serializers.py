from rest_framework import serializers

from incidents.reviews.models import Account, PathwayEntry, Review, ReviewAction
from incidents.reviews.services import review_missing
from rrp.serializers import FieldsOnce


class ReviewSerializer(FieldsOnce, serializers.ModelSerializer):
    service_user = serializers.IntegerField(source="incident.service_user_id", read_only=True)
    ward = serializers.IntegerField(source="incident.ward_id", read_only=True)
    missing = serializers.SerializerMethodField(
        help_text="What must still be done before the review can close."
    )

    class Meta:
        model = Review
        fields = [
            "id",
            "incident",
            "service_user",
            "ward",
            "status",
            "due_at",
            "facilitator",
            "participation",
            "not_held_reason",
            "supporter_kind",
            "held_at",
            "summary",
            "person_agreement",
            "person_agreement_note",
            "person_agreed_at",
            "facilitator_agreed_at",
            "closed_at",
            "held_with_service_user",
            "held_with_staff",
            "version",
            "missing",
        ]
        read_only_fields = fields

    def get_missing(self, review) -> list[str]:
        return [] if review.is_closed else review_missing(review)


class SummarySerializer(serializers.Serializer):
    summary = serializers.CharField()
    version = serializers.IntegerField()


class AgreementSerializer(serializers.Serializer):
    agreement = serializers.ChoiceField(choices=["agreed", "disagreed"], default="agreed")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class SectionSerializer(serializers.ModelSerializer):
    service_user = serializers.IntegerField(source="review.incident.service_user_id", read_only=True)
    ward = serializers.IntegerField(source="review.incident.ward_id", read_only=True)
    share = serializers.BooleanField(write_only=True, default=False, help_text="Share with the review.")
    version = serializers.IntegerField(required=False, allow_null=True)

    class Meta:
        model = Account
        fields = [
            "id",
            "review",
            "service_user",
            "ward",
            "kind",
            "what_happened",
            "what_would_have_helped",
            "status",
            "written_with_support",
            "updated_at",
            "version",
            "share",
        ]
        read_only_fields = ["status", "written_with_support", "updated_at"]


class PathwayEntrySerializer(serializers.ModelSerializer):
    service_user = serializers.IntegerField(source="review.incident.service_user_id", read_only=True)
    ward = serializers.IntegerField(source="review.incident.ward_id", read_only=True)

    class Meta:
        model = PathwayEntry
        fields = ["id", "review", "service_user", "ward", "phase", "happened_at", "text", "side", "added_at"]
        read_only_fields = ["side", "added_at"]


class ReviewActionSerializer(serializers.ModelSerializer):
    service_user = serializers.IntegerField(source="review.incident.service_user_id", read_only=True)
    ward = serializers.IntegerField(source="review.incident.ward_id", read_only=True)
    version = serializers.IntegerField(required=False)

    class Meta:
        model = ReviewAction
        fields = [
            "id",
            "review",
            "service_user",
            "ward",
            "kind",
            "description",
            "owner",
            "due_date",
            "status",
            "outcome",
            "completed_at",
            "version",
        ]
        read_only_fields = ["completed_at"]


class PanelInterventionSerializer(serializers.Serializer):
    type = serializers.CharField()
    minutes = serializers.IntegerField()


class PanelReviewSerializer(serializers.Serializer):
    """A closed review as the review panel sees it: no names, no NHS number, months not days."""

    id = serializers.IntegerField()
    ward = serializers.CharField()
    division = serializers.CharField()
    incident_month = serializers.CharField()
    closed_month = serializers.CharField()
    held_with_service_user = serializers.BooleanField(allow_null=True)
    held_with_staff = serializers.BooleanField(allow_null=True)
    interventions = PanelInterventionSerializer(many=True)
    reason = serializers.CharField()
    took_part = serializers.CharField(required=False)
    not_held_reason = serializers.CharField(required=False)
    person_account = serializers.DictField(required=False, allow_null=True)
    staff_accounts = serializers.ListField(child=serializers.DictField(), required=False)
    pathway = serializers.ListField(child=serializers.DictField(), required=False)
    learning = serializers.ListField(child=serializers.DictField(), required=False)
    actions = serializers.ListField(child=serializers.DictField(), required=False)
    summary = serializers.CharField(required=False)
    person_agreement = serializers.CharField(required=False)
    person_agreement_note = serializers.CharField(required=False)
    panel_learning = serializers.ListField(child=serializers.DictField(), required=False)


class PanelLearningSerializer(serializers.Serializer):
    text = serializers.CharField()
