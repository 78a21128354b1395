"""Every chart is valid plotly JSON: the figures are written as plain dictionaries for speed, so
plotly's own schema checks them here instead of on every page."""

import datetime
import json

import plotly.graph_objects as go
import pytest

from trends import dashboard, equality, figures, stats
from trends.filters import default_options

from .conftest import at, incident, patient

pytestmark = pytest.mark.django_db


def _check(figure):
    json.dumps(figure)  # no numpy numbers or dates left in
    go.Figure(figure)  # raises ValueError on any property plotly does not know


def test_every_dashboard_and_equality_chart_is_valid_plotly(willow, oak):
    person = patient(willow, at(2025, 1, 1), at(2025, 6, 30), sex="female")
    other = patient(oak, at(2025, 1, 1), at(2025, 6, 30))
    for month in (1, 2, 3, 4, 5):
        incident(willow, person, at(2025, month, 3, 9), (("01", 12), ("14", 1)))
        incident(oak, other, at(2025, month, 9, 22), (("05", 300),))
    options = default_options(datetime.date(2025, 1, 1), datetime.date(2025, 6, 30))
    built = dashboard.build([willow, oak], options)
    charts = [s.figure for s in built["rates"] + built["sections"] if s.figure]
    scope = stats.Scope([willow.pk, oak.pk], options["first"], options["last"])
    charts += [s.figure for s in equality.build(scope) if getattr(s, "figure", None)]
    assert len(charts) >= 10
    for figure in charts:
        _check(figure)


def test_the_figure_helpers_make_valid_plotly():
    _check(figures.bar_figure(["Lounge", "Garden"], [3, 1], x_title="Incidents"))
    _check(figures.heatmap_figure(["00:00 to 03:59"], ["Monday"], [[2]]))
    _check(figures.ratio_figure(["Black or Black British", "White"], [2.5, 0.8]))
    _check(figures.line_figure(["2025-01-01"], {"Incidents": [1]}, y_title="Number", kind="stack"))


def test_merging_layouts_keeps_what_both_sides_set():
    figure = figures.line_figure(["2025-01-01"], {"A": [1]}, y_title="Number")
    assert figure["layout"]["xaxis"] == {"title": {"text": ""}, "tickformat": "%b %Y"}
    assert figure["layout"]["yaxis"]["title"] == {"text": "Number"}
