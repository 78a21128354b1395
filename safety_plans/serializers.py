from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from safety_plans.models import Kind, PlanVersion, Proposal, SafetyPlan, Section
from safety_plans.permissions import plans_visible_to


class _PlanScopedSerializer(serializers.ModelSerializer):
    """A plan the caller may not see is answered like one that does not exist."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        plan = self.fields.get("plan")
        if plan is not None and not plan.read_only:
            plan.queryset = plans_visible_to(request.user) if request else SafetyPlan.objects.none()


class SafetyPlanSerializer(serializers.ModelSerializer):
    ward = serializers.PrimaryKeyRelatedField(read_only=True)
    service_user = serializers.PrimaryKeyRelatedField(read_only=True)
    version = serializers.IntegerField(
        help_text="The version you read; a write based on an older one answers 409 and changes nothing."
    )
    current_version = serializers.SerializerMethodField(help_text="Number of the latest agreed version.")
    person_has_agreed = serializers.BooleanField(read_only=True)
    staff_have_agreed = serializers.BooleanField(read_only=True)

    class Meta:
        model = SafetyPlan
        fields = [
            "id",
            "service_user",
            "ward",
            "review_by",
            "version",
            "draft_revision",
            "current_version",
            "person_has_agreed",
            "staff_have_agreed",
            "created_at",
        ]
        read_only_fields = ["draft_revision", "created_at"]

    def get_current_version(self, plan) -> int | None:
        if hasattr(plan, "latest_version"):
            return plan.latest_version
        latest = plan.versions.first()
        return latest.number if latest else None


class SafetyPlanCreateSerializer(serializers.Serializer):
    service_user = serializers.IntegerField(help_text="Id of the person whose plan to start.")


class AgreeSerializer(serializers.Serializer):
    for_person = serializers.BooleanField(
        default=False,
        help_text="Staff only: record the person's own agreement, given in person, rather than the staff's.",
    )


class AgreeResultSerializer(serializers.Serializer):
    agreed_version = serializers.IntegerField(
        allow_null=True, help_text="Set when both sides have now agreed."
    )
    detail = serializers.CharField()


class PlanVersionSerializer(serializers.ModelSerializer):
    service_user = serializers.IntegerField(source="plan.service_user_id", read_only=True)
    ward = serializers.IntegerField(source="plan.ward_id", read_only=True, allow_null=True)
    content = serializers.JSONField(
        help_text="Each part's title, text, author, contributors and disagreement."
    )

    class Meta:
        model = PlanVersion
        fields = [
            "id",
            "plan",
            "service_user",
            "ward",
            "number",
            "content",
            "agreed_at",
            "person_agreed_at",
            "person_agreement_recorded_by",
            "staff_agreed_by",
            "staff_agreed_at",
        ]
        read_only_fields = fields


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    relationship = serializers.CharField(max_length=100, allow_blank=True, required=False)
    phone = serializers.CharField(max_length=40, allow_blank=True, required=False)


@extend_schema_serializer(component_name="SafetyPlanSection")
class SectionSerializer(_PlanScopedSerializer):
    service_user = serializers.IntegerField(source="plan.service_user_id", read_only=True)
    ward = serializers.IntegerField(source="plan.ward_id", read_only=True, allow_null=True)
    kind = serializers.ChoiceField(choices=Kind.choices)
    version = serializers.IntegerField(
        help_text="The version you read (0 for a part not written yet); an older one answers 409."
    )
    contacts = ContactSerializer(many=True, required=False)
    text = serializers.CharField(allow_blank=True, required=False, trim_whitespace=False)
    disagreement = serializers.CharField(
        allow_blank=True,
        required=False,
        trim_whitespace=False,
        help_text="What the person does not agree with; only the person can change it.",
    )

    class Meta:
        model = Section
        fields = [
            "id",
            "plan",
            "service_user",
            "ward",
            "kind",
            "text",
            "contacts",
            "risk_value",
            "risk_risks",
            "risk_safety",
            "risk_who",
            "risk_review_date",
            "disagreement",
            "author",
            "updated_at",
            "version",
        ]
        read_only_fields = ["author", "updated_at"]
        # One part per kind is enforced by the service, which answers a second writer with 409.
        validators = []
        extra_kwargs = {
            name: {"trim_whitespace": False}
            for name in ("risk_value", "risk_risks", "risk_safety", "risk_who")
        }


class ProposalSerializer(_PlanScopedSerializer):
    service_user = serializers.IntegerField(source="plan.service_user_id", read_only=True)
    ward = serializers.IntegerField(source="plan.ward_id", read_only=True, allow_null=True)

    class Meta:
        model = Proposal
        fields = [
            "id",
            "plan",
            "service_user",
            "ward",
            "text",
            "source_label",
            "source_url",
            "status",
            "proposed_by",
            "proposed_at",
            "decided_by",
            "decided_at",
            "decision_note",
            "section_kind",
        ]
        read_only_fields = [
            "status",
            "proposed_by",
            "proposed_at",
            "decided_by",
            "decided_at",
            "decision_note",
            "section_kind",
        ]


class ProposalDecisionSerializer(serializers.Serializer):
    section_kind = serializers.ChoiceField(
        choices=Kind.choices,
        required=False,
        help_text="Where to add an accepted change (default: what helps).",
    )
    note = serializers.CharField(allow_blank=True, required=False)
