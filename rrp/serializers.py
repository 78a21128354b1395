import copy

from rest_framework import serializers

from rrp.models import Admission, ServiceUser, Ward
from rrp.nhs_number import normalise_nhs_number, validate_nhs_number


class FieldsOnce:
    """For a ModelSerializer: its fields worked out from the model once per class, then copied for
    each serializer as DRF copies declared fields (each field made anew from its arguments).

    DRF works them out again for every serializer made, reading the model's fields and their
    options each time: about 1 ms of an API page of 10 incidents, where copying takes about half
    that (benchmarks/README.md, change 54). A subclass whose fields depend on the request or the
    instance (overriding `get_fields`) must not use it; changing a serializer's own fields after
    they are made (`self.fields[...]`) changes that serializer's copies only."""

    def get_fields(self):
        made = type(self).__dict__.get("_rrp_fields")
        if made is None:
            made = super().get_fields()
            type(self)._rrp_fields = made
        return copy.deepcopy(made)


class WardSerializer(serializers.ModelSerializer):
    division = serializers.StringRelatedField()

    class Meta:
        model = Ward
        fields = ["id", "name", "description", "beds", "division", "target_rate"]


class ServiceUserSerializer(FieldsOnce, serializers.ModelSerializer):
    service_user = serializers.IntegerField(source="pk", read_only=True)
    ward = serializers.SerializerMethodField()

    class Meta:
        model = ServiceUser
        fields = [
            "id",
            "service_user",
            "ward",
            "nhs_number",
            "given_name",
            "family_name",
            "preferred_name",
            "date_of_birth",
            "sex",
            "gender_reassignment",
            "ethnicity",
            "religion",
            "sexual_orientation",
            "marital_status",
            "pregnancy",
            "disability",
            "learning_disability",
            "autism",
            "mental_disorder",
        ]

    def get_ward(self, person) -> int | None:
        if hasattr(person, "current_ward_id"):  # read with a page of people (rrp.api_views)
            return person.current_ward_id
        current = getattr(person, "current_admissions", None)
        if current is not None:
            return current[0].ward_id if current else None
        ward = person.current_ward
        return ward.pk if ward else None

    def validate_nhs_number(self, value):
        value = normalise_nhs_number(value)
        validate_nhs_number(value)
        return value


class AdmissionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Admission
        fields = ["id", "service_user", "ward", "start", "end", "ended_by_transfer"]
        read_only_fields = ["ended_by_transfer"]


class TransferSerializer(serializers.Serializer):
    ward = serializers.PrimaryKeyRelatedField(queryset=Ward.objects.all())
    at = serializers.DateTimeField()
