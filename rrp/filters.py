import django_filters
from django.db.models import Q

from rrp import permissions
from rrp.models import Admission, ServiceUser, Ward


def narrows(filterset) -> bool:
    """True when a valid filterset has a value in any filter but its sorting."""
    return any(
        value not in (None, "", [])
        for name, value in filterset.form.cleaned_data.items()
        if not isinstance(filterset.filters.get(name), django_filters.OrderingFilter)
    )


def visible_wards(request):
    if request is None:
        return Ward.objects.none()
    return permissions.visible_choices(request.user, "view", Ward)


class ServiceUserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Name or NHS number", method="search")
    ward = django_filters.ModelChoiceFilter(
        label="Current ward", queryset=visible_wards, method="on_ward", empty_label="Any ward"
    )

    class Meta:
        model = ServiceUser
        fields = []

    def search(self, queryset, name, value):
        digits = value.replace(" ", "")
        return queryset.filter(
            Q(given_name__icontains=value)
            | Q(family_name__icontains=value)
            | Q(preferred_name__icontains=value)
            | Q(nhs_number=digits)
        )

    def on_ward(self, queryset, name, value):
        return queryset.filter(admissions__ward=value, admissions__end__isnull=True)


class AdmissionFilter(django_filters.FilterSet):
    ward = django_filters.ModelChoiceFilter(queryset=visible_wards)
    current = django_filters.BooleanFilter(field_name="end", lookup_expr="isnull", label="Current")
    service_user = django_filters.NumberFilter(field_name="service_user_id")

    class Meta:
        model = Admission
        fields = ["ward", "current", "service_user"]
