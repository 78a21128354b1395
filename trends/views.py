"""Trend pages and their CSV downloads: all scoped by trends.permissions.wards_for_trends."""

import csv

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from rrp import permissions
from trends import annual, dashboard, equality, services
from trends.filters import TargetForm, default_options, trend_filter
from trends.permissions import may_see_trends, wards_for_trends
from trends.sections import period_text, ward_list


def _require_trends(request):
    """404 for anyone who may not see any ward's trends (the page's existence is not secret,
    but there is nothing in it for them)."""
    if not may_see_trends(request.user):
        raise Http404


def _csv_response(filename: str, rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerows([[_safe_cell(cell) for cell in row] for row in rows])
    return response


def _safe_cell(value):
    """Stop free text (a place typed as "=HYPERLINK(...)") from running as a spreadsheet formula."""
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            float(text.replace(",", ""))
        except ValueError:
            return "'" + text
    return text


def _bad_filter(f) -> HttpResponse:
    reasons = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in f.form.errors.items())
    return HttpResponse(
        f"The filter is not valid. {reasons}", status=400, content_type="text/plain; charset=utf-8"
    )


@require_GET
def dashboard_page(request):
    _require_trends(request)
    f = trend_filter(request)
    if not f.is_valid():
        context = {"filter": f, "form": f.form, "invalid": True}
        return render(request, "trends/dashboard.html", context, status=400)
    options = f.options
    wards = list(f.qs)
    built = dashboard.build(wards, options)
    permissions.prefetch(request.user, wards)
    for section in built["rates"]:
        section.extra["can_set_target"] = permissions.has(request.user, "change", section.extra["ward"])
    return render(
        request,
        "trends/dashboard.html",
        {
            "filter": f,
            "form": f.form,
            "wards": wards,
            "wards_text": ward_list([w.name for w in wards]) or "no wards",
            "period": period_text(built["scope"]),
            "rates": built["rates"],
            "sections": built["sections"],
            "query": request.GET.urlencode(),
        },
    )


@require_GET
def dashboard_csv(request, section):
    _require_trends(request)
    if section not in dashboard.SECTION_KEYS:
        raise Http404
    f = trend_filter(request)
    if not f.is_valid():
        return _bad_filter(f)
    options = f.options
    built = dashboard.build(list(f.qs), options, only=section)
    found = built["rates"] if section == "rate" else built["sections"]
    tables = [s.table for s in found if s.table]
    if not tables:
        raise Http404("No numbers to download for this section.")
    rows = [tables[0].columns]
    for table in tables:
        rows += table.rows
    return _csv_response(f"restrictive-practice-{section}-{options['first']}-to-{options['last']}.csv", rows)


def _equality(request):
    _require_trends(request)
    f = trend_filter(request)
    if not f.is_valid():
        return f, None, None
    options = f.options
    wards = list(f.qs)
    scope = dashboard.scope_for(wards, options)
    return f, wards, (scope, equality.build(scope))


@require_GET
def equality_page(request):
    f, wards, built = _equality(request)
    if built is None:
        return render(
            request, "trends/equality.html", {"filter": f, "form": f.form, "invalid": True}, status=400
        )
    scope, found = built
    return render(
        request,
        "trends/equality.html",
        {
            "filter": f,
            "form": f.form,
            "sections": found,
            "wards_text": ward_list([w.name for w in wards]) or "no wards",
            "period": period_text(scope),
            "query": request.GET.urlencode(),
        },
    )


@require_GET
def equality_csv(request):
    f, _wards, built = _equality(request)
    if built is None:
        return _bad_filter(f)
    scope, found = built
    rows = [["Characteristic", *equality.COLUMNS]]
    for section in found:
        rows += [[section.title, *row] for row in section.table.rows]
    return _csv_response(f"restrictive-practice-equality-{scope.first}-to-{scope.last}.csv", rows)


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label="Year", coerce=int, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [(y, str(y)) for y in range(this_year, annual.FIRST_YEAR - 1, -1)]
        self.fields["year"].widget.attrs["class"] = "nhsuk-select"


def _annual(request):
    _require_trends(request)
    data = request.GET.copy()
    data.setdefault("year", str(timezone.localdate().year - 1))
    year_form = YearForm(data)
    f = trend_filter(request, data={k: v for k, v in data.items() if k in ("ward", "division")})
    if not (year_form.is_valid() and f.is_valid()):
        return year_form, f, None
    wards = list(f.qs)
    year = year_form.cleaned_data["year"]
    scope = annual.scope_for_year([w.pk for w in wards], year, timezone.localdate())
    return year_form, f, {"year": year, "wards": wards, "result": annual.build(scope)}


@require_GET
def annual_page(request):
    year_form, f, built = _annual(request)
    context = {"year_form": year_form, "filter": f, "form": f.form}
    if built is None:
        return render(request, "trends/annual.html", {**context, "invalid": True}, status=400)
    return render(
        request,
        "trends/annual.html",
        {
            **context,
            **built,
            "wards_text": ward_list([w.name for w in built["wards"]]) or "no wards",
            "query": request.GET.urlencode(),
        },
    )


@require_GET
def annual_csv(request):
    year_form, f, built = _annual(request)
    if built is None:
        errors = {**year_form.errors, **f.form.errors}
        reasons = "; ".join(f"{name}: {' '.join(e)}" for name, e in errors.items())
        return HttpResponse(
            f"The filter is not valid. {reasons}", status=400, content_type="text/plain; charset=utf-8"
        )
    return _csv_response(
        f"use-of-force-statistics-{built['year']}.csv", annual.csv_rows(built["year"], built["result"])
    )


@require_http_methods(["GET", "POST"])
def target_edit(request, pk):
    """A ward manager sets the target line of their ward's chart (for example 25% below the mean)."""
    ward = permissions.get_or_404(request.user, wards_for_trends(request.user), pk, "change")
    form = TargetForm(request.POST or None, initial={"target_rate": ward.target_rate})
    if request.method == "POST" and form.is_valid():
        services.ward_target_set(ward=ward, target_rate=form.cleaned_data["target_rate"], by=request.user)
        if ward.target_rate is None:
            messages.success(request, f"{ward.name} no longer has a target line.")
        else:
            messages.success(request, f"{ward.name}'s target is now {ward.target_rate} per 1,000 bed days.")
        return redirect(f"{reverse('trends:dashboard')}?ward={ward.pk}")
    rate = dashboard.build([ward], default_options(), only="rate")["rates"][0]
    series = rate.extra["series"].dropna(subset=["rate"]).tail(12)
    mean = float(series["rate"].mean()) if len(series) else None
    return render(
        request,
        "trends/target_form.html",
        {
            "ward": ward,
            "form": form,
            "mean": None if mean is None else round(mean, 1),
            "suggestion": None if mean is None else round(0.75 * mean, 1),
            "months": len(series),
        },
    )
