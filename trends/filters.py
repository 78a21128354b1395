"""The trends filter: ward, division, date range, intervention group and rebase points.

The filter set narrows the wards the person may see; its other fields (dates, group, rebase) are
read from the validated form by the views. An unknown value is a form error (400), never a
silently widened result.
"""

import datetime
import re

import django_filters
from django import forms
from django.utils import timezone

from incidents.codes import InterventionGroup
from rrp import statements
from rrp.forms import DateInput, NHSFormMixin
from rrp.models import Division, Ward
from trends.permissions import trend_wards, wards_for_trends

#: The longest range the dashboard draws (monthly points; the SPC needs no more).
MAX_YEARS = 10
DEFAULT_MONTHS = 24
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _wards(request):
    return _trend_wards(request.user) if request else Ward.objects.none()


def _trend_wards(user):
    """`wards_for_trends(user)`, read as it is (a select box's choices, the wards a page covers
    when no ward is chosen) from the rows `trend_wards` read once for the request."""
    return statements.read_by(wards_for_trends(user), lambda: trend_wards(user))


def _divisions(request):
    if request is None:
        return Division.objects.none()
    user = request.user
    divisions = Division.objects.filter(wards__in=wards_for_trends(user)).distinct().order_by("name")

    def read():  # the divisions of the user's wards, which are in their divisions' order
        return list({ward.division_id: ward.division for ward in trend_wards(user)}.values())

    return statements.read_by(divisions, read)


def default_range(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """Return the default range: the last 24 calendar months up to today."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    for _ in range(DEFAULT_MONTHS - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return first, today


def default_options(first=None, last=None) -> dict:
    """Chart options for pages that draw without a filter form (home panel, target page, demo)."""
    if first is None:
        first, last = default_range()
    return {"first": first, "last": last, "group": "", "rebase": [], "rebase_at_events": False}


def parse_months(text: str) -> list[datetime.date]:
    """Parse "2025-05, 2025-11" into month starts; raise ValidationError on anything else."""
    months = []
    for part in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
        match = _MONTH.match(part)
        if not match or not 1 <= int(match[2]) <= 12:
            raise forms.ValidationError(
                f"“{part}” is not a month. Write months as year-month, for example 2025-05."
            )
        months.append(datetime.date(int(match[1]), int(match[2]), 1))
    return sorted(set(months))


class TrendFilterForm(NHSFormMixin, forms.Form):
    def clean_rebase(self):
        return parse_months(self.cleaned_data.get("rebase") or "")

    def clean(self):
        cleaned = super().clean()
        ward, division = cleaned.get("ward"), cleaned.get("division")
        if ward and division and ward.division_id != division.pk:
            self.add_error("ward", f"{ward.name} is not in {division.name}. Choose a ward in that division.")
        first, last = cleaned.get("start"), cleaned.get("end")
        if "start" in self.errors or "end" in self.errors:
            return cleaned
        default_first, default_last = default_range()
        if not first and not last:
            first, last = default_first, default_last
        elif not first:
            first = default_range(last)[0]
        elif not last:
            last = max(default_last, first)
        if first > last:
            self.add_error("end", "The end date must be the same as or after the start date.")
        elif (last - first).days > 366 * MAX_YEARS:
            self.add_error("start", f"Choose a range of {MAX_YEARS} years or less.")
        # Kept off cleaned_data: django-filter applies every cleaned value as a filter.
        self.range = (first, last)
        return cleaned


class TrendFilter(django_filters.FilterSet):
    ward = django_filters.ModelChoiceFilter(
        queryset=_wards, empty_label="All your wards", method="only_ward", label="Ward"
    )
    division = django_filters.ModelChoiceFilter(queryset=_divisions, empty_label="All divisions")
    start = django_filters.DateFilter(
        label="From", widget=DateInput(attrs={"class": "nhsuk-input--width-10"}), method="keep"
    )
    end = django_filters.DateFilter(
        label="To", widget=DateInput(attrs={"class": "nhsuk-input--width-10"}), method="keep"
    )
    group = django_filters.ChoiceFilter(
        label="Type of restrictive intervention",
        choices=InterventionGroup.choices,
        empty_label="All types",
        method="keep",
    )
    rebase = django_filters.CharFilter(
        label="Start new limits from",
        help_text="Months, for example 2025-05 (separate several with commas).",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-20"}),
        method="keep",
    )
    rebase_at_events = django_filters.BooleanFilter(
        label="Start new limits after each recorded event, such as a blanket rule being lifted",
        widget=forms.CheckboxInput(),
        method="keep",
    )

    class Meta:
        model = Ward
        fields = ["ward", "division"]
        form = TrendFilterForm

    def only_ward(self, queryset, name, value):
        return queryset.filter(pk=value.pk)

    def keep(self, queryset, name, value):
        """Leave the wards alone: these fields shape the charts, not which wards are shown."""
        return queryset

    @property
    def options(self) -> dict:
        """The validated chart options; call after is_valid()."""
        data = self.form.cleaned_data
        first, last = self.form.range
        return {
            "first": first,
            "last": last,
            "group": data.get("group") or "",
            "rebase": data.get("rebase") or [],
            "rebase_at_events": bool(data.get("rebase_at_events")),
        }


def trend_filter(request, data=None) -> TrendFilter:
    """Bind the filter to the wards `request.user` may see."""
    return TrendFilter(
        data if data is not None else request.GET, queryset=_trend_wards(request.user), request=request
    )


class TargetForm(NHSFormMixin, forms.Form):
    target_rate = forms.DecimalField(
        label="Target: restrictive interventions per 1,000 occupied bed days",
        help_text="Drawn as a red line on the ward's chart. Leave blank for no target.",
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=2,
    )
