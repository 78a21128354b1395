import pytest
from rest_framework.test import APIClient

from tests.ward_rounds.conftest import started
from ward_rounds import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_anonymous_api_call_is_refused(api, appointment):
    assert api.get("/api/v1/ward-round-appointments/").status_code in (401, 403)


def test_appointments_and_items_expose_service_user_and_ward(api, appointment, sam, nurse):
    services.item_add(appointment=appointment, by=sam.user, text="Leave")
    api.force_authenticate(nurse)
    body = api.get("/api/v1/ward-round-appointments/").json()
    assert body["count"] == 1
    assert body["results"][0]["service_user"] == sam.pk
    assert body["results"][0]["ward"] == appointment.ward_id
    item = api.get("/api/v1/ward-round-items/").json()["results"][0]
    assert (item["service_user"], item["ward"], item["author_role"]) == (
        sam.pk,
        appointment.ward_id,
        "person",
    )


def test_sessions_are_listed_for_the_ward_team_only(api, session, nurse, nurse_cedar):
    api.force_authenticate(nurse)
    assert api.get("/api/v1/ward-rounds/").json()["count"] == 1
    api.force_authenticate(nurse_cedar)
    assert api.get("/api/v1/ward-rounds/").json()["count"] == 0
    assert api.get(f"/api/v1/ward-rounds/{session.pk}/").status_code == 404


def test_another_person_sees_nothing_of_sams_round(api, appointment, kai_appointment, sam, kai):
    services.item_add(appointment=appointment, by=sam.user, text="Leave")
    api.force_authenticate(kai.user)
    appointments = api.get("/api/v1/ward-round-appointments/").json()["results"]
    assert [a["id"] for a in appointments] == [kai_appointment.pk]
    assert api.get("/api/v1/ward-round-items/").json()["count"] == 0
    assert api.get(f"/api/v1/ward-round-appointments/{appointment.pk}/").status_code == 404


def test_a_carer_adds_an_item_through_the_api(api, appointment, kai_appointment, carer):
    api.force_authenticate(carer)
    response = api.post(
        "/api/v1/ward-round-items/", {"appointment": appointment.pk, "text": "Visiting", "kind": "question"}
    )
    assert response.status_code == 201
    assert response.json()["author_role"] == "carer"
    response = api.post("/api/v1/ward-round-items/", {"appointment": kai_appointment.pk, "text": "x"})
    assert response.status_code == 400


def test_a_lead_cannot_add_items(api, appointment, lead):
    api.force_authenticate(lead)
    response = api.post("/api/v1/ward-round-items/", {"appointment": appointment.pk, "text": "x"})
    assert response.status_code == 403


def test_a_stale_item_edit_answers_409_and_changes_nothing(api, appointment, sam):
    item = services.item_add(appointment=appointment, by=sam.user, text="first")
    services.item_edit(item=item, by=sam.user, text="second", kind="talk", version=item.version)
    api.force_authenticate(sam.user)
    response = api.patch(f"/api/v1/ward-round-items/{item.pk}/", {"text": "third", "version": 1})
    assert response.status_code == 409
    item.refresh_from_db()
    assert item.text == "second"


def test_someone_elses_item_cannot_be_changed(api, appointment, sam, nurse):
    item = services.item_add(appointment=appointment, by=sam.user, text="first")
    api.force_authenticate(nurse)
    response = api.patch(f"/api/v1/ward-round-items/{item.pk}/", {"text": "x", "version": item.version})
    assert response.status_code == 403


def test_outcomes_reach_the_person_through_the_api_only_once_shared(api, appointment, sam, nurse):
    item = services.item_add(appointment=appointment, by=sam.user, text="Leave")
    started(appointment, nurse)
    api.force_authenticate(nurse)
    response = api.post(
        "/api/v1/ward-round-outcomes/", {"item": item.pk, "decision": "Agreed", "person_agrees": "agree"}
    )
    assert response.status_code == 201
    assert response.json()["service_user"] == sam.pk
    api.force_authenticate(sam.user)
    assert api.get("/api/v1/ward-round-outcomes/").json()["count"] == 0
    appointment.refresh_from_db()
    services.appointment_share_summary(
        appointment=appointment, by=nurse, summary="Done", version=appointment.version
    )
    assert api.get("/api/v1/ward-round-outcomes/").json()["count"] == 1
    assert api.post("/api/v1/ward-round-outcomes/", {"item": item.pk, "decision": "x"}).status_code in (
        400,
        403,
    )


def test_invalid_filter_answers_400(api, appointment, nurse):
    api.force_authenticate(nurse)
    assert api.get("/api/v1/ward-round-appointments/?ward=abc").status_code == 400


def test_the_ward_team_arranges_and_books_through_the_api(api, willow, nurse, sam):
    from tests.ward_rounds.conftest import tomorrow_at

    api.force_authenticate(nurse)
    response = api.post(
        "/api/v1/ward-rounds/",
        {"ward": willow.pk, "starts_at": tomorrow_at(9).isoformat(), "purpose": "Review"},
    )
    assert response.status_code == 201
    session = response.json()["id"]
    booking = {"ward_round": session, "service_user": sam.pk, "scheduled_at": tomorrow_at(9, 30).isoformat()}
    response = api.post("/api/v1/ward-round-appointments/", booking)
    assert response.status_code == 201
    assert (response.json()["service_user"], response.json()["ward"]) == (sam.pk, willow.pk)
    again = api.post(
        "/api/v1/ward-round-appointments/", {**booking, "scheduled_at": tomorrow_at(11).isoformat()}
    )
    assert again.status_code == 400
    assert "already has an appointment" in str(again.json())


def test_booking_in_the_past_through_the_api_answers_400(api, session, nurse, sam):
    import datetime

    from django.utils import timezone

    api.force_authenticate(nurse)
    past = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    response = api.post(
        "/api/v1/ward-round-appointments/",
        {"ward_round": session.pk, "service_user": sam.pk, "scheduled_at": past},
    )
    assert response.status_code == 400


@pytest.mark.parametrize("who", ["nurse_cedar", "lead"])
def test_others_cannot_arrange_or_book(api, request, session, willow, sam, who):
    from tests.ward_rounds.conftest import tomorrow_at

    api.force_authenticate(request.getfixturevalue(who))
    response = api.post(
        "/api/v1/ward-rounds/", {"ward": willow.pk, "starts_at": tomorrow_at(9).isoformat(), "purpose": "x"}
    )
    assert response.status_code == 403
    response = api.post(
        "/api/v1/ward-round-appointments/",
        {"ward_round": session.pk, "service_user": sam.pk, "scheduled_at": tomorrow_at(11).isoformat()},
    )
    assert response.status_code in (400, 403)
