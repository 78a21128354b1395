"""Date ranges that do not start on the 1st or end on a month's last day: the dashboard reads the
whole months inside them from the monthly counts and counts only the days at the ends from the
incidents, and every figure is the same as counting the whole range from the incidents."""

import datetime

import pytest
from django.utils import timezone

from incidents.models import Incident, Intervention
from incidents.reviews.models import Review
from rrp.models import LONDON
from tests.incidents.factories import ago, make_incident
from trends import dashboard, monthly, stats
from trends.filters import default_options
from trends.models import MonthlyCount

from .conftest import at, incident, patient
from .test_monthly import FUNCTIONS, GROUPS, _live, _same

pytestmark = pytest.mark.django_db

D = datetime.date


def _review(made, *, with_person=False, late=False, held=True):
    Review.objects.create(
        incident=made,
        due_at=made.started_at + datetime.timedelta(hours=72),
        held_at=made.started_at + datetime.timedelta(hours=100 if late else 24) if held else None,
        held_with_service_user=with_person,
    )


def _later_intervention(made, code, started_at, minutes=1):
    Intervention.objects.create(
        incident=made,
        type_code=code,
        started_at=started_at,
        ended_at=started_at + datetime.timedelta(minutes=minutes),
    )


@pytest.fixture
def edges(willow, oak):
    """Incidents on and around month edges, midnights and the clock changes of 2025, on two wards."""
    ann = patient(willow, at(2025, 1, 1), at(2025, 12, 31), sex="female")
    bob = patient(willow, at(2025, 1, 1), at(2025, 12, 31))
    cy = patient(oak, at(2025, 1, 1), at(2025, 12, 31))
    incident(willow, ann, at(2025, 2, 13, 23, 59), (("07", 5),))
    # Exactly midnight (GMT) at the start of 14 February.
    midnight = incident(
        willow, ann, at(2025, 2, 14, 0, 0), (("01", 12), ("14", 1)), reason_code="10", physical_harm="low"
    )
    _review(midnight, with_person=True)
    _review(incident(willow, bob, at(2025, 2, 20, 10), (("05", 600),), reason_code="11"), late=True)
    incident(oak, cy, at(2025, 2, 15, 9), (("09", 30),), status="draft")
    incident(willow, ann, at(2025, 2, 16, 9), (("07", 30),), error=True)
    # Started in February, its seclusion began in March.
    _later_intervention(
        incident(willow, ann, at(2025, 2, 28, 23, 50), (("07", 2),)), "05", at(2025, 3, 1, 0, 5)
    )
    incident(willow, ann, at(2025, 3, 10, 9), (("07", 4), ("16", 1)), psychological_harm="moderate")
    # The night the clocks go forward (30 March, 01:00 GMT becomes 02:00 BST).
    incident(willow, bob, at(2025, 3, 30, 0, 30), (("01", 8), ("04", 20)))
    incident(willow, bob, at(2025, 3, 30, 3, 0), (("07", 3),))
    incident(oak, cy, at(2025, 3, 31, 23, 50), (("06", 3000),), reason_code="13")
    # Exactly midnight (BST) at the start of April: 23:00 on 31 March in UTC.
    _review(incident(oak, cy, at(2025, 4, 1, 0, 0), (("09", 30),)), with_person=True)
    injured = incident(willow, ann, at(2025, 4, 28, 16), (("07", 3), ("15", 1)), reason_code="10")
    Intervention.objects.filter(incident=injured, type_code="07").update(
        patient_injured=True, staff_injured=True
    )
    Intervention.objects.filter(incident=injured, type_code="15").update(other_injured=True)
    # Started in April, rapid tranquillisation given in May.
    _later_intervention(
        incident(oak, cy, at(2025, 4, 30, 23, 55), (("11", 20),)), "14", at(2025, 5, 1, 0, 10)
    )
    incident(oak, cy, at(2025, 5, 9, 23, 59), (("07", 1),))
    _review(incident(oak, cy, at(2025, 5, 10, 0, 0), (("13", 7),)), held=False)
    incident(willow, ann, at(2025, 6, 10, 0, 0), (("07", 2),))  # midnight BST: 9 June in UTC
    incident(willow, bob, at(2025, 10, 25, 23, 30), (("07", 5),))
    # The hour that happens twice when the clocks go back (26 October): first in BST, then in GMT.
    for fold in (0, 1):
        started = datetime.datetime(2025, 10, 26, 1, 30, tzinfo=LONDON, fold=fold)
        incident(willow, bob, started, (("01", 11),))
    incident(oak, cy, at(2025, 11, 3, 12), (("16", 1),))
    # .update() bypasses saves: count again, as a bulk load would.
    monthly.rebuild()
    return willow, oak


RANGES = {
    "start and end mid-month": (D(2025, 2, 14), D(2025, 5, 9)),
    "start mid-month": (D(2025, 2, 14), D(2025, 5, 31)),
    "end mid-month": (D(2025, 2, 1), D(2025, 5, 9)),
    "both in one month": (D(2025, 2, 14), D(2025, 2, 20)),
    "one day, before a midnight": (D(2025, 2, 13), D(2025, 2, 13)),
    "the night the clocks go forward": (D(2025, 3, 30), D(2025, 3, 30)),
    "across the clocks going forward, no whole month": (D(2025, 3, 29), D(2025, 4, 15)),
    "across the clocks going back": (D(2025, 10, 20), D(2025, 11, 10)),
    "the day the clocks go back": (D(2025, 10, 26), D(2025, 10, 26)),
    "intervention in the month after a whole month": (D(2025, 4, 1), D(2025, 5, 9)),
    "intervention in the month after an edge": (D(2025, 2, 20), D(2025, 3, 31)),
    "both ends next to a later intervention": (D(2025, 4, 20), D(2025, 5, 1)),
    "from a midnight in summer time": (D(2025, 6, 10), D(2025, 6, 20)),
    "to the day before a midnight in summer time": (D(2025, 5, 10), D(2025, 6, 9)),
    "whole year but the first and last days": (D(2025, 1, 2), D(2025, 12, 30)),
}


@pytest.mark.parametrize("first, last", RANGES.values(), ids=RANGES.keys())
def test_every_figure_equals_the_count_from_the_incidents(edges, first, last, monkeypatch):
    willow, oak = edges
    for group in GROUPS:
        for wards in ([willow.pk], [oak.pk], [willow.pk, oak.pk]):
            scope = stats.Scope(wards, first, last, group)
            for function in FUNCTIONS:
                from_counts = getattr(stats, function)(scope)
                assert _same(from_counts, _live(function, scope, monkeypatch)), (function, group, wards)


def _totals(wards, first, last, group=""):
    return stats.incident_totals(stats.Scope([w.pk for w in wards], first, last, group))


def test_midnight_london_time_belongs_to_the_day_it_starts(edges):
    willow, oak = edges
    assert _totals([willow], D(2025, 2, 13), D(2025, 2, 13))["incidents"] == 1  # 23:59, not 00:00
    assert _totals([willow], D(2025, 2, 14), D(2025, 2, 14))["incidents"] == 1
    assert _totals([oak], D(2025, 4, 1), D(2025, 4, 1))["incidents"] == 1  # 23:00 UTC on 31 March
    assert _totals([oak], D(2025, 3, 31), D(2025, 3, 31))["incidents"] == 1  # 23:50, not the midnight
    assert _totals([willow], D(2025, 6, 10), D(2025, 6, 20))["incidents"] == 1
    assert _totals([willow], D(2025, 5, 10), D(2025, 6, 9))["incidents"] == 0


def test_both_runs_of_the_repeated_hour_count_on_the_day_the_clocks_go_back(edges):
    willow, _oak = edges
    scope = stats.Scope([willow.pk], D(2025, 10, 26), D(2025, 10, 26))
    assert stats.incident_totals(scope) == {"incidents": 2, "people": 1, "wards": 1}
    assert stats.time_of_week(scope).values.tolist() == [[7, 0, 2]]  # Sunday, 00:00 to 03:59


def test_an_intervention_counts_in_the_range_it_started_in_not_its_incidents(edges):
    _willow, oak = edges
    may = stats.Scope([oak.pk], D(2025, 5, 1), D(2025, 5, 9), "chemical")
    assert stats.incident_totals(may)["incidents"] == 0  # the incident started on 30 April
    assert stats.monthly_interventions(may)[["month", "n"]].values.tolist() == [[D(2025, 5, 1), 1]]


def test_a_person_in_both_edges_and_the_whole_months_between_is_one_person(edges):
    willow, _oak = edges
    totals = _totals([willow], D(2025, 2, 14), D(2025, 4, 29))
    # Ann: 14 and 28 February, 10 March, 28 April; Bob: 20 February and twice on 30 March.
    assert totals == {"incidents": 7, "people": 2, "wards": 1}
    by_month = stats.monthly_incidents(stats.Scope([willow.pk], D(2025, 2, 14), D(2025, 4, 29)))
    assert by_month.values.tolist() == [[D(2025, 2, 1), 3, 2], [D(2025, 3, 1), 3, 2], [D(2025, 4, 1), 1, 1]]


def test_an_odd_range_reads_its_whole_months_from_the_counts(edges):
    """The months inside come from the stored counts (the fast path), the ends from the incidents."""
    willow, _oak = edges
    assert _totals([willow], D(2025, 2, 14), D(2025, 4, 29))["incidents"] == 7
    MonthlyCount.objects.filter(ward=willow, month=D(2025, 3, 1)).delete()
    assert _totals([willow], D(2025, 2, 14), D(2025, 4, 29))["incidents"] == 4  # March's three are gone
    MonthlyCount.objects.filter(ward=willow).delete()
    assert _totals([willow], D(2025, 2, 14), D(2025, 2, 28))["incidents"] == 3  # no whole month: all counted


def test_a_range_from_mid_month_to_today_equals_the_count_from_the_incidents(willow, sam, nurse, monkeypatch):
    for days in (1, 20, 40, 70):
        make_incident(sam, nurse, start=ago(days=days))
    today = timezone.localdate()
    first = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=15)
    scope = stats.Scope([willow.pk], first, today)
    assert (
        stats.incident_totals(scope)["incidents"]
        == Incident.objects.filter(started_at__date__gte=first).count()
    )
    for function in FUNCTIONS:
        assert _same(getattr(stats, function)(scope), _live(function, scope, monkeypatch)), function


@pytest.mark.parametrize("first, last", [(D(2025, 1, 10), D(2025, 6, 20)), (D(2025, 3, 5), D(2025, 3, 25))])
def test_the_dashboard_reads_an_odd_range_in_a_fixed_number_of_queries(
    willow, first, last, django_assert_max_num_queries
):
    person = patient(willow, at(2025, 1, 1), at(2025, 6, 30))
    for day in range(1, 28):
        for month in (1, 3, 6):
            incident(willow, person, at(2025, month, day, 10), (("07", 5), ("14", 1)))
    with django_assert_max_num_queries(23):
        dashboard.build([willow], default_options(first, last))
