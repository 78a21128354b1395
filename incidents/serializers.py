from rest_framework import serializers

from incidents.codes import DEESCALATION_TECHNIQUES
from incidents.models import Incident, Intervention, StaffInvolvement
from incidents.permissions import is_subject, recordable_people
from incidents.services import EDITABLE_FIELDS
from rrp.models import ServiceUser
from rrp.serializers import FieldsOnce


class InterventionSerializer(FieldsOnce, serializers.ModelSerializer):
    id = serializers.IntegerField(required=False, help_text="Give the id to change an existing row.")

    class Meta:
        model = Intervention
        fields = [
            "id",
            "type_code",
            "group",
            "started_at",
            "ended_at",
            "duration_minutes",
            "in_care_plan",
            "patient_injured",
            "staff_injured",
            "other_injured",
            "prone_reason",
            "notes",
        ]
        read_only_fields = ["group", "duration_minutes"]


class StaffInvolvementSerializer(FieldsOnce, serializers.ModelSerializer):
    id = serializers.IntegerField(required=False, help_text="Give the id to change an existing row.")

    class Meta:
        model = StaffInvolvement
        fields = ["id", "staff", "name", "job_title", "used_force"]


class RecordablePersonField(serializers.PrimaryKeyRelatedField):
    """A person the caller may record an incident for: the queryset is built only when a request
    gives one (reading a list of incidents never needs it)."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None or not request.user.is_authenticated:
            return ServiceUser.objects.none()
        return recordable_people(request.user)


class IncidentSerializer(FieldsOnce, serializers.ModelSerializer):
    service_user = RecordablePersonField()
    deescalation = serializers.ListField(
        child=serializers.ChoiceField(choices=DEESCALATION_TECHNIQUES), required=False
    )
    interventions = InterventionSerializer(many=True, required=False)
    staff_involved = StaffInvolvementSerializer(many=True, required=False)
    version = serializers.IntegerField(
        required=False, help_text="The version you read; required to change an incident (409 if outdated)."
    )
    change_reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        help_text="Required to change a submitted incident.",
    )
    submit = serializers.BooleanField(
        write_only=True, required=False, default=False, help_text="Submit the draft once saved."
    )

    class Meta:
        model = Incident
        fields = [
            "id",
            "service_user",
            "ward",
            "admission",
            "status",
            "version",
            *EDITABLE_FIELDS,
            "age_at_incident",
            "sex",
            "ethnicity",
            "learning_disability",
            "autism",
            "mental_disorder",
            "created_at",
            "submitted_at",
            "signed_off_at",
            "entered_in_error_at",
            "entered_in_error_reason",
            "interventions",
            "staff_involved",
            "change_reason",
            "submit",
        ]
        read_only_fields = ["ward", "admission", "status", "entered_in_error_reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["service_user"].read_only = True

    def to_representation(self, incident):
        data = super().to_representation(incident)
        request = self.context.get("request")
        if request is not None and is_subject(request.user, incident):
            # The person sees staff by job title only, never other people's names.
            data["staff_involved"] = [
                {
                    "id": s["id"],
                    "staff": None,
                    "name": "",
                    "job_title": s["job_title"],
                    "used_force": s["used_force"],
                }
                for s in data["staff_involved"]
            ]
        return data
