from rest_framework import serializers

from ward_rounds.models import Action, AgendaItem, Appointment, Outcome, WardRound


class WardRoundSerializer(serializers.ModelSerializer):
    class Meta:
        model = WardRound
        fields = ["id", "ward", "starts_at", "location", "led_by", "purpose"]


class AppointmentSerializer(serializers.ModelSerializer):
    summary = serializers.SerializerMethodField()
    running_late = serializers.BooleanField(read_only=True)

    class Meta:
        model = Appointment
        fields = [
            "id",
            "ward_round",
            "service_user",
            "ward",
            "scheduled_at",
            "status",
            "attendance_agreed",
            "carer_attending",
            "advocate",
            "peer_worker",
            "named_staff",
            "expected_at",
            "delay_note",
            "running_late",
            "started_at",
            "cancelled_reason",
            "summary",
            "summary_shared_at",
            "version",
        ]
        read_only_fields = fields

    def get_summary(self, appointment) -> str:
        """The summary once shared; before that only the ward team sees the draft."""
        can_see_draft = self.context.get("can_see_draft", lambda a: False)
        return appointment.summary if appointment.is_shared or can_see_draft(appointment) else ""


class AppointmentBookingSerializer(serializers.ModelSerializer):
    """What a client sends to book a person in; the answer is an appointment."""

    class Meta:
        model = Appointment
        fields = [
            "ward_round",
            "service_user",
            "scheduled_at",
            "attendance_agreed",
            "carer_attending",
            "advocate",
            "peer_worker",
            "named_staff",
        ]
        # The service checks double-booking with a plain message; skip DRF's unique-together check.
        validators = []


class AgendaItemSerializer(serializers.ModelSerializer):
    service_user = serializers.IntegerField(source="appointment.service_user_id", read_only=True)
    ward = serializers.IntegerField(source="appointment.ward_id", read_only=True)
    version = serializers.IntegerField(required=False)

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "appointment",
            "service_user",
            "ward",
            "kind",
            "text",
            "author",
            "author_role",
            "position",
            "moved_out",
            "handled_where",
            "created_at",
            "version",
        ]
        read_only_fields = [
            "author",
            "author_role",
            "position",
            "moved_out",
            "handled_where",
            "created_at",
        ]


class ActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Action
        fields = ["id", "description", "owner", "due", "done_at"]
        read_only_fields = fields


class OutcomeSerializer(serializers.ModelSerializer):
    appointment = serializers.IntegerField(source="item.appointment_id", read_only=True)
    service_user = serializers.IntegerField(source="item.appointment.service_user_id", read_only=True)
    ward = serializers.IntegerField(source="item.appointment.ward_id", read_only=True)
    actions = ActionSerializer(many=True, read_only=True)
    version = serializers.IntegerField(required=False)

    class Meta:
        model = Outcome
        fields = [
            "id",
            "item",
            "appointment",
            "service_user",
            "ward",
            "decision",
            "person_agrees",
            "person_view",
            "recorded_by",
            "recorded_at",
            "actions",
            "version",
        ]
        read_only_fields = ["recorded_by", "recorded_at"]
