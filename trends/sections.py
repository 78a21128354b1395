"""Sections of the trends dashboard: each is a chart, a one-sentence summary and the same numbers
as a table (which is also the CSV download).

Every builder takes the numbers already aggregated by `trends.stats` and only arranges them.
"""

import datetime
import html
from dataclasses import dataclass, field

import pandas as pd
from django.utils.formats import localize
from django.utils.safestring import mark_safe

from incidents.codes import Harm, InterventionGroup, Reason
from rrp import spc
from trends import stats
from trends.figures import bar_figure, heatmap_figure, line_figure, spc_figure


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list]

    def body_html(self) -> str:
        """The rows as HTML, each one's first cell its header: written here rather than in
        trends/_table.html because a dashboard's tables run to thousands of cells, and a template
        loop over them was a fifth of the page's time (format_html per cell, half of that)."""
        rows = []
        for first, *rest in self.rows:
            header = f'<th scope="row" class="nhsuk-table__header">{_cell(first)}</th>'
            cells = "".join(f'<td class="nhsuk-table__cell">{_cell(value)}</td>' for value in rest)
            rows.append(f'<tr class="nhsuk-table__row">{header}{cells}</tr>')
        return mark_safe("".join(rows))  # noqa: S308 (every cell is escaped by _cell)

    def html(self) -> str:
        """The whole table as trends/_table.html wrote it (an include per table cost the annual
        statistics page's ten tables about as much as their rows)."""
        head = "".join(
            f'<th scope="col" class="nhsuk-table__header">{_cell(column)}</th>' for column in self.columns
        )
        return mark_safe(  # noqa: S308 (every cell, column and the caption are escaped by _cell)
            '<div class="rrp-table-scroll">\n<table class="nhsuk-table">\n'
            f'  <caption class="nhsuk-table__caption nhsuk-u-font-size-19">{_cell(self.caption)}</caption>\n'
            f'  <thead class="nhsuk-table__head"><tr>{head}</tr></thead>\n'
            f'  <tbody class="nhsuk-table__body">\n  {self.body_html()}\n  </tbody>\n</table>\n</div>\n'
        )


def _cell(value) -> str:
    """`{{ value }}`: localized, and escaped unless already safe HTML."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(localize(value)))


@dataclass
class Section:
    key: str
    title: str
    summary: str
    table: Table | None = None
    figure: dict | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def chart_id(self) -> str:
        return f"chart-{self.key}"


def month_label(month: datetime.date) -> str:
    return month.strftime("%B %Y")


def number(value, places: int = 1) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "no data"
    return f"{value:,.{places}f}"


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "no data"


def share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def ward_list(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def period_text(scope: stats.Scope) -> str:
    return f"from {scope.first:%-d %B %Y} to {scope.last:%-d %B %Y}"


# Rates per 1,000 occupied bed days, as XmR charts ---------------------------------------------


def rate_series(ward, months, bed_days: dict, counts: dict) -> pd.DataFrame:
    """One row per month: bed days, interventions and the rate (NaN where there are no bed days)."""
    rows = []
    for month in months:
        days = bed_days.get((ward.pk, month), 0)
        n = counts.get((ward.pk, month), 0)
        rows.append(
            {"month": month, "bed_days": days, "interventions": n, "rate": 1000 * n / days if days else None}
        )
    return pd.DataFrame(rows, columns=["month", "bed_days", "interventions", "rate"])


def rebase_months(series: pd.DataFrame, requested: list, events: list[dict], at_events: bool) -> list:
    """The charted months that start new limits: those asked for, and after each event if asked."""
    wanted = set(requested)
    if at_events:
        for event in events:
            day = event["date"]
            # A change part-way through a month starts new limits with the first whole month after it.
            month = (
                day.replace(day=1)
                if day.day == 1
                else (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
            )
            wanted.add(month)
    charted = series.dropna(subset=["rate"])["month"].tolist()
    return sorted(m for m in wanted if m in charted and m != charted[0])


def spc_section(
    ward, series: pd.DataFrame, *, improvement="decrease", rebase=(), events=(), group_label=""
) -> Section:
    """The XmR chart of one ward's monthly rate, with its summary and table."""
    what = f"{group_label.lower()} " if group_label else ""
    charted = series.dropna(subset=["rate"])
    target = float(ward.target_rate) if ward.target_rate is not None else None
    key = f"rate-{ward.pk}"
    title = f"{ward.name}: restrictive interventions per 1,000 occupied bed days"
    if charted.empty:
        return Section(
            key,
            title,
            f"{ward.name}: no occupied bed days were recorded in this period, so no rate can be shown.",
            table=_rate_table(ward, series, None, events),
            extra={"ward": ward, "events": list(events), "icons": [], "series": series, "chart": None},
        )
    values = pd.Series(charted["rate"].to_numpy(), index=pd.DatetimeIndex(pd.to_datetime(charted["month"])))
    chart = spc.xmr(values, improvement=improvement, rebase=[pd.Timestamp(m) for m in rebase], target=target)
    summary = chart.attrs["summary"]
    last_month = charted["month"].iloc[-1]
    sentence = (
        f"{ward.name}: {number(summary['last_value'])} {what}per 1,000 bed days in {month_label(last_month)}"
    )
    since = _signal_start(chart)
    if summary["variation"] == "common_cause":
        sentence += ", common cause variation (no sign of change)"
    else:
        kind = {
            "special_cause_improvement": "special cause improvement",
            "special_cause_concern": "special cause concern",
        }.get(summary["variation"], "special cause variation")
        sentence += f", {kind} since {month_label(since)}"
    if summary["assurance"]:
        sentence += f"; against the target of {number(target)}: " + summary["assurance_label"].lower()
    sentence += "."
    icons = [_variation_icon(summary["variation"], summary["variation_label"])]
    if summary["assurance"] or summary["assurance_label"]:
        icons.append(_assurance_icon(summary["assurance"], summary["assurance_label"], target))
    return Section(
        key,
        title,
        sentence,
        table=_rate_table(ward, series, chart, events),
        figure=spc_figure(ward.name, chart, events=list(events), target=target),
        note=summary["trial_limits_message"] or "",
        extra={
            "ward": ward,
            "events": list(events),
            "icons": icons,
            "summary": summary,
            "series": series,
            "chart": chart,
        },
    )


def _signal_start(chart: pd.DataFrame) -> datetime.date:
    """The first month of the run of points, ending at the last, that share its point type."""
    kinds = chart["point_type"].tolist()
    i = len(kinds) - 1
    while i > 0 and kinds[i - 1] == kinds[-1]:
        i -= 1
    return chart.index[i].date()


_VARIATION_SHAPES = {
    "common_cause": ("circle", "Common cause"),
    "special_cause_improvement": ("down", "Improvement"),
    "special_cause_concern": ("up", "Concern"),
    "special_cause_neutral_high": ("up", "Neither (higher)"),
    "special_cause_neutral_low": ("down", "Neither (lower)"),
}


def _variation_icon(kind: str, label: str) -> dict:
    shape, short = _VARIATION_SHAPES[kind]
    return {
        "kind": "variation",
        "code": kind,
        "shape": shape,
        "short": short,
        "label": label,
        "colour": spc.COLOURS[kind],
    }


def _assurance_icon(code, label: str, target) -> dict:
    shapes = {
        "pass": ("tick", "Passing"),
        "fail": ("cross", "Failing"),
        "inconsistent": ("question", "Hit and miss"),
    }
    shape, short = shapes.get(code, ("question", "No assurance"))
    colours = {"pass": spc.COLOURS["special_cause_improvement"], "fail": spc.COLOURS["special_cause_concern"]}
    return {
        "kind": "assurance",
        "code": code or "none",
        "shape": shape,
        "short": short,
        "label": f"{label} (target {number(target)})",
        "colour": colours.get(code, "#4c6272"),
    }


RATE_COLUMNS = [
    "Ward",
    "Month",
    "Occupied bed days",
    "Restrictive interventions",
    "Rate per 1,000 bed days",
    "Mean",
    "Lower process limit",
    "Upper process limit",
    "Signal",
    "Events",
]


def _rate_table(ward, series: pd.DataFrame, chart: pd.DataFrame | None, events=()) -> Table:
    rows = []
    # The chart's columns as plain lists, read once: a .loc per row was most of this table's time.
    positions, columns = {}, {}
    if chart is not None:
        positions = {period: i for i, period in enumerate(chart.index)}
        columns = {c: chart[c].tolist() for c in ("point_type", "rule", "mean", "lpl", "upl")}
    for month, days, n, rate in zip(*(series[c].tolist() for c in series.columns), strict=True):
        happened = "; ".join(
            f"{e['date']:%-d %B}: {e['label']}" for e in events if e["date"].replace(day=1) == month
        )
        point = None
        if chart is not None and rate is not None and not pd.isna(rate):
            i = positions[pd.Timestamp(month)]
            point = {c: values[i] for c, values in columns.items()}
        if not days:
            rows.append([ward.name, month_label(month), "0", str(n), "no data", "", "", "", "", happened])
            continue
        signal = ""
        if point is not None:
            signal = spc.variation_label(point["point_type"], "decrease")
            if point["rule"] != spc.COMMON_CAUSE:
                signal += f" ({spc.rule_label(point['rule']).lower()})"
        rows.append(
            [
                ward.name,
                month_label(month),
                f"{days:,}",
                str(n),
                number(rate),
                *(number(point[c], 2) if point is not None else "" for c in ("mean", "lpl", "upl")),
                signal,
                happened,
            ]
        )
    return Table(f"{ward.name}: monthly rate and process limits", RATE_COLUMNS, rows)


# Counts over the whole range --------------------------------------------------------------------


def incidents_section(
    scope, monthly_incidents: pd.DataFrame, monthly: pd.DataFrame, totals: dict, wards_text
) -> Section:
    by_month = monthly_incidents.set_index("month") if len(monthly_incidents) else pd.DataFrame()
    per_month = monthly.groupby("month")["n"].sum() if len(monthly) else pd.Series(dtype="int64")
    rows, x, inc, ppl = [], [], [], []
    for month in scope.months:
        i = int(by_month.loc[month, "incidents"]) if month in by_month.index else 0
        p = int(by_month.loc[month, "people"]) if month in by_month.index else 0
        n = int(per_month.get(month, 0))
        rows.append([month_label(month), str(i), str(p), str(n)])
        x.append(month.isoformat())
        inc.append(i)
        ppl.append(p)
    total_interventions = int(monthly["n"].sum()) if len(monthly) else 0
    summary = (
        f"{totals['incidents']:,} incidents, involving {totals['people']:,} "
        f"{'person' if totals['people'] == 1 else 'people'}, with {total_interventions:,} restrictive "
        f"interventions on {wards_text} {period_text(scope)}."
    )
    return Section(
        "incidents",
        "Incidents and people subject to restrictive interventions",
        summary,
        Table(
            "Incidents, people and interventions by month",
            ["Month", "Incidents", "People", "Interventions"],
            rows,
        ),
        line_figure(x, {"Incidents": inc, "People": ppl}, y_title="Number", kind="bar"),
    )


def groups_section(scope, monthly: pd.DataFrame) -> Section:
    groups = list(InterventionGroup)
    table = (
        monthly.pivot_table(index="month", columns="group", values="n", aggfunc="sum", fill_value=0)
        if len(monthly)
        else pd.DataFrame()
    )
    rows, series = [], {g.label: [] for g in groups}
    for month in scope.months:
        counts = [
            int(table.loc[month, g.value]) if month in table.index and g.value in table.columns else 0
            for g in groups
        ]
        rows.append([month_label(month), *map(str, counts), str(sum(counts))])
        for g, n in zip(groups, counts, strict=True):
            series[g.label].append(n)
    totals = {g.label: sum(series[g.label]) for g in groups}
    grand = sum(totals.values())
    if grand:
        top = max(totals, key=totals.get)
        summary = (
            f"{top} was the most used type: {totals[top]:,} of {grand:,} interventions "
            f"({percent(totals[top], grand)})."
        )
    else:
        summary = f"No restrictive interventions were recorded {period_text(scope)}."
    return Section(
        "groups",
        "Restrictive interventions by type",
        summary,
        Table("Interventions by type and month", ["Month", *(g.label for g in groups), "Total"], rows),
        line_figure([m.isoformat() for m in scope.months], series, y_title="Interventions", kind="stack"),
    )


def prone_section(scope, monthly: pd.DataFrame) -> Section:
    physical = monthly[monthly["group"] == InterventionGroup.PHYSICAL] if len(monthly) else monthly
    by_month = (
        physical.groupby("month")[["n", "prone", "prone_long"]].sum() if len(physical) else pd.DataFrame()
    )
    rows, pct, pct_long = [], [], []
    for month in scope.months:
        n, p, pl = (
            (int(by_month.loc[month, c]) for c in ("n", "prone", "prone_long"))
            if month in by_month.index
            else (0, 0, 0)
        )
        rows.append([month_label(month), str(n), str(p), percent(p, n), str(pl), percent(pl, n)])
        pct.append(share(p, n))
        pct_long.append(share(pl, n))
    n, p, pl = (int(physical[c].sum()) if len(physical) else 0 for c in ("n", "prone", "prone_long"))
    if n:
        summary = (
            f"{percent(p, n)} of {n:,} physical restraints were prone (face down), and {percent(pl, n)} "
            f"were prone for over 10 minutes, {period_text(scope)}."
        )
    else:
        summary = f"No physical restraints were recorded {period_text(scope)}."
    return Section(
        "prone",
        "Prone restraint",
        summary,
        Table(
            "Physical restraints that were prone, by month",
            [
                "Month",
                "Physical restraints",
                "Prone",
                "% prone",
                "Prone over 10 minutes",
                "% prone over 10 minutes",
            ],
            rows,
        ),
        line_figure(
            [m.isoformat() for m in scope.months],
            {"% prone": pct, "% prone over 10 minutes": pct_long},
            y_title="% of physical restraints",
        ),
    )


def minutes_section(scope, durations: dict) -> Section:
    total = durations["count"]
    rows = [[band, str(n), percent(n, total)] for band, n in durations["bands"].items()]
    if total:
        summary = (
            f"The median physical restraint lasted {number(durations['median'])} minutes "
            f"(mean {number(durations['mean'])}, longest {durations['longest']}) across {total:,} restraints."
        )
    else:
        summary = f"No physical restraints were recorded {period_text(scope)}."
    return Section(
        "minutes",
        "How long physical restraint lasted",
        summary,
        Table(
            "Physical restraints by national length band", ["Length", "Restraints", "% of restraints"], rows
        ),
        bar_figure([r[0] for r in rows], [int(r[1]) for r in rows], x_title="Restraints"),
        extra={"durations": durations},
    )


def reasons_section(scope, reasons: pd.DataFrame) -> Section:
    labels = dict(Reason.choices)
    total = int(reasons["n"].sum()) if len(reasons) else 0
    rows = [
        [labels.get(code, "Not recorded") if code else "Not recorded", str(int(n)), percent(int(n), total)]
        for code, n in reasons.itertuples(index=False)
    ]
    summary = (
        f"The most common main reason was “{rows[0][0].lower()}”: {rows[0][1]} of {total:,} incidents "
        f"({rows[0][2]})."
        if rows
        else f"No incidents were recorded {period_text(scope)}."
    )
    return Section(
        "reasons",
        "Reasons for using force",
        summary,
        Table("Incidents by main reason", ["Reason", "Incidents", "% of incidents"], rows),
        bar_figure([r[0] for r in rows], [int(r[1]) for r in rows], x_title="Incidents"),
    )


def harm_section(scope, harm: pd.DataFrame) -> Section:
    grades = [*Harm.choices, ("", "Not recorded")]
    total = int(harm["n"].sum()) if len(harm) else 0
    physical = harm.groupby("physical_harm")["n"].sum() if len(harm) else pd.Series(dtype="int64")
    psychological = harm.groupby("psychological_harm")["n"].sum() if len(harm) else pd.Series(dtype="int64")
    rows = [
        [label, str(int(physical.get(code, 0))), str(int(psychological.get(code, 0)))]
        for code, label in grades
    ]
    harmed = int(physical.drop(["none", ""], errors="ignore").sum()) if len(physical) else 0
    hurt = int(psychological.drop(["none", ""], errors="ignore").sum()) if len(psychological) else 0
    summary = (
        f"{harmed:,} of {total:,} incidents caused physical harm and {hurt:,} caused psychological harm "
        f"{period_text(scope)}."
    )
    return Section(
        "harm",
        "Harm",
        summary,
        Table(
            "Incidents by grade of physical and psychological harm",
            ["Harm", "Physical harm", "Psychological harm"],
            rows,
        ),
        line_figure(
            [r[0] for r in rows],
            {"Physical harm": [int(r[1]) for r in rows], "Psychological harm": [int(r[2]) for r in rows]},
            y_title="Incidents",
            kind="bar",
            x_is_date=False,
        ),
    )


def injuries_section(scope, injuries: dict, harm: pd.DataFrame) -> Section:
    n = injuries["interventions"]
    deaths = harm.groupby("death_or_serious_injury")["n"].sum() if len(harm) else pd.Series(dtype="int64")
    rows = [
        [
            "The person was injured",
            "Interventions",
            str(injuries["patient"]),
            percent(injuries["patient"], n),
        ],
        [
            "A member of staff was injured",
            "Interventions",
            str(injuries["staff"]),
            percent(injuries["staff"], n),
        ],
        ["Someone else was injured", "Interventions", str(injuries["other"]), percent(injuries["other"], n)],
        ["The person was seriously injured", "Incidents", str(int(deaths.get("serious_injury", 0))), ""],
        ["The person died", "Incidents", str(int(deaths.get("died", 0))), ""],
    ]
    summary = (
        f"The person was injured in {percent(injuries['patient'], n)} of {n:,} interventions "
        "and a member of staff "
        f"in {percent(injuries['staff'], n)}; {int(deaths.get('serious_injury', 0))} serious injuries and "
        f"{int(deaths.get('died', 0))} deaths were recorded."
        if n
        else f"No restrictive interventions were recorded {period_text(scope)}."
    )
    return Section(
        "injuries",
        "Injuries, serious injury and death",
        summary,
        Table(
            "Injuries during restrictive interventions",
            ["Outcome", "Counted in", "Number", "% of interventions"],
            rows,
        ),
        bar_figure([r[0] for r in rows[:3]], [int(r[2]) for r in rows[:3]], x_title="Interventions"),
    )


def time_section(scope, times: pd.DataFrame) -> Section:
    grid = [[0] * len(stats.TIME_BLOCKS) for _ in stats.DAYS_OF_WEEK]
    for dow, block, n in times.itertuples(index=False):
        grid[int(dow) - 1][int(block)] += int(n)
    rows = [[day, *map(str, counts)] for day, counts in zip(stats.DAYS_OF_WEEK, grid, strict=True)]
    total = sum(map(sum, grid))
    if total:
        d, b = max(((d, b) for d in range(7) for b in range(6)), key=lambda db: grid[db[0]][db[1]])
        summary = (
            f"Incidents were most frequent on {stats.DAYS_OF_WEEK[d]}s between "
            f"{stats.TIME_BLOCKS[b].replace(' to ', ' and ')} "
            f"({grid[d][b]} of {total:,})."
        )
    else:
        summary = f"No incidents were recorded {period_text(scope)}."
    return Section(
        "time",
        "Time of day by day of the week",
        summary,
        Table("Incidents by day of the week and time they started", ["Day", *stats.TIME_BLOCKS], rows),
        heatmap_figure(stats.TIME_BLOCKS, stats.DAYS_OF_WEEK, grid),
    )


def reviews_section(scope, measures: dict | None) -> Section:
    title = "Post-incident reviews"
    if measures is None:
        return Section("reviews", title, "Review measures appear when post-incident reviews are recorded.")
    rows, with_pct, due_pct = [], [], []
    totals = {"incidents": 0, "with_person": 0, "within_due": 0}
    for month in scope.months:
        m = {"incidents": 0, "with_person": 0, "within_due": 0}
        for (_ward, key_month), values in measures.items():
            if key_month == month:
                for name in m:
                    m[name] += values.get(name, 0)
        for name in m:
            totals[name] += m[name]
        rows.append(
            [
                month_label(month),
                str(m["incidents"]),
                str(m["with_person"]),
                percent(m["with_person"], m["incidents"]),
                str(m["within_due"]),
                percent(m["within_due"], m["incidents"]),
            ]
        )
        with_pct.append(share(m["with_person"], m["incidents"]))
        due_pct.append(share(m["within_due"], m["incidents"]))
    summary = (
        f"A review was held with the person after {percent(totals['with_person'], totals['incidents'])} of "
        f"{totals['incidents']:,} incidents, and within the due time after "
        f"{percent(totals['within_due'], totals['incidents'])}."
        if totals["incidents"]
        else f"No incidents needing a review were recorded {period_text(scope)}."
    )
    return Section(
        "reviews",
        title,
        summary,
        Table(
            "Post-incident reviews by month of the incident",
            [
                "Month",
                "Incidents",
                "Review held with the person",
                "% with the person",
                "Held within the due time",
                "% within the due time",
            ],
            rows,
        ),
        line_figure(
            [m.isoformat() for m in scope.months],
            {"% with the person": with_pct, "% within the due time": due_pct},
            y_title="% of incidents",
        ),
    )


def blanket_section(scope, wards, counts: dict | None) -> Section:
    title = "Active blanket rules"
    if counts is None:
        return Section("blanket", title, "Blanket rule counts appear when blanket rules are recorded.")
    series = {w.name: [int(counts.get((w.pk, m), 0)) for m in scope.months] for w in wards}
    rows = [[month_label(m), *(str(series[w.name][i]) for w in wards)] for i, m in enumerate(scope.months)]
    latest = ", ".join(f"{w.name} {series[w.name][-1]}" for w in wards)
    summary = f"Active blanket rules in {month_label(scope.months[-1])}: {latest}."
    return Section(
        "blanket",
        title,
        summary,
        Table("Active blanket rules per ward by month", ["Month", *(w.name for w in wards)], rows),
        line_figure(
            [m.isoformat() for m in scope.months], series, y_title="Active blanket rules", shape="hv"
        ),
    )
