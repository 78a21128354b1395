"""Mental Health Units (Use of Force) Act 2018: annual statistics for a calendar year.

Counts of uses of force (each type of restrictive intervention used in an incident, as in MHSDS)
broken down by the items of s.6(5) that can be counted, with small numbers suppressed.
"""

import datetime

from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.db.models.functions import Lower, Trim, TruncMonth

from incidents.codes import DeathOrSeriousInjury, InterventionGroup, InterventionType, Reason
from rrp.models import LONDON
from trends import stats
from trends.sections import Section, Table, month_label
from trends.suppression import count

#: The Act's recording duty began on 31 March 2022.
FIRST_YEAR = 2022
COLUMNS = ["Group", "Uses of force"]


def scope_for_year(ward_ids, year: int, today: datetime.date) -> stats.Scope:
    return stats.Scope(
        ward_ids, datetime.date(year, 1, 1), min(datetime.date(year, 12, 31), today), today=today
    )


def _band_labels() -> list[str]:
    labels = [f"Restraint: {label.lower()}" for label, *_ in stats.RESTRAINT_BANDS]
    labels.append(f"Restraint: {stats.RESTRAINT_OVER.lower()}")
    labels += [f"Seclusion: {label.lower()}" for label, _ in stats.SECLUSION_BANDS]
    labels.append(f"Seclusion: {stats.SECLUSION_OVER.lower()}")
    labels += [f"Segregation: {label.lower()}" for label, _ in stats.SEGREGATION_BANDS]
    labels.append(f"Segregation: {stats.SEGREGATION_OVER.lower()}")
    return [*labels, CHEMICAL_NO_BAND]


CHEMICAL_NO_BAND = "Chemical restraint (no length band)"


def _band_expression():
    """The national length band of each intervention, in SQL, by type group."""
    whens = []
    for label, _low, high in stats.RESTRAINT_BANDS:
        whens.append(
            When(
                Q(group__in=["physical", "mechanical"], duration_minutes__lte=high),
                then=Value(f"Restraint: {label.lower()}"),
            )
        )
    whens.append(
        When(group__in=["physical", "mechanical"], then=Value(f"Restraint: {stats.RESTRAINT_OVER.lower()}"))
    )
    for label, limit in stats.SECLUSION_BANDS:
        whens.append(
            When(type_code="05", duration_minutes__lte=limit, then=Value(f"Seclusion: {label.lower()}"))
        )
    whens.append(When(type_code="05", then=Value(f"Seclusion: {stats.SECLUSION_OVER.lower()}")))
    for label, limit in stats.SEGREGATION_BANDS:
        whens.append(
            When(type_code="06", duration_minutes__lte=limit, then=Value(f"Segregation: {label.lower()}"))
        )
    whens.append(When(type_code="06", then=Value(f"Segregation: {stats.SEGREGATION_OVER.lower()}")))
    return Case(*whens, default=Value(CHEMICAL_NO_BAND), output_field=CharField())


def _rows(qs, expression, labels=None, order=None) -> list[tuple[str, int]]:
    found = dict(
        qs.annotate(g=expression).values("g").annotate(n=Count("id")).order_by().values_list("g", "n")
    )
    if order is not None:
        keys = list(order) + sorted(k for k in found if k not in order)
    else:
        keys = sorted(found, key=lambda k: (-found[k], str(k)))
    return [((labels or {}).get(k, k) or "Not recorded", found.get(k, 0)) for k in keys]


def build(scope: stats.Scope) -> dict:
    """Return {"total": int, "sections": [Section]} for the scope's year (one query per breakdown)."""
    qs = stats.interventions(scope)
    total = qs.count()
    breakdowns = [
        (
            "reason",
            "Reason (s.6(5)(a))",
            _rows(qs, F("incident__reason_code"), dict(Reason.choices), Reason.values),
        ),
        ("place", "Place on the ward (s.6(5)(b))", _rows(qs, Lower(Trim("incident__place")))),
        ("month", "Month (s.6(5)(b))", _months(qs, scope)),
        ("duration", "Length (s.6(5)(b))", _rows(qs, _band_expression(), order=_band_labels())),
        (
            "type",
            "Type of force (s.6(5)(c))",
            _rows(qs, F("type_code"), dict(InterventionType.choices), InterventionType.values),
        ),
        (
            "group",
            "Type of force, grouped",
            _rows(qs, F("group"), dict(InterventionGroup.choices), InterventionGroup.values),
        ),
    ]
    exprs = stats.characteristic_expressions("incident__")
    for c in stats.CHARACTERISTICS:
        found = _rows(qs, exprs[c.key])
        merged: dict[str, int] = {}
        for code, n in found:
            label = stats.group_label(c, "" if code == "Not recorded" else code)
            merged[label] = merged.get(label, 0) + n
        breakdowns.append((f"characteristic-{c.key}", f"{c.label} (s.6(5)(k), (l))", sorted(merged.items())))
    injury = qs.aggregate(
        person=Count("id", filter=Q(patient_injured=True)),
        staff=Count("id", filter=Q(staff_injured=True)),
        other=Count("id", filter=Q(other_injured=True)),
    )
    breakdowns.append(
        (
            "injury",
            "Injury (s.6(5)(m))",
            [
                ("The person was injured", injury["person"]),
                ("A member of staff was injured", injury["staff"]),
                ("Someone else was injured", injury["other"]),
            ],
        )
    )
    breakdowns.append(
        (
            "death",
            "Death or serious injury (s.6(5)(n))",
            _rows(
                qs,
                F("incident__death_or_serious_injury"),
                dict(DeathOrSeriousInjury.choices),
                DeathOrSeriousInjury.values,
            ),
        )
    )
    sections = []
    for key, title, rows in breakdowns:
        table_rows = [
            [str(label).capitalize() if key == "place" else str(label), count(n)] for label, n in rows
        ]
        sections.append(
            Section(
                key,
                title,
                "",
                Table(
                    f"Uses of force by {title.split(' (')[0].lower()}, {scope.first.year}",
                    COLUMNS,
                    table_rows,
                ),
            )
        )
    return {"total": total, "total_text": count(total), "sections": sections}


def _months(qs, scope) -> list[tuple[str, int]]:
    found: dict = {}
    for month, n in (
        qs.annotate(m=TruncMonth("started_at", tzinfo=LONDON))
        .values("m")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("m", "n")
    ):
        key = stats.local_month(month)
        found[key] = found.get(key, 0) + n
    return [(month_label(m), found.get(m, 0)) for m in scope.months]


def csv_rows(year: int, result: dict) -> list[list[str]]:
    rows = [["Breakdown", "Group", "Uses of force"], ["All uses of force", str(year), result["total_text"]]]
    for section in result["sections"]:
        rows += [[section.title, *row] for row in section.table.rows]
    return rows
