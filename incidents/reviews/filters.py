import django_filters
from django.utils import timezone

from incidents.reviews.models import Review
from rrp.filters import visible_wards


class ReviewFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Review.Status.choices, empty_label="Any status")
    ward = django_filters.ModelChoiceFilter(field_name="ward", queryset=visible_wards, empty_label="Any ward")
    overdue = django_filters.BooleanFilter(label="Overdue only", method="only_overdue")
    due_after = django_filters.DateFilter(field_name="due_at", lookup_expr="date__gte", label="Due from")
    due_before = django_filters.DateFilter(field_name="due_at", lookup_expr="date__lte", label="Due up to")

    class Meta:
        model = Review
        fields = ["status", "ward", "overdue", "due_after", "due_before"]

    def only_overdue(self, queryset, name, value):
        if value:
            return queryset.overdue(timezone.now())
        return queryset
