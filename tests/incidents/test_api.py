import datetime

import pytest
from rest_framework.test import APIClient

from incidents.models import Incident
from tests.incidents.factories import COMPLETE, ago, make_incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def payload(person, start, **overrides):
    return {
        "service_user": person.pk,
        "started_at": start.isoformat(),
        "ended_at": (start + datetime.timedelta(minutes=15)).isoformat(),
        **COMPLETE,
        "interventions": [
            {
                "type_code": "09",
                "started_at": start.isoformat(),
                "ended_at": (start + datetime.timedelta(minutes=4)).isoformat(),
                "in_care_plan": "yes",
            },
            {
                "type_code": "16",
                "started_at": (start + datetime.timedelta(minutes=5)).isoformat(),
                "ended_at": (start + datetime.timedelta(minutes=6)).isoformat(),
                "in_care_plan": "yes",
            },
        ],
        "staff_involved": [{"name": "Ash Patel", "job_title": "Registered nurse", "used_force": True}],
        **overrides,
    }


def test_create_and_submit_with_nested_interventions(api, nurse, sam):
    api.force_authenticate(nurse)
    response = api.post("/api/v1/incidents/", payload(sam, ago(hours=2), submit=True), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "submitted"
    assert body["service_user"] == sam.pk
    assert body["ward"] == sam.current_ward.pk
    assert [i["type_code"] for i in body["interventions"]] == ["09", "16"]
    assert body["interventions"][0]["duration_minutes"] == 4
    assert body["interventions"][1]["group"] == "chemical"


def test_bad_input_answers_400_with_field_messages(api, nurse, sam):
    api.force_authenticate(nurse)
    start = ago(hours=2)
    data = payload(sam, start)
    data["interventions"][0]["ended_at"] = (start - datetime.timedelta(minutes=1)).isoformat()
    response = api.post("/api/v1/incidents/", data, format="json")
    assert response.status_code == 400
    assert "must end after it started" in str(response.json()["interventions.0.ended_at"])
    assert Incident.objects.count() == 0
    response = api.post("/api/v1/incidents/", payload(sam, ago(hours=-3)), format="json")
    assert response.status_code == 400
    assert "future" in str(response.json()["started_at"])


def test_submission_lists_what_is_missing(api, nurse, sam):
    api.force_authenticate(nurse)
    response = api.post(
        "/api/v1/incidents/", {"service_user": sam.pk, "submit": True, "place": "Lounge"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert "how_force_used" in body and "interventions" in body


def test_cannot_create_for_someone_not_on_my_ward(api, nurse, lou):
    api.force_authenticate(nurse)
    response = api.post("/api/v1/incidents/", payload(lou, ago(hours=2)), format="json")
    assert response.status_code == 400
    assert "service_user" in response.json()


def test_amend_with_reason_and_409_when_stale(api, nurse, manager, sam):
    incident = make_incident(sam, nurse)
    api.force_authenticate(nurse)
    url = f"/api/v1/incidents/{incident.pk}/"
    no_reason = api.patch(url, {"version": incident.version, "outcome": "Slept."}, format="json")
    assert no_reason.status_code == 400
    assert "change_reason" in no_reason.json()
    ok = api.patch(
        url, {"version": incident.version, "outcome": "Slept.", "change_reason": "More detail"}, format="json"
    )
    assert ok.status_code == 200
    assert ok.json()["outcome"] == "Slept."
    stale = api.patch(
        url, {"version": incident.version, "outcome": "Other.", "change_reason": "x"}, format="json"
    )
    assert stale.status_code == 409
    incident.refresh_from_db()
    assert incident.outcome == "Slept."
    assert incident.history.first().history_change_reason == "More detail"


def test_api_scoping(api, nurse, nurse_cedar, lead, sam):
    incident = make_incident(sam, nurse)
    url = f"/api/v1/incidents/{incident.pk}/"
    api.force_authenticate(nurse_cedar)
    assert api.get(url).status_code == 404
    assert api.get("/api/v1/incidents/").json()["count"] == 0
    api.force_authenticate(lead)
    assert api.get(url).status_code == 200
    assert (
        api.patch(url, {"version": incident.version, "change_reason": "x"}, format="json").status_code == 403
    )
    api.force_authenticate(nurse)
    assert api.get("/api/v1/incidents/?prone=maybe").status_code == 400


def test_service_user_sees_job_titles_not_names_in_the_api(api, nurse, sam):
    incident = make_incident(sam, nurse)
    api.force_authenticate(sam.user)
    body = api.get(f"/api/v1/incidents/{incident.pk}/").json()
    assert {s["job_title"] for s in body["staff_involved"]} == {"Registered nurse", "Healthcare assistant"}
    assert all(s["name"] == "" and s["staff"] is None for s in body["staff_involved"])
    assert "Ash Patel" not in str(body)


def test_no_delete_through_the_api(api, nurse, sam):
    incident = make_incident(sam, nurse)
    api.force_authenticate(nurse)
    assert api.delete(f"/api/v1/incidents/{incident.pk}/").status_code == 405


def test_serializers_whose_fields_are_made_once_answer_as_drf_makes_them(api, nurse, sam, monkeypatch):
    """rrp.serializers.FieldsOnce: the same list and record as DRF's own ModelSerializer gives."""
    from rrp.serializers import FieldsOnce

    incident = make_incident(sam, nurse)
    api.force_authenticate(nurse)
    once = [api.get("/api/v1/incidents/").json(), api.get(f"/api/v1/incidents/{incident.pk}/").json()]
    monkeypatch.setattr(FieldsOnce, "get_fields", lambda self: super(FieldsOnce, self).get_fields())
    each_time = [api.get("/api/v1/incidents/").json(), api.get(f"/api/v1/incidents/{incident.pk}/").json()]
    assert once == each_time and once[0]["results"][0]["interventions"]


def test_a_serializers_own_change_to_its_fields_stays_its_own(api, nurse, sam):
    from incidents.serializers import IncidentSerializer

    incident = make_incident(sam, nurse)
    changing = IncidentSerializer(incident)  # the person of an incident cannot be changed
    assert changing.fields["service_user"].read_only
    creating = IncidentSerializer(data={})
    assert not creating.fields["service_user"].read_only
    assert not creating.is_valid() and "service_user" in creating.errors
