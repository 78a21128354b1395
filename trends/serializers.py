"""Shapes of the trends API's answers (aggregated series, never records about one person)."""

from rest_framework import serializers


class RatePointSerializer(serializers.Serializer):
    ward = serializers.IntegerField(help_text="Ward id")
    ward_name = serializers.CharField()
    month = serializers.DateField(help_text="First day of the month (Europe/London)")
    bed_days = serializers.IntegerField(help_text="Occupied bed days")
    interventions = serializers.IntegerField(help_text="Restrictive interventions")
    rate = serializers.FloatField(allow_null=True, help_text="Per 1,000 occupied bed days; null: no bed days")
    mean = serializers.FloatField(allow_null=True)
    lower_process_limit = serializers.FloatField(allow_null=True)
    upper_process_limit = serializers.FloatField(allow_null=True)
    rule = serializers.CharField(allow_null=True)
    point_type = serializers.CharField(allow_null=True)


class WardSummarySerializer(serializers.Serializer):
    ward = serializers.IntegerField()
    ward_name = serializers.CharField()
    summary = serializers.CharField(help_text="The one-sentence summary shown with the chart")
    variation = serializers.CharField(allow_null=True)
    assurance = serializers.CharField(allow_null=True)
    target = serializers.FloatField(allow_null=True)
    trial_limits = serializers.BooleanField()
    events = serializers.ListField(child=serializers.DictField())


class RatesSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    group = serializers.CharField(help_text="Intervention group, or empty for all")
    wards = WardSummarySerializer(many=True)
    results = RatePointSerializer(many=True)


class TableSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField(allow_blank=True)
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text='Counts from 1 to 4 are given as "<5" so that no one can be identified.',
    )


class EqualitySerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    characteristics = TableSerializer(many=True)


class AnnualStatisticsSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    uses_of_force = serializers.CharField(help_text='The total for the year ("<5" when 1 to 4)')
    breakdowns = TableSerializer(many=True)
