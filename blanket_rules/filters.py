import django_filters
from django import forms
from django.db.models import Q

from blanket_rules.models import BlanketRule, Category, Challenge
from rrp.filters import visible_wards
from rrp.forms import NHSFormMixin


class FilterForm(NHSFormMixin, forms.Form):
    pass


class RuleFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Words in the rule", method="search")
    ward = django_filters.ModelChoiceFilter(
        queryset=visible_wards, field_name="wards", empty_label="Any ward", label="Ward"
    )
    status = django_filters.ChoiceFilter(choices=BlanketRule.Status.choices, empty_label="Any status")
    category = django_filters.ChoiceFilter(choices=Category.choices, empty_label="Any category")
    review_overdue = django_filters.ChoiceFilter(
        method="overdue",
        label="Review",
        choices=[("yes", "Review overdue"), ("no", "Review not overdue")],
        empty_label="Any",
    )

    class Meta:
        model = BlanketRule
        fields = ["q", "ward", "status", "category", "review_overdue"]
        form = FilterForm

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))

    def overdue(self, queryset, name, value):
        overdue = BlanketRule.objects.review_overdue()
        return queryset.filter(pk__in=overdue) if value == "yes" else queryset.exclude(pk__in=overdue)


class ChallengeFilter(django_filters.FilterSet):
    ward = django_filters.ModelChoiceFilter(queryset=visible_wards, empty_label="Any ward", label="Ward")
    status = django_filters.ChoiceFilter(choices=Challenge.Status.choices, empty_label="Any status")
    rule = django_filters.NumberFilter(field_name="rule_id", label="Rule")
    service_user = django_filters.NumberFilter(field_name="service_user_id", label="Person")

    class Meta:
        model = Challenge
        fields = ["ward", "status", "rule", "service_user"]
        form = FilterForm
