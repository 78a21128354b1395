"""Plotly figures, built in Python and handed to the page as JSON (drawn by static/trends/charts.js).

Signals are never shown by colour alone: each point type has its own marker shape too, and every
chart sits next to a text summary and a table of the same numbers.

The figures are plain plotly JSON (`{"data": [...], "layout": {...}}`) written as dictionaries:
building them through `plotly.graph_objects` validated every property on every call, which cost
about 80 ms a chart and most of the dashboard's time at a division's ten wards
(benchmarks/README.md). The tests check every figure against plotly's own schema instead.
"""

import pandas as pd

from rrp import spc

FONT = "Frutiger W01, Arial, sans-serif"
NHS_BLUE, DARK_GREY, MID_GREY = "#005eb8", "#425563", "#768692"
SERIES_COLOURS = [NHS_BLUE, "#ed8b00", "#330072", "#007f3b", "#ae2573", "#00a499", DARK_GREY]

POINT_STYLES = {
    "common_cause": ("circle", "Common cause"),
    "special_cause_improvement": ("diamond", "Special cause improvement"),
    "special_cause_concern": ("square", "Special cause concern"),
    "special_cause_neutral_high": ("triangle-up", "Special cause (neither), higher"),
    "special_cause_neutral_low": ("triangle-down", "Special cause (neither), lower"),
}


def _merge(base: dict, extra: dict) -> dict:
    """Merge `extra` into `base` as plotly's update_layout does: nested dictionaries key by key."""
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
    return base


def _figure(traces: list[dict], *, y_title: str = "", x_title: str = "", height: int = 360, **extra) -> dict:
    layout = {
        "font": {"family": FONT, "size": 14, "color": "#212b32"},
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 30, "b": 60},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "legend": {"orientation": "h", "y": -0.2},
        "yaxis": {"title": {"text": y_title}, "gridcolor": "#e8edee", "rangemode": "tozero"},
        "xaxis": {"title": {"text": x_title}},
    }
    return {"data": traces, "layout": _merge(layout, extra)}


def _segments(chart: pd.DataFrame, x: list[str], column: str) -> tuple[list, list]:
    """x and y of a line drawn per rebase group, with a gap between groups."""
    xs, ys = [], []
    groups, values = chart["group"].tolist(), chart[column].tolist()
    for group in sorted({g for g in groups if not pd.isna(g)}):
        for position, (g, v) in enumerate(zip(groups, values, strict=True)):
            if g == group:
                xs.append(x[position])
                ys.append(None if pd.isna(v) else round(float(v), 3))
        xs.append(None)
        ys.append(None)
    return xs, ys


def spc_figure(name: str, chart: pd.DataFrame, *, events: list[dict], target: float | None) -> dict:
    """An XmR chart in the Making Data Count style: grey line, coloured and shaped signal points."""
    # Plain lists, read once: a frame filtered per kind of point cost more than the rest of the chart.
    x = [t.strftime("%Y-%m-%d") for t in chart.index]
    y = [round(float(v), 3) for v in chart["value"].tolist()]
    kinds = chart["point_type"].tolist()
    traces = [
        {
            "type": "scatter",
            "x": x,
            "y": y,
            "mode": "lines",
            "name": "Rate",
            "line": {"color": spc.COLOURS["common_cause"], "width": 2},
            "hoverinfo": "skip",
            "showlegend": False,
        }
    ]
    for kind, (symbol, label) in POINT_STYLES.items():
        part = [i for i, k in enumerate(kinds) if k == kind]
        if not part:
            continue
        traces.append(
            {
                "type": "scatter",
                "x": [x[i] for i in part],
                "y": [y[i] for i in part],
                "mode": "markers",
                "name": label,
                "marker": {
                    "color": spc.COLOURS[kind],
                    "symbol": symbol,
                    "size": 10,
                    "line": {"color": "#212b32", "width": 1},
                },
                "hovertemplate": "%{x|%B %Y}: %{y:.1f} per 1,000 bed days<extra>" + label + "</extra>",
            }
        )
    for column, label, dash in (
        ("mean", "Mean", "solid"),
        ("upl", "Upper process limit", "dash"),
        ("lpl", "Lower process limit", "dash"),
    ):
        xs, ys = _segments(chart, x, column)
        traces.append(
            {
                "type": "scatter",
                "x": xs,
                "y": ys,
                "mode": "lines",
                "name": label,
                "hoverinfo": "skip",
                "line": {"color": DARK_GREY if column == "mean" else MID_GREY, "dash": dash, "width": 1.5},
            }
        )
    if target is not None:
        traces.append(
            {
                "type": "scatter",
                "x": [x[0], x[-1]],
                "y": [target, target],
                "mode": "lines",
                "name": "Target",
                "line": {"color": spc.COLOURS["target"], "dash": "dot", "width": 2},
                "hoverinfo": "skip",
            }
        )
    shapes, notes = [], []
    for event in events:
        day = event["date"].isoformat()
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": day,
                "x1": day,
                "y0": 0,
                "y1": 1,
                "line": {"color": "#212b32", "dash": "dashdot", "width": 1},
            }
        )
        notes.append(
            {
                "x": day,
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "text": event["label"],
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "top",
                "font": {"size": 12},
                "bgcolor": "rgba(255,255,255,0.8)",
            }
        )
    return _figure(
        traces,
        y_title="Per 1,000 occupied bed days",
        shapes=shapes,
        annotations=notes,
        title={"text": name, "x": 0},
    )


def line_figure(
    x, series: dict, *, y_title: str, kind: str = "line", shape: str = "linear", x_is_date=True
) -> dict:
    traces = []
    for i, (label, ys) in enumerate(series.items()):
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        if kind in ("bar", "stack"):
            traces.append({"type": "bar", "x": x, "y": ys, "name": label, "marker": {"color": colour}})
        else:
            traces.append(
                {
                    "type": "scatter",
                    "x": x,
                    "y": ys,
                    "name": label,
                    "mode": "lines+markers",
                    "line": {"color": colour, "shape": shape},
                    "marker": {"symbol": ["circle", "square", "diamond", "triangle-up"][i % 4]},
                }
            )
    extra = {"xaxis": {"tickformat": "%b %Y"}} if x_is_date else {}
    return _figure(traces, y_title=y_title, barmode="stack" if kind == "stack" else "group", **extra)


def _bars(labels: list[str], values: list, **trace) -> dict:
    return {
        "type": "bar",
        "x": values,
        "y": labels,
        "orientation": "h",
        "marker": {"color": NHS_BLUE},
        **trace,
    }


SIDEWAYS = {
    "margin": {"l": 260, "r": 20, "t": 20, "b": 50},
    "yaxis": {"autorange": "reversed", "rangemode": "normal"},
}


def bar_figure(labels: list[str], values: list[int], *, x_title: str) -> dict:
    return _figure(
        [_bars(labels, values)], x_title=x_title, height=max(240, 60 + 32 * len(labels)), **SIDEWAYS
    )


def heatmap_figure(x_labels: list[str], y_labels: list[str], grid: list[list[int]]) -> dict:
    trace = {
        "type": "heatmap",
        "z": grid,
        "x": x_labels,
        "y": y_labels,
        "colorscale": [[0, "#f0f4f5"], [1, NHS_BLUE]],
        "text": grid,
        "texttemplate": "%{text}",
        "hovertemplate": "%{y}, %{x}: %{z} incidents<extra></extra>",
    }
    return _figure([trace], height=380, yaxis={"autorange": "reversed", "rangemode": "normal"})


def ratio_figure(labels: list[str], ratios: list[float]) -> dict:
    """Disproportionality ratios as bars, with the line of proportionality at 1."""
    one = {
        "type": "line",
        "xref": "x",
        "yref": "paper",
        "x0": 1,
        "x1": 1,
        "y0": 0,
        "y1": 1,
        "line": {"color": "#212b32", "dash": "dash"},
    }
    return _figure(
        [_bars(labels, ratios, name="Ratio")],
        x_title="Share of interventions ÷ share of bed days",
        height=max(240, 60 + 32 * len(labels)),
        shapes=[one],
        **SIDEWAYS,
    )
