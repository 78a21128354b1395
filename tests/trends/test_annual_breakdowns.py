"""The annual statistics' counts, exactly, with every breakdown populated (blank and unknown values too).

On PostgreSQL the breakdowns come from one `GROUPING SETS` query and elsewhere from one `GROUP BY`
summed in Python: these numbers are worked by hand, so either way must give them.
"""

import datetime

import pytest
from django.db import connection
from django.db.models import Count, F
from django.db.models.functions import Lower, Trim, TruncMonth
from django.test.utils import CaptureQueriesContext

from incidents.codes import InterventionType, Reason
from incidents.models import Incident
from rrp.models import LONDON
from trends import annual, monthly, stats

from .conftest import at, incident, patient

pytestmark = pytest.mark.django_db

DAY = 24 * 60
BLANK = {
    "sex": "",
    "ethnicity": "",
    "religion": "",
    "sexual_orientation": "",
    "disability": "",
    "learning_disability": "",
    "autism": "",
    "gender_reassignment": "",
    "marital_status": "",
    "pregnancy": "",
    "age_at_incident": None,
}


def injure(made, code, **flags):
    for intervention in made.interventions.filter(type_code=code):
        for name, value in flags.items():
            setattr(intervention, name, value)
        intervention.save()


@pytest.fixture
def year_2025(willow, oak):
    """Eight uses of force on Willow in 2025, in four incidents.

    A, 3 March: prone restraint 12 min (the person and staff injured) and rapid tranquillisation;
      violence to others, "Lounge ", a full record, aged 35, neither died nor seriously injured.
    B, 31 May 23:30 (BST, so May in London but 22:30 UTC): seclusion 30 hours (someone else
      injured) and standing restraint 61 min; no reason, a blank place, every characteristic
      blank and no age; seriously injured.
    C, 1 June 00:30 (BST, so 31 May in UTC): segregation 40 days; dangerous behaviour, "BEDROOM",
      aged 17, male, prefers not to say their ethnicity, no learning disability and not autistic; died.
    D, 31 December 23:30: mechanical restraint 90 min, oral chemical restraint, prone 10 min (the
      person injured); violence to others, " lounge", aged 70, sex not known, Black, autistic.
    Not counted: a draft, an entry in error, 31 December 2024 23:30, 1 January 2026 00:10, and a
    ward in another division.
    """
    person = patient(willow, at(2024, 1, 1), at(2026, 6, 1))
    a = incident(
        willow,
        person,
        at(2025, 3, 3, 14),
        (("01", 12), ("14", 1)),
        reason_code="10",
        place="Lounge ",
        death_or_serious_injury="neither",
        **{
            **BLANK,
            "age_at_incident": 35,
            "sex": "female",
            "ethnicity": "A",
            "religion": "christian",
            "sexual_orientation": "heterosexual",
            "disability": "yes",
            "learning_disability": "yes",
            "autism": "no",
            "gender_reassignment": "no",
            "marital_status": "single",
            "pregnancy": "no",
        },
    )
    injure(a, "01", patient_injured=True, staff_injured=True)
    b = incident(
        willow,
        person,
        at(2025, 5, 31, 23, 30),
        (("05", 30 * 60), ("07", 61)),
        reason_code="",
        place="",
        death_or_serious_injury="serious_injury",
        **BLANK,
    )
    injure(b, "05", other_injured=True)
    incident(
        willow,
        person,
        at(2025, 6, 1, 0, 30),
        (("06", 40 * DAY),),
        reason_code="17",
        place="BEDROOM",
        death_or_serious_injury="died",
        **{
            **BLANK,
            "age_at_incident": 17,
            "sex": "male",
            "ethnicity": "99",
            "learning_disability": "no",
            "autism": "no",
        },
    )
    d = incident(
        willow,
        person,
        at(2025, 12, 31, 23, 30),
        (("04", 90), ("16", 1), ("01", 10)),
        reason_code="10",
        place=" lounge",
        death_or_serious_injury="neither",
        **{**BLANK, "age_at_incident": 70, "sex": "not_known", "ethnicity": "M", "autism": "yes"},
    )
    injure(d, "01", patient_injured=True)
    incident(willow, person, at(2025, 4, 1, 10), (("01", 5),), status="draft")
    incident(willow, person, at(2025, 4, 2, 10), (("01", 5),), error=True)
    incident(willow, person, at(2024, 12, 31, 23, 30), (("01", 5),))
    incident(willow, person, at(2026, 1, 1, 0, 10), (("01", 5),))
    other = patient(oak, at(2025, 1, 1), at(2025, 12, 1))
    incident(oak, other, at(2025, 3, 1, 10), (("01", 5),))


def scope(willow):
    return annual.scope_for_year([willow.pk], 2025, datetime.date(2026, 6, 1))


def exact_tables(willow, monkeypatch):
    monkeypatch.setattr(annual, "count", str)  # no small-number suppression: the exact numbers
    result = annual.build(scope(willow))
    return result["total"], {s.key: s.table.rows for s in result["sections"]}


def zeros_but(choices_labels, **found):
    return [[label, str(found.get(label, 0))] for label in choices_labels]


def test_every_breakdown_counts_exactly(willow, year_2025, monkeypatch):
    total, tables = exact_tables(willow, monkeypatch)
    assert total == 8

    reasons = {
        "To prevent violence to others": 5,
        "To prevent otherwise dangerous behaviour": 1,
    }
    assert tables["reason"] == [*zeros_but(Reason.labels, **reasons), ["Not recorded", "2"]]
    assert tables["place"] == [["Lounge", "5"], ["Not recorded", "2"], ["Bedroom", "1"]]
    months = {"March 2025": 2, "May 2025": 2, "June 2025": 1, "December 2025": 3}
    every_month = [datetime.date(2025, m, 1).strftime("%B %Y") for m in range(1, 13)]
    assert tables["month"] == [[m, str(months.get(m, 0))] for m in every_month]
    bands = {
        "Restraint: 0 to 10 minutes": 1,
        "Restraint: 11 to 30 minutes": 1,
        "Restraint: over 60 minutes": 2,
        "Seclusion: 24 to 72 hours": 1,
        "Segregation: 1 to 3 months": 1,
        annual.CHEMICAL_NO_BAND: 2,
    }
    assert tables["duration"] == zeros_but(annual._band_labels(), **bands)
    types = {
        "Physical restraint: prone (face down)": 2,
        "Physical restraint: standing": 1,
        "Chemical restraint: injection (rapid tranquillisation)": 1,
        "Chemical restraint: oral": 1,
        "Mechanical restraint": 1,
        "Seclusion": 1,
        "Segregation": 1,
    }
    assert tables["type"] == zeros_but(InterventionType.labels, **types)
    assert tables["group"] == [
        ["Physical restraint", "3"],
        ["Chemical restraint", "2"],
        ["Mechanical restraint", "1"],
        ["Seclusion or segregation", "2"],
    ]
    characteristics = {
        "age": {"35 to 44": 2, "65 and over": 3, "Not known": 2, "Under 18": 1},
        "sex": {"Female": 2, "Male": 1, "Not known": 5},  # blank (2) and "not known" (3) together
        "ethnicity": {"Black or Black British": 3, "Not known": 2, "Prefers not to say": 1, "White": 2},
        "religion": {"Christian": 2, "Not known": 6},
        "sexual_orientation": {"Heterosexual or straight": 2, "Not known": 6},
        "disability": {"Not known": 6, "Yes": 2},
        "learning_disability": {"No": 1, "Not known": 5, "Yes": 2},
        "autism": {"No": 3, "Not known": 2, "Yes": 3},
        "ld_or_autism": {"No": 1, "Not known": 2, "Yes": 5},
        "gender_reassignment": {"No": 2, "Not known": 6},
        "marital_status": {"Not known": 6, "Single": 2},
        "pregnancy": {"No": 2, "Not known": 6},
    }
    for key, expected in characteristics.items():
        assert tables[f"characteristic-{key}"] == [
            [label, str(n)] for label, n in sorted(expected.items())
        ], key
    assert tables["injury"] == [
        ["The person was injured", "2"],
        ["A member of staff was injured", "1"],
        ["Someone else was injured", "1"],
    ]
    assert tables["death"] == [["Neither", "5"], ["Seriously injured", "2"], ["Died", "1"]]


def test_an_empty_year_counts_nothing(willow, monkeypatch):
    total, tables = exact_tables(willow, monkeypatch)
    assert total == 0
    assert tables["injury"] == [
        ["The person was injured", "0"],
        ["A member of staff was injured", "0"],
        ["Someone else was injured", "0"],
    ]
    assert all(n == "0" for _label, n in tables["month"])
    assert tables["place"] == [] and tables["characteristic-sex"] == []


def dimensions():
    """Breakdowns including real NULLs: no age, and no admission on any of these incidents."""
    return {
        "age": F("incident__age_at_incident"),
        "admission": F("incident__admission_id"),
        "month": TruncMonth("started_at", tzinfo=LONDON),
        "staff_injured": F("staff_injured"),
        "place": F("incident__place"),
    }


def one_query_per_breakdown(qs, dims):
    """The plain way, independent of annual.py: one aggregate per breakdown."""
    return {
        key: {
            row["d"]: row["n"] for row in qs.annotate(d=expr).values("d").annotate(n=Count("id")).order_by()
        }
        for key, expr in dims.items()
    }


def test_null_groups_are_counted_as_groups_not_lost(willow, year_2025):
    qs = stats.interventions(scope(willow))
    total, found = annual._breakdowns(qs, dimensions())
    assert total == 8
    assert found["age"] == {35: 2, None: 2, 17: 1, 70: 3}
    assert found["admission"] == {None: 8}
    assert found["staff_injured"] == {True: 1, False: 7}
    assert found["place"] == {"Lounge ": 2, "": 2, "BEDROOM": 1, " lounge": 3}
    months = {stats.local_month(m): n for m, n in found["month"].items()}
    assert months == {
        datetime.date(2025, 3, 1): 2,
        datetime.date(2025, 5, 1): 2,
        datetime.date(2025, 6, 1): 1,
        datetime.date(2025, 12, 1): 3,
    }
    assert found == one_query_per_breakdown(qs, dimensions())  # the same values as values() gives


@pytest.mark.parametrize(
    "sets",
    [
        annual.GROUPING_SETS,
        [("age",), ("admission",), ("month",), ("staff_injured",), ("place",)],  # one set each
        [("age", "admission", "month", "staff_injured", "place")],  # one set of all
        [("age", "admission"), ("month", "staff_injured")],  # NULLs within a set; place on its own
    ],
)
def test_any_grouping_sets_give_the_same_counts(willow, year_2025, sets):
    """However the breakdowns are put together in grouping sets (PostgreSQL), the counts are the same."""
    qs = stats.interventions(scope(willow))
    total, found = annual._breakdowns(qs, dimensions(), sets)
    assert total == 8
    assert found == one_query_per_breakdown(qs, dimensions())


def test_the_page_breakdowns_match_one_query_each(willow, year_2025):
    """Every breakdown the page counts, against one plain aggregate per breakdown."""
    qs = stats.interventions(scope(willow))
    exprs = stats.characteristic_expressions("incident__")
    dims = {
        "reason": F("incident__reason_code"),
        "place": Lower(Trim("incident__place")),
        "duration": annual._band_expression(),
        "type": F("type_code"),
        "group": F("group"),
        **{f"c_{k}": v for k, v in exprs.items()},
        "person_injured": F("patient_injured"),
        "other_injured": F("other_injured"),
        "death": F("incident__death_or_serious_injury"),
    }
    assert annual._breakdowns(qs, dims) == (8, one_query_per_breakdown(qs, dims))


def test_one_query_in_all(willow, year_2025, django_assert_num_queries):
    with django_assert_num_queries(1):
        annual.build(scope(willow))


def _tables(scope_, monkeypatch, *, live):
    with monkeypatch.context() as patched:
        patched.setattr(annual, "count", str)
        if live:
            patched.setattr(monthly, "covers", lambda scope: False)
        result = annual.build(scope_)
    return result["total"], [(s.key, s.table.rows) for s in result["sections"]]


@pytest.mark.parametrize(
    "first, last",
    [
        (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)),  # the year: whole months only
        (datetime.date(2025, 3, 3), datetime.date(2025, 12, 31)),  # from a day inside a month
        (datetime.date(2025, 1, 1), datetime.date(2025, 5, 31)),  # to the end of May in London
        (datetime.date(2025, 5, 31), datetime.date(2025, 6, 1)),  # two days across the clock's month
    ],
)
def test_the_monthly_counts_give_the_tables_counted_from_the_incidents(
    willow, year_2025, monkeypatch, first, last
):
    scope_ = stats.Scope([willow.pk], first, last, today=datetime.date(2026, 6, 1))
    from_counts = _tables(scope_, monkeypatch, live=False)
    assert from_counts == _tables(scope_, monkeypatch, live=True)
    assert from_counts[0] > 0


def test_the_year_is_read_from_the_counts_without_counting_the_incidents(willow, year_2025):
    with CaptureQueriesContext(connection) as captured:
        annual.build(scope(willow))
    assert len(captured.captured_queries) == 1
    assert "trends_monthlycount" in captured.captured_queries[0]["sql"]


def test_a_changed_incident_changes_the_year_at_once(willow, year_2025, monkeypatch):
    before, _ = exact_tables(willow, monkeypatch)
    counted = Incident.objects.counted().filter(ward=willow, started_at__year=2025).first()
    counted.place = "Garden"
    counted.save()
    total, tables = exact_tables(willow, monkeypatch)
    assert total == before
    assert ["Garden", str(counted.interventions.count())] in tables["place"]
