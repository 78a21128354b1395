import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from incidents.reviews import services

from .conftest import submit_incident
from .test_services import _complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_review_list_is_scoped_and_names_person_and_ward(api, review, nurse, nurse_cedar, sam):
    api.force_authenticate(nurse)
    body = api.get("/api/v1/post-incident-reviews/").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["service_user"] == sam.pk and row["ward"] == review.incident.ward_id
    assert "Record the immediate debrief." in row["missing"]
    api.force_authenticate(nurse_cedar)
    assert api.get("/api/v1/post-incident-reviews/").json()["count"] == 0
    assert api.get(f"/api/v1/post-incident-reviews/{review.pk}/").status_code == 404


def test_invalid_filter_is_400(api, review, nurse):
    api.force_authenticate(nurse)
    assert api.get("/api/v1/post-incident-reviews/?status=nonsense").status_code == 400


def test_staff_cannot_write_the_persons_section_through_the_api(api, review, nurse, sam):
    api.force_authenticate(nurse)
    response = api.post(
        "/api/v1/review-sections/", {"review": review.pk, "kind": "person", "what_happened": "Not mine"}
    )
    assert response.status_code == 403
    api.force_authenticate(sam.user)
    response = api.post(
        "/api/v1/review-sections/",
        {"review": review.pk, "kind": "person", "what_happened": "Mine", "share": True},
        format="json",
    )
    assert response.status_code == 201
    section = response.json()
    assert section["status"] == "shared" and section["service_user"] == sam.pk


def test_stale_section_edit_answers_409_and_changes_nothing(api, review, sam):
    account = services.account_save(review=review, by=sam.user, kind="person", what_happened="One")
    services.account_save(review=review, by=sam.user, kind="person", what_happened="Two", version=1)
    api.force_authenticate(sam.user)
    response = api.patch(
        f"/api/v1/review-sections/{account.pk}/", {"what_happened": "Old base", "version": 1}, format="json"
    )
    assert response.status_code == 409
    account.refresh_from_db()
    assert account.what_happened == "Two"


def test_drafts_are_not_visible_to_the_other_side(api, review, sam, nurse):
    services.account_save(review=review, by=sam.user, kind="person", what_happened="Draft")
    services.account_save(review=review, by=nurse, kind="staff", what_happened="Staff draft")
    api.force_authenticate(nurse)
    kinds = [s["kind"] for s in api.get("/api/v1/review-sections/").json()["results"]]
    assert kinds == ["staff"]
    api.force_authenticate(sam.user)
    kinds = [s["kind"] for s in api.get("/api/v1/review-sections/").json()["results"]]
    assert kinds == ["person"]


def test_pathway_and_actions_through_the_api(api, review, nurse, sam, lou):
    api.force_authenticate(sam.user)
    response = api.post(
        "/api/v1/review-pathway-entries/", {"review": review.pk, "phase": "triggers", "text": "Bad news call"}
    )
    assert response.status_code == 201 and response.json()["side"] == "person"
    due = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    payload = {
        "review": review.pk,
        "kind": "ward_practice",
        "description": "Quiet room",
        "owner": nurse.pk,
        "due_date": due,
    }
    assert api.post("/api/v1/review-actions/", payload).status_code == 403
    api.force_authenticate(nurse)
    created = api.post("/api/v1/review-actions/", payload)
    assert created.status_code == 201
    action_id = created.json()["id"]
    assert (
        api.patch(f"/api/v1/review-actions/{action_id}/", {"status": "done", "version": 1}).status_code == 200
    )
    assert (
        api.patch(f"/api/v1/review-actions/{action_id}/", {"status": "open", "version": 1}).status_code == 409
    )
    api.force_authenticate(lou.user)
    assert api.get(f"/api/v1/review-actions/{action_id}/").status_code == 404
    assert (
        api.post(
            "/api/v1/review-pathway-entries/", {"review": review.pk, "phase": "before", "text": "x"}
        ).status_code
        == 404
    )


def test_close_through_the_api_lists_what_is_missing(api, review, sam, nurse, manager):
    api.force_authenticate(manager)
    response = api.post(f"/api/v1/post-incident-reviews/{review.pk}/close/")
    assert response.status_code == 400
    assert "Write the summary of the review." in str(response.json())
    api.force_authenticate(nurse)
    assert api.post(f"/api/v1/post-incident-reviews/{review.pk}/close/").status_code == 403
    _complete(review, sam, nurse, manager)
    api.force_authenticate(manager)
    response = api.post(f"/api/v1/post-incident-reviews/{review.pk}/close/")
    assert response.status_code == 200
    assert response.json()["held_with_service_user"] is True


def test_panel_api_has_no_names_or_nhs_number(api, sam, willow, nurse, manager, peer):
    incident = submit_incident(sam, willow, nurse, staff=[nurse], ended_hours_ago=30)
    review = incident.review
    _complete(review, sam, nurse, manager)
    services.pathway_add(review=review, by=nurse, phase="tried", text="nurse.ash spoke with Sam Test")
    services.review_close(review=review, by=manager)
    api.force_authenticate(peer)
    listing = api.get("/api/v1/review-panel/")
    detail = api.get(f"/api/v1/review-panel/{review.pk}/")
    assert listing.status_code == detail.status_code == 200
    assert api.get(f"/api/v1/post-incident-reviews/{review.pk}/").status_code == 404
    for text in (listing.content.decode(), detail.content.decode()):
        for secret in (sam.nhs_number, "Sam", "nurse.ash", "manager.cal", '"service_user"'):
            assert secret not in text
    created = api.post(f"/api/v1/review-panel/{review.pk}/learning/", {"text": "Earlier talk-down"})
    assert created.status_code == 201
    api.force_authenticate(nurse)
    assert api.get(f"/api/v1/review-panel/{review.pk}/").status_code == 404


def test_stale_summary_through_the_api_is_409(api, review, nurse, manager):
    api.force_authenticate(manager)
    ok = api.post(f"/api/v1/post-incident-reviews/{review.pk}/summary/", {"summary": "One", "version": 1})
    assert ok.status_code == 200
    api.force_authenticate(nurse)
    stale = api.post(f"/api/v1/post-incident-reviews/{review.pk}/summary/", {"summary": "Two", "version": 1})
    assert stale.status_code == 409
    review.refresh_from_db()
    assert review.summary == "One"


def test_review_list_reads_what_each_open_review_still_needs_in_one_query(
    api, review, sam, kai, willow, nurse, manager
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _complete(review, sam, nurse, manager)  # everything done: nothing missing
    api.force_authenticate(nurse)
    url = "/api/v1/post-incident-reviews/"
    api.get(url)
    with CaptureQueriesContext(connection) as one:
        assert api.get(url).json()["results"][0]["missing"] == []
    for n in range(6):
        submit_incident(kai if n % 2 else sam, willow, nurse, ended_hours_ago=3 + n)
    api.get(url)  # new grants: the user's groups and wards are read again once
    with CaptureQueriesContext(connection) as seven:
        rows = api.get(url).json()["results"]
    assert len(rows) == 7
    assert len(seven) == len(one)
    # The list says what each review's own page says.
    for row in rows:
        assert row["missing"] == api.get(f"{url}{row['id']}/").json()["missing"], row["id"]
    assert sum("Record the immediate debrief." in row["missing"] for row in rows) == 6
