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


def test_an_spc_chart_draws_each_rebased_period_apart_and_every_point_once():
    import pandas as pd

    from rrp import spc

    months = pd.date_range("2023-01-01", periods=30, freq="MS")
    values = pd.Series([10.0, 12, 9, 11] * 3 + [3.0, 4, 2, 3, 4, 3] * 3, index=months)
    values.iloc[20] = 40
    chart = spc.xmr(values, rebase=[months[12], months[24]])
    figure = figures.spc_figure("Willow", chart, events=[], target=None)
    traces = {trace["name"]: trace for trace in figure["data"]}

    mean = traces["Mean"]
    assert mean["x"].count(None) == 3  # three periods, each ended by a gap
    assert mean["x"][12] is None and mean["x"][:12] == traces["Rate"]["x"][:12]
    assert mean["y"][:12] == [round(chart["mean"].iloc[0], 3)] * 12
    assert mean["y"][13] == round(chart["mean"].iloc[12], 3) != mean["y"][0]

    marked = {}
    for kind, (_symbol, label) in figures.POINT_STYLES.items():
        for x, y in zip(traces.get(label, {}).get("x", []), traces.get(label, {}).get("y", []), strict=True):
            marked[x] = (kind, y)
    assert sorted(marked) == traces["Rate"]["x"]
    for i, x in enumerate(traces["Rate"]["x"]):
        assert marked[x] == (chart["point_type"].iloc[i], traces["Rate"]["y"][i])
    assert marked[months[20].strftime("%Y-%m-%d")][0] == "special_cause_concern"
    _check(figure)
