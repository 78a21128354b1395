"""The incident list's filters, shared by the page, the CSV export and the API."""

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q

from incidents.codes import Harm, InterventionGroup, InterventionType, Reason
from incidents.models import Incident, Intervention
from rrp.filters import visible_wards
from rrp.forms import DateInput
from rrp.models import LONDON

HARM_AT_LEAST = {
    "low": [Harm.LOW, Harm.MODERATE, Harm.SEVERE, Harm.FATAL],
    "moderate": [Harm.MODERATE, Harm.SEVERE, Harm.FATAL],
    "severe": [Harm.SEVERE, Harm.FATAL],
}


def review_relation():
    """Return the reverse relation name to a post-incident review, when the reviews app is installed."""
    for name in ("review", "post_incident_review"):
        field = Incident._meta.fields_map.get(name)
        if field is not None:
            names = {f.name for f in field.related_model._meta.get_fields()}
            if "status" in names:
                return name
    return None


def _interventions(**lookups):
    return Exists(Intervention.objects.filter(incident=OuterRef("pk"), **lookups))


class IncidentFilter(django_filters.FilterSet):
    ward = django_filters.ModelChoiceFilter(queryset=visible_wards, empty_label="Any ward")
    date_from = django_filters.DateFilter(
        label="From", method="from_date", widget=DateInput(attrs={"class": "nhsuk-input"})
    )
    date_to = django_filters.DateFilter(
        label="To", method="to_date", widget=DateInput(attrs={"class": "nhsuk-input"})
    )
    type = django_filters.ChoiceFilter(
        label="Type of intervention",
        choices=InterventionType.choices,
        method="of_type",
        empty_label="Any type",
    )
    group = django_filters.ChoiceFilter(
        label="Kind of restraint",
        choices=InterventionGroup.choices,
        method="of_group",
        empty_label="Any kind",
    )
    reason = django_filters.ChoiceFilter(
        field_name="reason_code", label="Main reason", choices=Reason.choices, empty_label="Any reason"
    )
    prone = django_filters.ChoiceFilter(
        label="Prone restraint",
        choices=[
            ("yes", "Included prone restraint"),
            ("over10", "Prone over 10 minutes"),
            ("no", "No prone"),
        ],
        method="with_prone",
        empty_label="Either",
    )
    injury = django_filters.ChoiceFilter(
        label="Injury",
        choices=[
            ("any", "Anyone injured"),
            ("patient", "The person injured"),
            ("staff", "Staff injured"),
            ("none", "Nobody injured"),
        ],
        method="with_injury",
        empty_label="Any",
    )
    harm = django_filters.ChoiceFilter(
        label="Harm (physical or psychological)",
        choices=[("low", "Low or worse"), ("moderate", "Moderate or worse"), ("severe", "Severe or worse")],
        method="with_harm",
        empty_label="Any",
    )
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=[*Incident.Status.choices, ("entered_in_error", "Entered in error")],
        method="with_status",
        empty_label="Any status",
    )
    sort = django_filters.OrderingFilter(
        label="Sort by",
        fields=[("started_at", "started"), ("ward__name", "ward"), ("status", "status")],
        field_labels={
            "-started": "Newest first",
            "started": "Oldest first",
            "ward": "Ward",
            "status": "Status",
        },
        empty_label=None,
        null_label=None,
    )

    class Meta:
        model = Incident
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["sort"].extra["choices"] = [
            ("-started", "Newest first"),
            ("started", "Oldest first"),
            ("ward", "Ward"),
            ("status", "Status"),
        ]
        relation = review_relation()
        if relation:
            status_field = Incident._meta.fields_map[relation].related_model._meta.get_field("status")
            self.filters["review"] = django_filters.ChoiceFilter(
                label="Review",
                choices=[("none", "No review yet"), *status_field.choices],
                method="with_review",
                empty_label="Any",
            )
            self.filters["review"].model = Incident
            self.filters["review"].parent = self
            self.review_relation = relation

    def from_date(self, queryset, name, value):
        start = datetime.datetime.combine(value, datetime.time(), tzinfo=LONDON)
        return queryset.filter(started_at__gte=start)

    def to_date(self, queryset, name, value):
        end = datetime.datetime.combine(value + datetime.timedelta(days=1), datetime.time(), tzinfo=LONDON)
        return queryset.filter(started_at__lt=end)

    def of_type(self, queryset, name, value):
        return queryset.filter(_interventions(type_code=value))

    def of_group(self, queryset, name, value):
        return queryset.filter(_interventions(group=value))

    def with_prone(self, queryset, name, value):
        if value == "over10":
            return queryset.filter(_interventions(type_code=InterventionType.PRONE, duration_minutes__gt=10))
        prone = _interventions(type_code=InterventionType.PRONE)
        return queryset.filter(prone if value == "yes" else ~prone)

    def with_injury(self, queryset, name, value):
        if value == "patient":
            return queryset.filter(_interventions(patient_injured=True))
        if value == "staff":
            return queryset.filter(_interventions(staff_injured=True))
        anyone = Exists(
            Intervention.objects.filter(incident=OuterRef("pk")).filter(
                Q(patient_injured=True) | Q(staff_injured=True) | Q(other_injured=True)
            )
        )
        return queryset.filter(anyone if value == "any" else ~anyone)

    def with_harm(self, queryset, name, value):
        levels = HARM_AT_LEAST[value]
        return queryset.filter(Q(physical_harm__in=levels) | Q(psychological_harm__in=levels))

    def with_status(self, queryset, name, value):
        if value == "entered_in_error":
            return queryset.filter(entered_in_error_at__isnull=False)
        return queryset.filter(status=value, entered_in_error_at__isnull=True)

    def with_review(self, queryset, name, value):
        relation = self.review_relation
        if value == "none":
            return queryset.filter(**{f"{relation}__isnull": True})
        return queryset.filter(**{f"{relation}__status": value})

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "nhsuk-select")
            elif not isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "nhsuk-input")
        return form
