import datetime

import pytest

from trends import dashboard, stats
from trends.suppression import count

from .conftest import at, incident, patient

pytestmark = pytest.mark.django_db

MARCH, APRIL, MAY = datetime.date(2025, 3, 1), datetime.date(2025, 4, 1), datetime.date(2025, 5, 1)


def options(first=MARCH, last=datetime.date(2025, 5, 31), **extra):
    return {"first": first, "last": last, "group": "", "rebase": [], "rebase_at_events": False, **extra}


def test_rate_matches_the_hand_computed_ward_month(willow, march_on_willow):
    built = dashboard.build([willow], options(), only="rate")
    rows = {row[1]: row for row in built["rates"][0].table.rows}
    assert rows["March 2025"][2:5] == ["26", "3", "115.4"]
    assert rows["April 2025"][2:5] == ["4", "0", "0.0"]  # bed days but no incidents: a zero rate
    assert rows["May 2025"][2:5] == ["0", "0", "no data"]  # no bed days: never a division by zero


def test_drafts_and_entries_made_in_error_do_not_count(willow, march_on_willow):
    scope = stats.Scope([willow.pk], MARCH, datetime.date(2025, 3, 31))
    assert stats.incident_totals(scope)["incidents"] == 2
    monthly = stats.monthly_interventions(scope)
    assert monthly["n"].sum() == 3
    assert set(monthly["group"]) == {"physical", "chemical"}


def test_prone_and_prone_over_ten_minutes(willow, march_on_willow):
    section = dashboard.build([willow], options(), only="prone")["sections"][0]
    march = section.table.rows[0]
    assert march == ["March 2025", "2", "1", "50.0%", "1", "50.0%"]
    assert section.summary.startswith("50.0% of 2 physical restraints were prone")


def test_group_filter_narrows_the_rate_to_that_group(willow, march_on_willow):
    built = dashboard.build([willow], options(group="chemical"), only="rate")
    march = built["rates"][0].table.rows[0]
    assert march[3:5] == ["1", "38.5"]  # 1 / 26 x 1000


def test_months_are_london_months_across_the_clock_change(willow):
    # 00:30 BST on 1 April 2025 is 23:30 UTC on 31 March: it is an April incident.
    person = patient(willow, at(2025, 3, 1), at(2025, 5, 1))
    incident(willow, person, at(2025, 4, 1, 0, 30))
    scope = stats.Scope([willow.pk], MARCH, datetime.date(2025, 4, 30))
    monthly = stats.monthly_interventions(scope)
    assert monthly["month"].tolist() == [APRIL]


def test_restraint_minutes_median_and_national_bands(willow):
    person = patient(willow, at(2025, 3, 1), at(2025, 5, 1))
    for minutes in (4, 8, 15, 45, 90):
        incident(willow, person, at(2025, 3, 10, 10), (("07", minutes),))
    section = dashboard.build([willow], options(), only="minutes")["sections"][0]
    assert section.extra["durations"]["median"] == 15
    assert [row[:2] for row in section.table.rows] == [
        ["0 to 10 minutes", "2"],
        ["11 to 30 minutes", "1"],
        ["31 to 60 minutes", "1"],
        ["Over 60 minutes", "1"],
    ]


def test_time_of_day_uses_london_hours(willow):
    person = patient(willow, at(2025, 6, 1), at(2025, 7, 1))
    incident(willow, person, at(2025, 6, 2, 23, 30))  # a Monday, 23:30 BST (22:30 UTC)
    section = dashboard.build(
        [willow], options(datetime.date(2025, 6, 1), datetime.date(2025, 6, 30)), only="time"
    )["sections"][0]
    assert section.table.rows[0] == ["Monday", "0", "0", "0", "0", "0", "1"]


def test_small_numbers_are_suppressed():
    assert [count(n) for n in (0, 1, 4, 5, 1234)] == ["0", "<5", "<5", "5", "1,234"]


def test_range_without_incidents_shows_zero_rates(willow):
    patient(willow, at(2025, 3, 1), at(2025, 4, 1))
    built = dashboard.build([willow], options(last=datetime.date(2025, 3, 31)))
    assert built["rates"][0].table.rows[0][2:5] == ["31", "0", "0.0"]
    assert "0 incidents" in built["sections"][0].summary


def test_special_cause_improvement_is_shown_in_words_shape_and_nhs_colour(willow):
    from rrp import spc

    person = patient(willow, at(2024, 1, 1), at(2025, 3, 1))
    # Eight busy months, then seven quiet ones: a run below the mean, signalling improvement.
    for month in range(1, 16):
        year, m = 2024 + (month > 12), (month - 1) % 12 + 1
        for day in range(1, 11 if month <= 8 else 2):
            incident(willow, person, at(year, m, day * 2))
    opts = options(datetime.date(2024, 1, 1), datetime.date(2025, 2, 28))
    section = dashboard.build([willow], opts, only="rate")["rates"][0]
    assert section.extra["summary"]["variation"] == "special_cause_improvement"
    assert ", special cause improvement since September 2024." in section.summary
    icon = section.extra["icons"][0]
    assert (icon["short"], icon["shape"]) == ("Improvement", "down")
    markers = {t["name"]: t["marker"] for t in section.figure["data"] if t.get("mode") == "markers"}
    assert (
        markers["Special cause improvement"]["color"] == spc.COLOURS["special_cause_improvement"] == "#00b0f0"
    )
    assert markers["Special cause improvement"]["symbol"] == "diamond"
    assert markers["Special cause concern"]["symbol"] == "square"
    assert section.note == ""  # 14 points: the limits are no longer trial limits


def test_short_series_warns_of_trial_limits(willow, march_on_willow):
    section = dashboard.build([willow], options(), only="rate")["rates"][0]
    assert section.note.startswith("Trial limits: the group starting 2025-03-01 has fewer than 12 points")


def test_interventions_are_those_of_counted_incidents_on_the_wards_in_the_range(willow, march_on_willow):
    """`stats.interventions` (ARRAY of ids on PostgreSQL) picks exactly the rows of the plain filter."""
    from incidents.models import Incident, Intervention

    scope = stats.Scope([willow.pk], MARCH, datetime.date(2025, 3, 31))
    expected = Intervention.objects.filter(
        incident__in=Incident.objects.counted().filter(ward_id__in=[willow.pk]),
        started_at__gte=scope.start,
        started_at__lt=scope.end,
    )
    assert sorted(stats.interventions(scope).values_list("pk", flat=True)) == sorted(
        expected.values_list("pk", flat=True)
    )
    assert stats.interventions(scope).count() == 3
    assert not stats.interventions(stats.Scope([], MARCH, datetime.date(2025, 3, 31))).exists()
