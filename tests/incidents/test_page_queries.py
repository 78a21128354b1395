"""The incident pages and the API list answer in a fixed number of queries, however many rows
and changes an incident has."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from incidents import services
from tests.incidents.factories import ago, make_incident

pytestmark = pytest.mark.django_db

DETAIL_QUERIES = 17  # session, user, incident, its grants to the user, 5 kinds of row, 7 of history, staff
STATUTORY_QUERIES = 9  # session, user (with groups and wards), incident, its grants, 5 kinds of row
API_LIST_QUERIES = 8  # session, user (with groups), wards, count, page ids, rows, interventions, staff


def add_rows_and_changes(incident, nurse, manager, sam):
    """Amend the incident with more of every kind of row, change and remove some, and sign it off."""
    start = incident.started_at
    contact = sam.people_to_notify.create(name="Pat Taylor", relationship="Mother")
    interventions = list(incident.interventions.values("id", "type_code", "started_at", "ended_at"))
    for minute in (6, 7):
        interventions.append(
            {
                "type_code": "05",
                "started_at": start + datetime.timedelta(minutes=minute),
                "ended_at": start + datetime.timedelta(minutes=minute + 1),
                "in_care_plan": "yes",
            }
        )
    staff = list(incident.staff_involved.values("id", "staff", "name", "job_title", "used_force"))[1:]
    staff += [{"name": f"Agency nurse {n}", "job_title": "Nurse", "used_force": True} for n in (1, 2)]
    incident = services.incident_update(
        incident=incident,
        by=nurse,
        version=incident.version,
        reason="Added everyone involved",
        outcome="He slept afterwards.",
        children={
            "interventions": interventions,
            "staff_involved": staff,
            "others_involved": [{"who": "A visitor", "reason": "Held the door", "used_force": False}],
            "notifications": [{"person": contact, "name": "Pat Taylor", "relationship": "Mother"}],
            "observations": [
                {"taken_at": start + datetime.timedelta(minutes=30 * n), "pulse": 80 + n} for n in (1, 2, 3)
            ],
        },
    )
    return services.incident_sign_off(incident=incident, by=manager, version=incident.version)


def test_detail_page_queries_do_not_grow_with_rows_and_history(client, nurse, manager, sam):
    incident = make_incident(sam, nurse)
    url = incident.get_absolute_url()
    client.force_login(nurse)
    client.get(url)  # the session's first request writes its expiry
    with CaptureQueriesContext(connection) as plain:
        client.get(url)
    assert len(plain.captured_queries) <= DETAIL_QUERIES

    add_rows_and_changes(incident, nurse, manager, sam)
    with CaptureQueriesContext(connection) as full:
        response = client.get(url)
    assert len(full.captured_queries) == len(plain.captured_queries)
    history = response.text.split('id="history"')[1]
    assert "Added everyone involved" in history
    assert "Agency nurse 2" in history and "A visitor" in history and "Pat Taylor" in history
    assert 'Signed off by</strong>: <span class="rrp-diff-removed">(blank)</span> → ' in history
    assert '<span class="rrp-diff-added">manager.cal</span>' in history
    assert "Signed off by manager.cal" in response.text or "Signed off by Manager.Cal" in response.text


def test_statutory_record_answers_in_a_fixed_number_of_queries(
    client, nurse, manager, sam, django_assert_max_num_queries
):
    incident = add_rows_and_changes(make_incident(sam, nurse), nurse, manager, sam)
    url = reverse("incidents:statutory", args=[incident.pk])
    client.force_login(nurse)
    client.get(url)
    with django_assert_max_num_queries(STATUTORY_QUERIES):
        response = client.get(url)
    assert "Agency nurse 2, Nurse" in response.text and "A visitor: Held the door" in response.text


def test_api_list_queries_do_not_grow_with_the_page_size(nurse, sam, kai):
    for days in range(1, 9):
        make_incident(sam if days % 2 else kai, nurse, start=ago(days=days, hours=1))
    api = APIClient()
    api.force_login(nurse)
    api.get("/api/v1/incidents/")
    counts = {}
    for size in (2, 8):
        with CaptureQueriesContext(connection) as captured:
            body = api.get("/api/v1/incidents/", {"page_size": size}).json()
        counts[size] = len(captured.captured_queries)
        starts = [row["started_at"] for row in body["results"]]
        assert len(starts) == size and starts == sorted(starts, reverse=True)
        assert all(
            len(row["interventions"]) == 1 and len(row["staff_involved"]) == 2 for row in body["results"]
        )
    assert counts[2] == counts[8] <= API_LIST_QUERIES
    assert body["count"] == 8


def test_recording_an_incident_grants_its_permissions_in_a_few_queries(nurse, sam):
    """Each grant (the ward's team, its managers, the division's leads) is one insert and one
    record, not a read and a write for every permission."""
    from incidents.models import Incident

    with CaptureQueriesContext(connection) as captured:
        make_incident(sam, nurse, submit=False)
    grants = [q for q in captured.captured_queries if "objectpermission" in q["sql"].lower()]
    assert len(grants) == 3
    assert all(q["sql"].lstrip().upper().startswith("INSERT") for q in grants)
    assert Incident.objects.get(service_user=sam).pk
