"""The volume generator behind `seed_demo --scale N`, at small N."""

import datetime
import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Max, Min

from incidents import scale as incident_scale
from incidents.codes import GROUP_OF
from incidents.models import (
    Incident,
    IncidentGroupObjectPermission,
    IncidentUserObjectPermission,
    Intervention,
    StaffInvolvement,
)
from rrp import permissions
from rrp import scale as rrp_scale
from rrp.beddays import occupied_bed_days
from rrp.demo import TRUST_NAME, Cast
from rrp.models import Admission, PermissionEvent, ServiceUser, Trust, local_date
from tests.conftest import make_user

N = 40


@pytest.fixture
def cast(db):
    admin = make_user("admin", is_superuser=True, is_staff=True)
    Trust.objects.create(name=TRUST_NAME)
    cast = Cast()
    cast.users["admin"] = admin
    return cast


@pytest.fixture
def scaled(cast):
    rrp_scale.seed_scale(cast, N)
    incident_scale.seed_scale(cast, N)
    return cast


def test_shape_follows_n():
    assert rrp_scale.shape_for(10) == rrp_scale.Shape(wards=1, divisions=1)
    assert rrp_scale.shape_for(100_000) == rrp_scale.Shape(wards=10, divisions=1)
    assert rrp_scale.shape_for(1_000_000) == rrp_scale.Shape(wards=100, divisions=10)
    assert rrp_scale.shape_for(5_000_000) == rrp_scale.Shape(wards=100, divisions=10)


def test_refuses_a_database_with_real_data(org):
    with pytest.raises(CommandError, match="not the demo trust"):
        call_command("seed_demo", scale=10, stdout=io.StringIO())
    with pytest.raises(CommandError, match="not the demo trust"):
        rrp_scale.seed_scale(Cast(), 10)
    with pytest.raises(CommandError, match="not the demo trust"):
        incident_scale.seed_scale(Cast(), 10)
    assert not Incident.objects.exists()
    assert not rrp_scale.scale_wards().exists()


def test_refuses_without_the_demo(db):
    with pytest.raises(CommandError, match="seed_demo"):
        rrp_scale.seed_scale(Cast(), 10)


def test_incidents_are_complete_and_placed_in_an_admission(scaled):
    ward = rrp_scale.scale_wards().get()
    incidents = list(Incident.objects.filter(ward=ward).select_related("admission", "service_user"))
    assert len(incidents) == N
    now = scaled.now
    for incident in incidents:
        admission = incident.admission
        assert admission.ward_id == ward.pk and admission.service_user_id == incident.service_user_id
        assert admission.start <= incident.started_at
        assert admission.end is None or incident.started_at < admission.end
        assert incident.started_at >= now - datetime.timedelta(days=rrp_scale.WINDOW_DAYS)
        assert incident.ended_at <= now
        person = incident.service_user
        assert incident.age_at_incident == person.age_on(local_date(incident.started_at))
        assert (incident.sex, incident.ethnicity, incident.autism) == (
            person.sex,
            person.ethnicity,
            person.autism,
        )
        assert incident.reason_code and incident.deescalation and incident.how_force_used
        interventions = list(incident.interventions.all())
        assert 1 <= len(interventions) <= 3
        assert incident.ended_at == max(i.ended_at for i in interventions)
        for row in interventions:
            assert row.group == GROUP_OF[row.type_code]
            assert row.ended_at > row.started_at >= incident.started_at
            assert row.duration_minutes == round((row.ended_at - row.started_at).total_seconds() / 60)
            assert bool(row.prone_reason) == (row.type_code == "01")
        assert incident.staff_involved.filter(staff=incident.reported_by).exists()
        if incident.status != Incident.Status.DRAFT:
            assert incident.submitted_at >= incident.created_at
        if incident.status == Incident.Status.SIGNED_OFF:
            assert incident.signed_off_by.groups.filter(pk=ward.managers_group_id).exists()


def test_history_is_written_for_every_record(scaled):
    incident = Incident.objects.order_by("pk").first()
    history = list(incident.history.all())
    assert len(history) == 1
    assert history[0].history_type == "+"
    assert history[0].history_user == incident.reported_by
    assert history[0].history_date == incident.created_at
    for model in (Incident, Intervention, StaffInvolvement, ServiceUser, Admission):
        records = model.objects.count()
        assert model.history.count() >= records > 0, model


def test_permissions_match_the_incidents_service(scaled):
    ward = rrp_scale.scale_wards().get()
    nurse = User.objects.get(username="scale.nurse.001")
    manager = User.objects.get(username="scale.manager.001")
    lead = User.objects.get(username="scale.lead.01")
    outsider = make_user("outsider")
    all_incidents = Incident.objects.filter(ward=ward)
    assert permissions.visible(nurse, "view", Incident.objects.all()).count() == N
    assert permissions.visible(lead, "view", Incident.objects.all()).count() == N
    assert permissions.visible(outsider, "view", Incident.objects.all()).count() == 0
    incident = all_incidents.first()
    assert permissions.has(nurse, "change", incident)
    assert not permissions.has(nurse, "incidents.sign_off_incident", incident)
    assert permissions.has(manager, "incidents.sign_off_incident", incident)
    assert permissions.has(manager, "incidents.mark_error_incident", incident)
    assert not permissions.has(lead, "change", incident)
    grants = IncidentGroupObjectPermission.objects.count() + IncidentUserObjectPermission.objects.count()
    assert grants == 5 * N + IncidentUserObjectPermission.objects.count()
    events = PermissionEvent.objects.filter(object_type="incidents.incident")
    assert events.count() == grants
    event = events.filter(permission="incidents.sign_off_incident").first()
    assert event.group_id == ward.managers_group_id and event.action == "grant"
    # The people on the ward now are visible to its team; people who left are not.
    current = Admission.objects.filter(ward=ward, end__isnull=True).first()
    left = Admission.objects.filter(ward=ward, end__isnull=False).exclude(service_user__admissions__end=None)
    assert permissions.has(nurse, "view", current.service_user)
    assert permissions.has(nurse, "view", current)
    assert not permissions.has(nurse, "view", left.first().service_user)
    assert permissions.has(lead, "view", current.service_user)


def test_the_scale_service_user_sees_only_their_own_submitted_incidents(cast):
    rrp_scale.seed_scale(cast, 2000)
    incident_scale.seed_scale(cast, 2000)
    user = User.objects.get(username="scale.person.001")
    person = user.service_user
    seen = permissions.visible(user, "view", Incident.objects.all())
    own = Incident.objects.filter(service_user=person).exclude(status="draft")
    assert set(seen) == set(own)
    assert permissions.has(user, "view", person)


def test_wards_stay_near_full_so_bed_days_are_believable(scaled):
    ward = rrp_scale.scale_wards().get()
    today = scaled.now.date()
    first = (today.replace(day=1) - datetime.timedelta(days=200)).replace(day=1)
    last = (first + datetime.timedelta(days=95)).replace(day=1) - datetime.timedelta(days=1)
    days = occupied_bed_days([ward], first, last)
    span = (last - first).days + 1
    total = sum(days.values())
    assert 0.8 * ward.beds * span <= total <= ward.beds * span
    # Nobody is in two places at once.
    for person in ServiceUser.objects.filter(admissions__ward=ward).distinct()[:50]:
        stays = list(person.admissions.order_by("start"))
        for before, after in zip(stays, stays[1:], strict=False):
            assert before.end is not None and before.end <= after.start


def test_running_again_adds_only_what_is_missing(scaled):
    counts = (Incident.objects.count(), Admission.objects.count(), PermissionEvent.objects.count())
    assert not rrp_scale.seed_scale(scaled, N)
    assert not incident_scale.seed_scale(scaled, N)
    assert (Incident.objects.count(), Admission.objects.count(), PermissionEvent.objects.count()) == counts
    added = incident_scale.seed_scale(scaled, N + 15)
    assert added["incidents"] == 15
    assert Incident.objects.count() == N + 15
    per_incident = Incident.objects.annotate(n=Count("interventions")).aggregate(lo=Min("n"), hi=Max("n"))
    assert per_incident["lo"] >= 1 and per_incident["hi"] <= 3


def test_submitted_incidents_have_their_reviews_shared_like_the_service(scaled):
    from incidents.reviews.models import Review

    ward = rrp_scale.scale_wards().get()
    submitted = Incident.objects.filter(ward=ward).exclude(status=Incident.Status.DRAFT)
    assert Review.objects.count() == submitted.count() > 0
    assert not Review.objects.filter(incident__status=Incident.Status.DRAFT).exists()
    nurse = User.objects.get(username="scale.nurse.001")
    manager = User.objects.get(username="scale.manager.001")
    lead = User.objects.get(username="scale.lead.01")
    assert permissions.visible(nurse, "view", Review.objects.all()).count() == Review.objects.count()
    assert permissions.visible(lead, "view", Review.objects.all()).count() == Review.objects.count()
    review = Review.objects.first()
    assert permissions.has(manager, "reviews.close_review", review)
    assert not permissions.has(lead, "change", review)
    for review in Review.objects.select_related("incident"):
        assert review.due_at > review.incident.started_at
        assert review.history.count() == 1
        if review.status == "closed":
            assert review.closed_at <= scaled.now and review.closed_by == manager
            assert review.held_with_service_user == (review.participation == "taking_part")
            assert review.held_with_staff == review.accounts.filter(kind="staff", status="shared").exists()
            assert permissions.has(manager, "reviews.close_review", review)
    events = PermissionEvent.objects.filter(object_type="reviews.review")
    grants = sum(
        model.objects.count()
        for model in (
            apps_get("reviews", "ReviewGroupObjectPermission"),
            apps_get("reviews", "ReviewUserObjectPermission"),
        )
    )
    assert events.count() == grants


def test_reviews_top_up_fills_in_reviews_for_an_earlier_load(scaled):
    from incidents.reviews.models import Review

    Review.history.all().delete()
    apps_get("reviews", "Account").objects.all().delete()
    Review.objects.all().delete()
    made = incident_scale.reviews_top_up()
    assert made == Review.objects.count() > 0
    assert incident_scale.reviews_top_up() == 0


def apps_get(app, model):
    from django.apps import apps

    return apps.get_model(app, model)


def _share_total(share):
    return sum(share)


def _divide(share):
    return [1 / value for value in share]


def test_work_is_shared_between_processes_and_a_failed_share_stops_the_load():
    assert rrp_scale.in_parallel(_share_total, [1, 2, 3, 4, 5], 2) == [9, 6]
    with pytest.raises(CommandError, match="ZeroDivisionError.*Run the command again"):
        rrp_scale.in_parallel(_divide, [1, 0, 2, 4], 2)


def test_one_process_inside_a_transaction_whatever_is_asked(db, monkeypatch):
    monkeypatch.setenv("RRP_SCALE_WORKERS", "4")
    # A forked process could not see the rows this transaction has not committed.
    assert rrp_scale.workers(10) == 1
