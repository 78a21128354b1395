"""`rrp.copyload.create_with_history`: the volume generator's fast writer (COPY on PostgreSQL)."""

import datetime

import pytest
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from incidents.models import Incident, Intervention
from rrp.copyload import create_with_history
from rrp.models import Admission

WHEN = timezone.now().replace(microsecond=0) - datetime.timedelta(days=3)


def _incidents(person, ward, nurse, manager, count=3):
    admission = Admission.objects.get(service_user=person)
    made = []
    for index in range(count):
        incident = Incident(
            service_user=person,
            ward=ward,
            admission=admission,
            place="Lounge, by the window",
            started_at=WHEN + datetime.timedelta(hours=index),
            ended_at=WHEN + datetime.timedelta(hours=index, minutes=12),
            reason_code="10",
            reason_description='Hit out after a phone call; said "leave me alone".',
            deescalation=["verbal", "space"][: index + 1],
            outcome="Settled within the hour.\nTalked it through with the nurse.",
            status=Incident.Status.SIGNED_OFF if index else Incident.Status.DRAFT,
            reported_by=nurse,
            signed_off_by=manager if index else None,
            signed_off_at=WHEN + datetime.timedelta(days=1) if index else None,
            created_at=WHEN + datetime.timedelta(hours=index, minutes=40),
        )
        incident._history_user = nurse
        incident._history_date = incident.created_at
        incident._change_reason = "synthetic volume for benchmarks"
        made.append(incident)
    return made


def _interventions(incidents):
    rows = []
    for incident in incidents:
        row = Intervention(
            incident=incident,
            type_code="05",
            group="seclusion",
            started_at=incident.started_at,
            ended_at=incident.ended_at,
            duration_minutes=12,
            patient_injured=True,
        )
        row._history_date = incident.created_at
        rows.append(row)
    return rows


def _rows(model, pks, *, leave_out=()):
    leave_out = {"id", *leave_out}
    return [
        {key: value for key, value in row.items() if key not in leave_out}
        for row in model.objects.filter(pk__in=pks).order_by("pk").values()
    ]


def _history(model, pks, *, leave_out=()):
    leave_out = {"id", "history_id", *leave_out}
    return [
        {key: value for key, value in row.items() if key not in leave_out}
        for row in model.history.filter(id__in=pks).order_by("id").values()
    ]


def test_every_record_gets_its_id_and_one_created_history_row(sam, willow, nurse, manager):
    incidents = create_with_history(_incidents(sam, willow, nurse, manager), Incident)
    assert all(incident.pk for incident in incidents)
    rows = create_with_history(_interventions(incidents), Intervention, default_user=manager)
    assert [row.incident_id for row in rows] == [incident.pk for incident in incidents]

    stored = Incident.objects.get(pk=incidents[1].pk)
    assert stored.deescalation == ["verbal", "space"]
    assert stored.status == Incident.Status.SIGNED_OFF
    assert stored.reason_description == 'Hit out after a phone call; said "leave me alone".'
    assert stored.outcome == "Settled within the hour.\nTalked it through with the nurse."
    assert stored.form_token == incidents[1].form_token
    history = list(stored.history.all())
    assert len(history) == 1
    assert (history[0].history_type, history[0].history_user, history[0].history_date) == (
        "+",
        nurse,
        stored.created_at,
    )
    assert history[0].history_change_reason == "synthetic volume for benchmarks"
    assert history[0].deescalation == ["verbal", "space"]
    # No `_history_user` on the interventions: the default user is recorded.
    assert Intervention.history.get(id=rows[0].pk).history_user == manager


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is used on PostgreSQL only")
def test_copy_writes_the_same_rows_as_bulk_create_with_history(sam, willow, nurse, manager):
    by_orm = _incidents(sam, willow, nurse, manager)
    bulk_create_with_history(by_orm, Incident)
    bulk_create_with_history(_interventions(by_orm), Intervention, default_user=manager)
    by_copy = create_with_history(_incidents(sam, willow, nurse, manager), Incident)
    create_with_history(_interventions(by_copy), Intervention, default_user=manager)

    orm_ids, copy_ids = [i.pk for i in by_orm], [i.pk for i in by_copy]
    assert _rows(Incident, copy_ids, leave_out={"form_token"}) == _rows(
        Incident, orm_ids, leave_out={"form_token"}
    )
    assert _history(Incident, copy_ids, leave_out={"form_token"}) == _history(
        Incident, orm_ids, leave_out={"form_token"}
    )
    orm_rows = Intervention.objects.filter(incident__in=orm_ids).values_list("pk", flat=True)
    copy_rows = Intervention.objects.filter(incident__in=copy_ids).values_list("pk", flat=True)
    assert _rows(Intervention, copy_rows, leave_out={"incident_id"}) == _rows(
        Intervention, orm_rows, leave_out={"incident_id"}
    )
    assert _history(Intervention, copy_rows, leave_out={"incident_id"}) == _history(
        Intervention, orm_rows, leave_out={"incident_id"}
    )
    # The ids come from the tables' own sequences: a record saved afterwards does not collide.
    later = _incidents(sam, willow, nurse, manager, count=1)[0]
    later.save()
    assert later.pk > max(copy_ids)


def test_an_unsaved_parent_is_refused_not_written_without_it(sam, willow, nurse, manager):
    rows = _interventions(_incidents(sam, willow, nurse, manager, count=1))
    with pytest.raises(ValueError, match="unsaved related object"), transaction.atomic():
        create_with_history(rows, Intervention)
    assert not Intervention.objects.exists()
