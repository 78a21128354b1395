"""Put the dashboard together: a fixed handful of aggregate queries, whatever the data volume."""

from incidents.codes import InterventionGroup
from trends import events, sections, stats

SECTION_KEYS = [
    "rate",
    "incidents",
    "groups",
    "prone",
    "minutes",
    "reasons",
    "harm",
    "injuries",
    "time",
    "reviews",
    "blanket",
]


def scope_for(wards, options) -> stats.Scope:
    return stats.Scope([w.pk for w in wards], options["first"], options["last"], options["group"])


def rate_sections(wards, scope, options, monthly, bed_days=None) -> list[sections.Section]:
    """One XmR chart per ward; `monthly` is stats.monthly_interventions(scope)."""
    bed_days = stats.bed_days(scope) if bed_days is None else bed_days
    counts = monthly.groupby(["ward_id", "month"])["n"].sum().to_dict() if len(monthly) else {}
    found = events.annotations(wards, scope.first, scope.last) or []
    group_label = InterventionGroup(scope.group).label if scope.group else ""
    built = []
    for ward in wards:
        series = sections.rate_series(ward, scope.months, bed_days, counts)
        ward_events = [e for e in found if e["ward_id"] == ward.pk]
        rebase = sections.rebase_months(series, options["rebase"], ward_events, options["rebase_at_events"])
        built.append(
            sections.spc_section(ward, series, rebase=rebase, events=ward_events, group_label=group_label)
        )
    return built


def build(wards, options, only: str | None = None) -> dict:
    """Return {"rates": [Section per ward], "sections": [Section], "scope": Scope}; `only` limits the work."""
    wards = list(wards)
    scope = scope_for(wards, options)
    wanted = set(SECTION_KEYS) if only is None else {only}
    needs_monthly = wanted & {"rate", "incidents", "groups", "prone"}
    monthly = stats.monthly_interventions(scope) if needs_monthly else None
    wards_text = sections.ward_list([w.name for w in wards])
    result = {"scope": scope, "rates": [], "sections": []}
    if "rate" in wanted:
        result["rates"] = rate_sections(wards, scope, options, monthly)
    harm = stats.harm(scope) if wanted & {"harm", "injuries"} else None
    builders = {
        "incidents": lambda: sections.incidents_section(
            scope, stats.monthly_incidents(scope), monthly, stats.incident_totals(scope), wards_text
        ),
        "groups": lambda: sections.groups_section(scope, monthly),
        "prone": lambda: sections.prone_section(scope, monthly),
        "minutes": lambda: sections.minutes_section(
            scope, stats.duration_summary(stats.restraint_durations(scope))
        ),
        "reasons": lambda: sections.reasons_section(scope, stats.reasons(scope)),
        "harm": lambda: sections.harm_section(scope, harm),
        "injuries": lambda: sections.injuries_section(scope, stats.injuries(scope), harm),
        "time": lambda: sections.time_section(scope, stats.time_of_week(scope)),
        "reviews": lambda: sections.reviews_section(scope, stats.review_measures(scope)),
        "blanket": lambda: sections.blanket_section(scope, wards, events.active_counts(wards, scope.months)),
    }
    result["sections"] = [builders[key]() for key in SECTION_KEYS if key in wanted and key in builders]
    return result
