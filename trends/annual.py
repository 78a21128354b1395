"""Mental Health Units (Use of Force) Act 2018: annual statistics for a calendar year.

Counts of uses of force (each type of restrictive intervention used in an incident, as in MHSDS)
broken down by the items of s.6(5) that can be counted, with small numbers suppressed.
"""

import datetime

from django.db import connections
from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.db.models.functions import Lower, Trim, TruncMonth

from incidents.codes import DeathOrSeriousInjury, InterventionGroup, InterventionType, Reason
from rrp.models import LONDON
from trends import monthly, stats
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


def _ordered(found: dict, labels=None, order=None) -> list[tuple[str, int]]:
    if order is not None:
        keys = list(order) + sorted(k for k in found if k not in order)
    else:
        keys = sorted(found, key=lambda k: (-found[k], str(k)))
    return [((labels or {}).get(k, k) or "Not recorded", found.get(k, 0)) for k in keys]


#: Breakdowns counted together in one grouping set on PostgreSQL: each set's groups are few (fixed
#: codes, a few dozen combinations; the free-text place on its own), and each breakdown is summed
#: from its set's rows (so no breakdown may be in two sets). Fewer sets are cheaper: PostgreSQL
#: hashes every row once per set (for a division's year, EXPLAIN ANALYZE best of 7: one set per
#: breakdown, 22 sets, 531 ms; these 10, 454 ms; the rows alone 267 ms). Breakdowns not named
#: here get a set of their own.
GROUPING_SETS = [
    ("reason", "death"),
    ("place",),
    ("month", "person_injured", "staff_injured", "other_injured"),
    ("type", "group", "duration"),
    ("c_age", "c_sex"),
    ("c_ethnicity", "c_disability"),
    ("c_religion", "c_pregnancy"),
    ("c_sexual_orientation", "c_gender_reassignment"),
    ("c_learning_disability", "c_autism", "c_ld_or_autism"),
    ("c_marital_status",),
]


def _breakdowns(qs, dimensions: dict, sets=GROUPING_SETS) -> tuple[int, dict[str, dict]]:
    """Count the scope's interventions by each breakdown's group: (total, {key: {group: n}}).

    One query either way. At a million incidents one aggregate per breakdown re-read the same
    rows about 30 times, and one `GROUP BY` over every breakdown at once gave about 57,000
    combinations to sort and sum (benchmarks/README.md). On PostgreSQL it is one
    `GROUP BY GROUPING SETS` over a few small sets of breakdowns (`sets`); elsewhere (SQLite has
    no grouping sets) one `GROUP BY` over every breakdown at once. Either way each breakdown is
    then the sum of its set's rows by its own group.
    """
    keys = list(dimensions)
    names = {f"d_{key}": expression for key, expression in dimensions.items()}
    annotated = qs.annotate(**names).values(*names).order_by()
    if connections[annotated.db].vendor == "postgresql":
        named = [key for group in sets for key in group]
        assert len(named) == len(set(named)), "a breakdown in two grouping sets would be counted twice"
        sets = [tuple(k for k in group if k in dimensions) for group in sets]
        sets = [group for group in sets if group] + [(key,) for key in keys if key not in named]
        total, rows = _grouping_sets(annotated, keys, sets)
    else:
        rows = [
            (keys, {key: row[f"d_{key}"] for key in keys}, row["n"])
            for row in annotated.annotate(n=Count("id")).order_by()
        ]
        total = sum(n for _keys, _values, n in rows)
    found: dict[str, dict] = {key: {} for key in keys}
    for counted, values, n in rows:
        for key in counted:
            found[key][values[key]] = found[key].get(values[key], 0) + n
    return total, found


def _grouping_sets(annotated, keys: list[str], sets: list[tuple]) -> tuple[int, list]:
    """One `GROUPING SETS` query over the annotated queryset's own SQL: (total, [(set, values, n)]).

    The queryset (`values()` of the breakdowns' ORM expressions, one row per intervention) is
    compiled and wrapped, so each breakdown's group is computed by the same expression as on the
    other databases. Each result row belongs to one grouping set: `GROUPING(...)` has a bit per
    breakdown (the first breakdown is the highest bit), 0 for the breakdowns of the row's set and
    1 for the others, which are NULL there; so a group that is really NULL is told apart from
    "not in this set". The empty set `()` (every bit 1) gives the total.
    """
    compiler = annotated.query.get_compiler(using=annotated.db)
    inner, params = compiler.as_sql()
    connection = connections[annotated.db]
    # The database's values go through the same converters as values() would use (for example the
    # month comes back from PostgreSQL as a naive London time and TruncMonth makes it aware).
    converters = {}
    for expression, _sql, alias in compiler.select:
        functions = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
        converters[alias] = (expression, functions)
    column = {key: connection.ops.quote_name(f"d_{key}") for key in keys}
    columns = ", ".join(column[key] for key in keys)
    grouping = ", ".join("(" + ", ".join(column[key] for key in group) + ")" for group in sets)
    # Only quoted column names and Django's own compiled SQL go into the text; values are params.
    sql = (
        f"SELECT {columns}, GROUPING({columns}), COUNT(*) "  # noqa: S608
        f"FROM ({inner}) AS by_intervention GROUP BY GROUPING SETS ({grouping}, ())"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        result = cursor.fetchall()
    bit = {key: 1 << (len(keys) - 1 - i) for i, key in enumerate(keys)}
    everything = (1 << len(keys)) - 1
    set_of = {sum(bit[key] for key in group): group for group in sets}
    total, rows = 0, []
    for *row, grouped, n in result:
        if grouped == everything:
            total += n
            continue
        group = set_of[everything ^ grouped]
        values = {}
        for key in group:
            value = row[keys.index(key)]
            expression, functions = converters[f"d_{key}"]
            for convert in functions:
                value = convert(value, expression, connection)
            values[key] = value
        rows.append((group, values, n))
    return total, rows


def _counted(scope: stats.Scope) -> tuple[int, dict[str, dict]]:
    """The scope's interventions counted by every breakdown from the incidents themselves."""
    exprs = stats.characteristic_expressions("incident__")
    return _breakdowns(
        stats.interventions(scope),
        {
            "reason": F("incident__reason_code"),
            "place": Lower(Trim("incident__place")),
            "month": TruncMonth("started_at", tzinfo=LONDON),
            "duration": _band_expression(),
            "type": F("type_code"),
            "group": F("group"),
            **{f"c_{c.key}": exprs[c.key] for c in stats.CHARACTERISTICS},
            "person_injured": F("patient_injured"),
            "staff_injured": F("staff_injured"),
            "other_injured": F("other_injured"),
            "death": F("incident__death_or_serious_injury"),
        },
    )


def build(scope: stats.Scope) -> dict:
    """Return {"total": int, "sections": [Section]} for the scope's year.

    From the monthly counts (trends.monthly.annual_breakdowns: one query for the whole months,
    four for the days at either end of a range that is not whole months), or counted from the
    incidents in one query when the counts are switched off."""
    total, found = monthly.annual_breakdowns(scope) if monthly.covers(scope) else _counted(scope)
    breakdowns = [
        (
            "reason",
            "Reason (s.6(5)(a))",
            _ordered(found["reason"], dict(Reason.choices), Reason.values),
        ),
        ("place", "Place on the ward (s.6(5)(b))", _ordered(found["place"])),
        ("month", "Month (s.6(5)(b))", _months(found["month"], scope)),
        ("duration", "Length (s.6(5)(b))", _ordered(found["duration"], order=_band_labels())),
        (
            "type",
            "Type of force (s.6(5)(c))",
            _ordered(found["type"], dict(InterventionType.choices), InterventionType.values),
        ),
        (
            "group",
            "Type of force, grouped",
            _ordered(found["group"], dict(InterventionGroup.choices), InterventionGroup.values),
        ),
    ]
    for c in stats.CHARACTERISTICS:
        merged: dict[str, int] = {}
        for code, n in _ordered(found[f"c_{c.key}"]):
            label = stats.group_label(c, "" if code == "Not recorded" else code)
            merged[label] = merged.get(label, 0) + n
        breakdowns.append((f"characteristic-{c.key}", f"{c.label} (s.6(5)(k), (l))", sorted(merged.items())))
    breakdowns.append(
        (
            "injury",
            "Injury (s.6(5)(m))",
            [
                ("The person was injured", found["person_injured"].get(True, 0)),
                ("A member of staff was injured", found["staff_injured"].get(True, 0)),
                ("Someone else was injured", found["other_injured"].get(True, 0)),
            ],
        )
    )
    breakdowns.append(
        (
            "death",
            "Death or serious injury (s.6(5)(n))",
            _ordered(
                found["death"],
                dict(DeathOrSeriousInjury.choices),
                DeathOrSeriousInjury.values,
            ),
        )
    )
    sections = []
    for key, title, table in breakdowns:
        table_rows = [
            [str(label).capitalize() if key == "place" else str(label), count(n)] for label, n in table
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


def _months(by_month: dict, scope) -> list[tuple[str, int]]:
    found: dict = {}
    for month, n in by_month.items():
        key = stats.local_month(month)
        found[key] = found.get(key, 0) + n
    return [(month_label(m), found.get(m, 0)) for m in scope.months]


def csv_rows(year: int, result: dict) -> list[list[str]]:
    rows = [["Breakdown", "Group", "Uses of force"], ["All uses of force", str(year), result["total_text"]]]
    for section in result["sections"]:
        rows += [[section.title, *row] for row in section.table.rows]
    return rows
