"""The monthly counts give the dashboard the same numbers as counting the incidents themselves,
and stay right as incidents are recorded, amended, moved and marked as entered in error."""

import datetime
import io

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from incidents import services as incident_services
from incidents.models import Incident, Intervention
from incidents.reviews.models import Review
from tests.incidents.factories import ago, make_incident
from trends import dashboard, monthly, scale, stats
from trends.filters import default_options
from trends.models import MonthlyCount

from .conftest import at, incident, patient

pytestmark = pytest.mark.django_db

FUNCTIONS = [
    "monthly_interventions",
    "monthly_incidents",
    "incident_totals",
    "restraint_durations",
    "reasons",
    "harm",
    "injuries",
    "time_of_week",
    "review_measures",
]
GROUPS = ["", "physical", "chemical", "mechanical", "isolation"]


def _live(function, scope, monkeypatch):
    with monkeypatch.context() as patched:
        patched.setattr(monthly, "covers", lambda scope: False)
        return getattr(stats, function)(scope)


def _same(a, b):
    if isinstance(a, pd.DataFrame):
        a = sorted(map(tuple, a.astype(object).values.tolist()))
        b = sorted(map(tuple, b.astype(object).values.tolist()))
    return a == b


@pytest.fixture
def varied(willow, oak):
    """Two wards, three people, every group, harms, reasons, injuries; drafts and errors too."""
    ann = patient(willow, at(2025, 1, 1), at(2025, 6, 30), sex="female")
    bob = patient(willow, at(2025, 1, 1), at(2025, 3, 20))
    cy = patient(oak, at(2025, 1, 1), at(2025, 6, 30))
    incident(willow, ann, at(2025, 2, 3, 9), (("01", 12), ("14", 1)), reason_code="10", physical_harm="low")
    incident(
        willow, ann, at(2025, 2, 14, 23, 30), (("07", 4),), reason_code="11", psychological_harm="moderate"
    )
    incident(willow, bob, at(2025, 3, 2, 1), (("05", 600), ("16", 1)), death_or_serious_injury="none")
    incident(willow, bob, at(2025, 3, 30, 0, 30), (("01", 8), ("04", 20)))  # the night the clocks change
    incident(oak, cy, at(2025, 3, 31, 23, 50), (("06", 3000),), reason_code="13")
    incident(oak, cy, at(2025, 4, 2, 14), (("09", 30),), status="draft")
    incident(oak, cy, at(2025, 4, 3, 14), (("09", 30),), error=True)
    injured = incident(willow, ann, at(2025, 4, 28, 16), (("07", 3), ("15", 1)), reason_code="10")
    Intervention.objects.filter(incident=injured, type_code="07").update(
        patient_injured=True, staff_injured=True
    )
    # .update() bypasses saves: count again, as a bulk load would.
    monthly.rebuild()
    # Reviews: held with the person in time, held late without them, and one not held yet.
    first, second, third = Incident.objects.filter(ward=willow).order_by("started_at")[:3]
    for made, with_person, late in ((first, True, False), (second, False, True)):
        Review.objects.create(
            incident=made,
            due_at=made.started_at + datetime.timedelta(hours=72),
            held_at=made.started_at + datetime.timedelta(hours=100 if late else 24),
            held_with_service_user=with_person,
        )
    Review.objects.create(incident=third, due_at=third.started_at + datetime.timedelta(hours=72))
    # An intervention that starts in the next month from its incident's start.
    late = incident(oak, cy, at(2025, 4, 30, 23, 55), (("11", 20),))
    Intervention.objects.create(
        incident=late, type_code="14", started_at=at(2025, 5, 1, 0, 10), ended_at=at(2025, 5, 1, 0, 11)
    )
    return willow, oak


@pytest.mark.parametrize("group", GROUPS)
@pytest.mark.parametrize("function", FUNCTIONS)
def test_counts_give_the_same_answer_as_the_incidents(varied, function, group, monkeypatch):
    willow, oak = varied
    for wards in ([willow.pk], [oak.pk], [willow.pk, oak.pk]):
        scope = stats.Scope(wards, datetime.date(2025, 1, 1), datetime.date(2025, 5, 31), group)
        assert monthly.covers(scope)
        from_counts = getattr(stats, function)(scope)
        assert _same(from_counts, _live(function, scope, monkeypatch)), (function, group, wards)


def _counts():
    return sorted(MonthlyCount.objects.values_list("ward_id", "month", "group", "measure", "key", "n"))


def test_kept_counts_equal_a_rebuild_from_scratch(varied):
    kept = _counts()
    assert kept
    assert MonthlyCount.objects.filter(measure="with_person").exists()
    assert MonthlyCount.objects.filter(measure="in_time").exists()
    monthly.rebuild()
    assert _counts() == kept


def _this_month(ward):
    today = datetime.date.today()
    scope = stats.Scope([ward.pk], today.replace(day=1), today)
    assert monthly.covers(scope)
    return stats.incident_totals(scope)["incidents"], int(stats.monthly_interventions(scope)["n"].sum() or 0)


def test_recording_amending_and_marking_in_error_keep_the_dashboard_right(willow, sam, nurse, manager):
    assert _this_month(willow) == (0, 0)
    draft = make_incident(sam, nurse, start=ago(hours=2), submit=False)
    assert _this_month(willow) == (0, 0)  # drafts do not count

    submitted = incident_services.incident_submit(incident=draft, by=nurse)
    assert _this_month(willow) == (1, 1)

    second = make_incident(sam, nurse, start=ago(hours=5))
    assert _this_month(willow) == (2, 2)

    # An amendment adds a second intervention to a submitted incident.
    intervention = second.interventions.get()
    start = intervention.started_at
    children = {
        "interventions": [
            {"id": intervention.pk},
            {
                "type_code": "14",
                "started_at": start,
                "ended_at": start + datetime.timedelta(minutes=1),
                "in_care_plan": "no",
            },
        ]
    }
    second.refresh_from_db()
    incident_services.incident_update(
        incident=second,
        by=nurse,
        version=second.version,
        reason="rapid tranquillisation was left out",
        children=children,
    )
    assert _this_month(willow) == (2, 3)

    submitted.refresh_from_db()
    incident_services.incident_mark_error(
        incident=submitted, by=manager, reason="recorded twice", version=submitted.version
    )
    assert _this_month(willow) == (1, 2)
    kept = _counts()
    monthly.rebuild()
    assert _counts() == kept


def test_moving_an_incident_to_another_month_moves_its_counts(willow):
    person = patient(willow, at(2025, 1, 1), at(2025, 6, 30))
    made = incident(willow, person, at(2025, 2, 10, 12), (("07", 5),))

    def february():
        return stats.Scope([willow.pk], datetime.date(2025, 2, 1), datetime.date(2025, 2, 28))

    def march():
        return stats.Scope([willow.pk], datetime.date(2025, 3, 1), datetime.date(2025, 3, 31))

    assert (stats.incident_totals(february())["incidents"], stats.incident_totals(march())["incidents"]) == (
        1,
        0,
    )

    made.started_at = at(2025, 3, 10, 12)
    made.save()
    intervention = made.interventions.get()
    intervention.started_at, intervention.ended_at = at(2025, 3, 10, 12), at(2025, 3, 10, 12, 5)
    intervention.save()
    assert (stats.incident_totals(february())["incidents"], stats.incident_totals(march())["incidents"]) == (
        0,
        1,
    )
    assert stats.monthly_interventions(february()).empty
    assert stats.monthly_interventions(march())["n"].tolist() == [1]


def test_the_dashboard_reads_the_counts_in_a_fixed_number_of_queries(willow, django_assert_max_num_queries):
    person = patient(willow, at(2025, 1, 1), at(2025, 6, 30))
    for day in range(1, 28):
        incident(willow, person, at(2025, 3, day, 10), (("07", 5), ("14", 1)))
    options = default_options(datetime.date(2025, 1, 1), datetime.date(2025, 6, 30))
    with django_assert_max_num_queries(25):
        dashboard.build([willow], options)


def test_scale_rebuilds_only_wards_whose_counts_are_out_of_date(willow, oak):
    person = patient(willow, at(2025, 1, 1), at(2025, 6, 30))
    incident(willow, person, at(2025, 3, 10, 12))
    assert scale.stale_wards() == []
    MonthlyCount.objects.filter(ward=willow).delete()  # as after a bulk load that bypassed saves
    assert scale.stale_wards() == [willow.pk]
    assert scale.seed_scale(None, 0) > 0
    assert scale.stale_wards() == []
    assert scale.seed_scale(None, 0) == 0


def test_the_rebuild_command_restores_counts_lost_to_a_bulk_change(willow):
    person = patient(willow, at(2025, 1, 1), at(2025, 6, 30))
    incident(willow, person, at(2025, 3, 10, 12), (("01", 12),))
    kept = _counts()
    MonthlyCount.objects.all().delete()
    out = io.StringIO()
    call_command("rebuild_monthly_counts", stdout=out)
    assert _counts() == kept
    assert "Rebuilt" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("rebuild_monthly_counts", "--ward", "not-a-number")
