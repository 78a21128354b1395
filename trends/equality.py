"""Equality: rates for each protected characteristic group against its share of bed days.

The disproportionality ratio of a group is its share of restrictive interventions divided by its
share of occupied bed days on the same wards over the same period (1.0 means in proportion; 2.0
means twice what its time on the wards would suggest). Incidents count the person as recorded
at the time of the incident; bed days count people as their record describes them now, with
ages taken on the middle day of the period.
"""

import pandas as pd

from trends import stats
from trends.figures import ratio_figure
from trends.sections import Section, Table, number, period_text
from trends.suppression import count, is_small

COLUMNS = [
    "Group",
    "Occupied bed days",
    "% of bed days",
    "Restrictive interventions",
    "% of interventions",
    "People",
    "Rate per 1,000 bed days",
    "Disproportionality ratio",
]
NOT_SHOWN = "not shown (fewer than 5)"


def build(scope: stats.Scope) -> list[Section]:
    """One section per characteristic, from two aggregate queries."""
    used = stats.interventions_by_characteristic(scope)
    days = stats.bed_days_by_characteristic(scope)
    return [characteristic_section(c, used, days, scope) for c in stats.CHARACTERISTICS]


def characteristic_section(characteristic, used: pd.DataFrame, days: pd.DataFrame, scope) -> Section:
    key = characteristic.key
    n_by = used.groupby(key)["n"].sum() if len(used) else pd.Series(dtype="int64")
    people_by = used.groupby(key)["person"].nunique() if len(used) else pd.Series(dtype="int64")
    days_by = days.groupby(key)["days"].sum() if len(days) else pd.Series(dtype="int64")
    total_n, total_days = int(n_by.sum()), int(days_by.sum())
    codes = sorted(set(n_by.index) | set(days_by.index), key=lambda c: stats.group_label(characteristic, c))
    labels: dict[str, dict] = {}
    for code in codes:
        # Blank and "not known" codes fold into one row.
        row = labels.setdefault(stats.group_label(characteristic, code), {"n": 0, "people": 0, "days": 0})
        row["n"] += int(n_by.get(code, 0))
        row["people"] += int(people_by.get(code, 0))
        row["days"] += int(days_by.get(code, 0))
    rows, ratios = [], {}
    for label, row in labels.items():
        n, d = row["n"], row["days"]
        if is_small(n):
            rate = ratio = NOT_SHOWN
            share_n = NOT_SHOWN
        else:
            rate = number(1000 * n / d) if d else "no data"
            share_n = f"{100 * n / total_n:.1f}%" if total_n else "no data"
            ratio_value = (n / total_n) / (d / total_days) if d and total_n and total_days else None
            ratio = number(ratio_value, 2)
            if ratio_value is not None:
                ratios[label] = ratio_value
        rows.append(
            [
                label,
                f"{d:,}",
                f"{100 * d / total_days:.1f}%" if total_days else "no data",
                count(n),
                share_n,
                count(row["people"]),
                rate,
                ratio,
            ]
        )
    return Section(
        f"equality-{key}",
        characteristic.label,
        _summary(characteristic.label, ratios, total_n, scope),
        Table(f"{characteristic.label}: restrictive interventions against share of bed days", COLUMNS, rows),
        ratio_figure(list(ratios), [round(v, 2) for v in ratios.values()]) if ratios else None,
    )


def _summary(label: str, ratios: dict, total: int, scope) -> str:
    if not total:
        return f"{label}: no restrictive interventions were recorded {period_text(scope)}."
    if not ratios:
        return f"{label}: every group had fewer than 5 interventions, so no ratio is shown."
    top = max(ratios, key=ratios.get)
    return (
        f"{label}: the highest ratio was {top}, at {ratios[top]:.2f} times its share of occupied bed days "
        f"(1.00 means in proportion)."
    )
