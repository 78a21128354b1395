"""API for the trends: the same aggregated series as the pages, scoped by wards_for_trends."""

import math

import pandas as pd
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.response import Response

from incidents.codes import InterventionGroup
from trends import annual, dashboard, equality, serializers
from trends.filters import trend_filter
from trends.permissions import may_see_trends
from trends.views import YearForm

FILTER_PARAMETERS = [
    OpenApiParameter("ward", OpenApiTypes.INT, description="One of your wards"),
    OpenApiParameter("division", OpenApiTypes.INT, description="A division of your wards"),
    OpenApiParameter("start", OpenApiTypes.DATE, description="First day (default: 24 months ago)"),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Last day (default: today)"),
    OpenApiParameter("group", OpenApiTypes.STR, enum=InterventionGroup.values),
]
RATE_PARAMETERS = [
    *FILTER_PARAMETERS,
    OpenApiParameter(
        "rebase", OpenApiTypes.STR, description="Months starting new limits, e.g. 2025-05,2025-11"
    ),
    OpenApiParameter("rebase_at_events", OpenApiTypes.BOOL, description="New limits after each event"),
]


def _filtered(request):
    if not may_see_trends(request.user):
        raise exceptions.NotFound("Not found.")
    f = trend_filter(request)
    if not f.is_valid():
        raise exceptions.ValidationError(f.form.errors)
    return list(f.qs), f.options


def _number(value):
    return (
        None if value is None or (isinstance(value, float) and math.isnan(value)) else round(float(value), 4)
    )


def _table(section) -> dict:
    return {
        "key": section.key,
        "title": section.title,
        "summary": section.summary,
        "columns": section.table.columns,
        "rows": section.table.rows,
    }


class TrendRatesViewSet(viewsets.ViewSet):
    """Restrictive interventions per 1,000 occupied bed days, per ward and month, with XmR limits."""

    @extend_schema(parameters=RATE_PARAMETERS, responses=serializers.RatesSerializer)
    def list(self, request):
        wards, options = _filtered(request)
        built = dashboard.build(wards, options, only="rate")
        results, summaries = [], []
        for section in built["rates"]:
            ward, chart = section.extra["ward"], section.extra["chart"]
            summary = section.extra.get("summary") or {}
            summaries.append(
                {
                    "ward": ward.pk,
                    "ward_name": ward.name,
                    "summary": section.summary,
                    "variation": summary.get("variation"),
                    "assurance": summary.get("assurance"),
                    "target": _number(ward.target_rate),
                    "trial_limits": bool(summary.get("trial_limits")),
                    "events": [{**e, "date": e["date"].isoformat()} for e in section.extra["events"]],
                }
            )
            for month, days, n, rate in section.extra["series"].itertuples(index=False):
                point = None
                if chart is not None and days:
                    point = chart.loc[pd.Timestamp(month)]
                results.append(
                    {
                        "ward": ward.pk,
                        "ward_name": ward.name,
                        "month": month,
                        "bed_days": days,
                        "interventions": n,
                        "rate": _number(rate),
                        "mean": _number(point["mean"]) if point is not None else None,
                        "lower_process_limit": _number(point["lpl"]) if point is not None else None,
                        "upper_process_limit": _number(point["upl"]) if point is not None else None,
                        "rule": point["rule"] if point is not None else None,
                        "point_type": point["point_type"] if point is not None else None,
                    }
                )
        data = {
            "start": options["first"],
            "end": options["last"],
            "group": options["group"],
            "wards": summaries,
            "results": results,
        }
        return Response(serializers.RatesSerializer(data).data)


class TrendEqualityViewSet(viewsets.ViewSet):
    """Interventions per protected characteristic group against its share of bed days."""

    @extend_schema(parameters=FILTER_PARAMETERS, responses=serializers.EqualitySerializer)
    def list(self, request):
        wards, options = _filtered(request)
        scope = dashboard.scope_for(wards, options)
        data = {
            "start": scope.first,
            "end": scope.last,
            "characteristics": [_table(s) for s in equality.build(scope)],
        }
        return Response(serializers.EqualitySerializer(data).data)


class AnnualStatisticsViewSet(viewsets.ViewSet):
    """Mental Health Units (Use of Force) Act 2018 statistics for a calendar year."""

    @extend_schema(
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT, description="Calendar year (default: last year)"),
            *FILTER_PARAMETERS[:2],
        ],
        responses=serializers.AnnualStatisticsSerializer,
    )
    def list(self, request):
        if not may_see_trends(request.user):
            raise exceptions.NotFound("Not found.")
        today = timezone.localdate()
        year_form = YearForm({"year": request.query_params.get("year", str(today.year - 1))})
        f = trend_filter(
            request, data={k: v for k, v in request.query_params.items() if k in ("ward", "division")}
        )
        if not (year_form.is_valid() and f.is_valid()):
            raise exceptions.ValidationError({**year_form.errors, **f.form.errors})
        year = year_form.cleaned_data["year"]
        result = annual.build(annual.scope_for_year([w.pk for w in f.qs], year, today))
        data = {
            "year": year,
            "uses_of_force": result["total_text"],
            "breakdowns": [_table(s) for s in result["sections"]],
        }
        return Response(serializers.AnnualStatisticsSerializer(data).data)
