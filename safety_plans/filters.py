import datetime

import django_filters
from django.db.models import Q
from django.utils import timezone

from rrp.filters import visible_wards
from safety_plans.models import Proposal, SafetyPlan

DUE_SOON_DAYS = 14


class SafetyPlanFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Name or NHS number", method="search")
    ward = django_filters.ModelChoiceFilter(label="Ward", queryset=visible_wards, empty_label="Any ward")
    review = django_filters.ChoiceFilter(
        label="Review",
        method="by_review",
        empty_label="Any",
        choices=[
            ("overdue", "Overdue for review"),
            ("due", "Due for review in the next 2 weeks"),
            ("not_agreed", "Never agreed"),
        ],
    )

    class Meta:
        model = SafetyPlan
        fields = ["ward"]

    def search(self, queryset, name, value):
        person = "service_user__"
        return queryset.filter(
            Q(**{f"{person}given_name__icontains": value})
            | Q(**{f"{person}family_name__icontains": value})
            | Q(**{f"{person}preferred_name__icontains": value})
            | Q(**{f"{person}nhs_number": value.replace(" ", "")})
        )

    def by_review(self, queryset, name, value):
        today = timezone.localdate()
        if value == "overdue":
            return queryset.filter(review_by__lt=today)
        if value == "due":
            return queryset.filter(
                review_by__gte=today, review_by__lte=today + datetime.timedelta(days=DUE_SOON_DAYS)
            )
        return queryset.filter(versions__isnull=True)


class ProposalFilter(django_filters.FilterSet):
    plan = django_filters.NumberFilter(field_name="plan_id")
    status = django_filters.ChoiceFilter(choices=Proposal.Status.choices)

    class Meta:
        model = Proposal
        fields = ["plan", "status"]
