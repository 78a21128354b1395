import datetime

import pytest
from django.core.exceptions import ValidationError

from incidents import services
from incidents.models import Incident, Intervention, RecordRetained
from incidents.signals import incident_submitted
from rrp.concurrency import StaleEdit
from tests.incidents.factories import COMPLETE, ago, complete_children, make_incident

pytestmark = pytest.mark.django_db


def test_a_draft_can_be_saved_with_almost_nothing_in_it(nurse, sam, willow):
    incident = services.incident_create(service_user=sam, by=nurse)
    assert incident.status == Incident.Status.DRAFT
    assert incident.ward == willow
    assert incident.history.first().history_user == nurse


def test_submission_lists_everything_that_is_missing(nurse, sam):
    incident = services.incident_create(service_user=sam, by=nurse)
    with pytest.raises(ValidationError) as exc:
        services.incident_submit(incident=incident, by=nurse)
    errors = exc.value.message_dict
    for field in ("started_at", "reason_code", "how_force_used", "deescalation", "outcome", "physical_harm"):
        assert field in errors
    assert "interventions" in errors
    assert "staff_involved" in errors
    incident.refresh_from_db()
    assert incident.status == Incident.Status.DRAFT


def test_complete_incident_submits_sends_signal_and_keeps_characteristics(nurse, sam):
    received = []

    def listener(sender, incident, by, **kwargs):
        received.append((incident.pk, by))

    incident_submitted.connect(listener)
    try:
        incident = make_incident(sam, nurse)
    finally:
        incident_submitted.disconnect(listener)
    assert incident.status == Incident.Status.SUBMITTED
    assert received == [(incident.pk, nurse)]
    assert incident.age_at_incident == sam.age_on(incident.started_at.date())
    assert incident.sex == sam.sex
    assert incident.submitted_by == nurse


def test_double_submit_sends_the_signal_once(nurse, sam):
    received = []

    def listener(sender, incident, **kwargs):
        received.append(incident.pk)

    incident_submitted.connect(listener, dispatch_uid="count")
    try:
        incident = make_incident(sam, nurse)
        services.incident_submit(incident=incident, by=nurse)
    finally:
        incident_submitted.disconnect(dispatch_uid="count")
    assert len(received) == 1


def test_same_form_token_creates_one_incident(nurse, sam):
    token = "7b2ad8e4-52bd-4c3f-9b4c-6f6b7c8f2a11"
    first = services.incident_create(service_user=sam, by=nurse, form_token=token)
    second = services.incident_create(service_user=sam, by=nurse, form_token=token)
    assert first.pk == second.pk
    assert Incident.objects.count() == 1


def test_intervention_must_end_after_it_starts(nurse, sam):
    start = ago(hours=2)
    children = complete_children(start)
    children["interventions"][0]["ended_at"] = start - datetime.timedelta(minutes=1)
    with pytest.raises(ValidationError) as exc:
        services.incident_create(service_user=sam, by=nurse, started_at=start, children=children)
    assert "must end after it started" in str(exc.value.message_dict["interventions.0.ended_at"])


def test_nothing_in_the_future(nurse, sam):
    with pytest.raises(ValidationError) as exc:
        services.incident_create(service_user=sam, by=nurse, started_at=ago(hours=-2))
    assert "future" in exc.value.message_dict["started_at"][0]


def test_person_must_have_been_on_the_ward_at_the_time(nurse, sam):
    with pytest.raises(ValidationError) as exc:
        services.incident_create(service_user=sam, by=nurse, started_at=ago(days=400))
    assert "not admitted" in exc.value.message_dict["started_at"][0]


def test_nurse_cannot_record_on_a_ward_that_is_not_hers(nurse_cedar, sam):
    with pytest.raises(ValidationError) as exc:
        services.incident_create(service_user=sam, by=nurse_cedar, started_at=ago(hours=1))
    assert "not one of your wards" in exc.value.message_dict["started_at"][0]


def test_prone_restraint_needs_its_reason(nurse, sam):
    start = ago(hours=2)
    incident = services.incident_create(
        service_user=sam,
        by=nurse,
        started_at=start,
        ended_at=start + datetime.timedelta(minutes=30),
        children=complete_children(start, type_code="01", minutes=12),
        **COMPLETE,
    )
    with pytest.raises(ValidationError) as exc:
        services.incident_submit(incident=incident, by=nurse)
    assert "26.70" in exc.value.message_dict["interventions.0.prone_reason"][0]


def test_prone_over_ten_minutes_is_flagged_for_review(nurse, sam):
    from incidents import rules

    incident = make_incident(sam, nurse, minutes=12)
    intervention = incident.interventions.get()
    intervention.type_code = "01"
    intervention.duration_minutes = 12
    assert any("over 10" in f for f in rules.flags([intervention], []))


def test_rapid_tranquillisation_without_hourly_observations_is_flagged(nurse, sam):
    from incidents import rules

    start = ago(hours=5)
    rt = Intervention(type_code="14", started_at=start, ended_at=start + datetime.timedelta(minutes=2))
    assert "no physical health observations" in rules.flags([rt], [])[0]

    class Obs:
        def __init__(self, minutes):
            self.taken_at = start + datetime.timedelta(minutes=minutes)

    assert rules.flags([rt], [Obs(30), Obs(90), Obs(150)]) == []
    assert "not at least hourly" in rules.flags([rt], [Obs(30), Obs(150)])[0]


def test_amending_a_submitted_incident_needs_a_reason_and_shows_in_history(nurse, sam):
    incident = make_incident(sam, nurse)
    with pytest.raises(ValidationError) as exc:
        services.incident_update(incident=incident, by=nurse, version=incident.version, outcome="Calm.")
    assert "change_reason" in exc.value.message_dict
    services.incident_update(
        incident=incident, by=nurse, version=incident.version, reason="Spelling", outcome="Calm."
    )
    record = incident.history.first()
    assert record.history_change_reason == "Spelling"
    assert record.history_user == nurse
    delta = record.diff_against(record.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("outcome", COMPLETE["outcome"], "Calm.")]


def test_stale_amendment_is_refused(nurse, manager, sam):
    incident = make_incident(sam, nurse)
    old_version = incident.version
    services.incident_update(incident=incident, by=manager, version=old_version, reason="x", outcome="A")
    with pytest.raises(StaleEdit):
        services.incident_update(incident=incident, by=nurse, version=old_version, reason="y", outcome="B")
    incident.refresh_from_db()
    assert incident.outcome == "A"


def test_sign_off_and_entered_in_error(nurse, manager, sam):
    incident = make_incident(sam, nurse)
    incident = services.incident_sign_off(incident=incident, by=manager)
    assert incident.status == Incident.Status.SIGNED_OFF
    assert Incident.objects.counted().filter(pk=incident.pk).exists()
    with pytest.raises(ValidationError):
        services.incident_mark_error(incident=incident, by=manager, reason=" ")
    services.incident_mark_error(incident=incident, by=manager, reason="Wrong person")
    assert not Incident.objects.counted().filter(pk=incident.pk).exists()
    assert Incident.objects.filter(pk=incident.pk).exists()
    with pytest.raises(ValidationError):
        services.incident_update(incident=incident, by=nurse, version=incident.version + 1, reason="x")


def test_a_draft_cannot_be_signed_off(nurse, manager, sam):
    incident = make_incident(sam, nurse, submit=False)
    with pytest.raises(ValidationError):
        services.incident_sign_off(incident=incident, by=manager)


def test_incidents_cannot_be_deleted_within_the_retention_period(nurse, sam, settings):
    incident = make_incident(sam, nurse)
    with pytest.raises(RecordRetained):
        incident.delete()
    with pytest.raises(RecordRetained):
        Incident.objects.all().delete()
    assert Incident.objects.count() == 1


def test_an_incident_older_than_the_retention_period_may_be_deleted(nurse, sam, settings):
    incident = make_incident(sam, nurse)
    settings.RRP_RECORD_RETENTION_YEARS = 0
    Incident.objects.filter(pk=incident.pk).delete()
    assert Incident.objects.count() == 0
