import django_filters
from django import forms
from django.utils import timezone

from rrp.filters import visible_wards
from rrp.forms import NHSFormMixin
from ward_rounds.models import Appointment, WardRound

WHEN = [("upcoming", "Today and later"), ("past", "Past")]


class FilterForm(NHSFormMixin, forms.Form):
    """A filter form with NHS.UK styling and an error summary."""


def _start_of_today():
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


class WardRoundFilter(django_filters.FilterSet):
    ward = django_filters.ModelChoiceFilter(queryset=visible_wards, empty_label="Any ward")
    when = django_filters.ChoiceFilter(
        choices=WHEN, method="filter_when", empty_label="Any time", label="When"
    )

    class Meta:
        model = WardRound
        fields = ["ward", "when"]
        form = FilterForm

    def filter_when(self, queryset, name, value):
        if value == "past":
            return queryset.filter(starts_at__lt=_start_of_today())
        return queryset.filter(starts_at__gte=_start_of_today())


class AppointmentFilter(django_filters.FilterSet):
    when = django_filters.ChoiceFilter(
        choices=WHEN, method="filter_when", empty_label="Any time", label="When"
    )

    class Meta:
        model = Appointment
        fields = ["when"]
        form = FilterForm

    def filter_when(self, queryset, name, value):
        if value == "past":
            return queryset.filter(scheduled_at__lt=_start_of_today())
        return queryset.filter(scheduled_at__gte=_start_of_today())
