import datetime

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_anonymous_api_call_is_refused(api, sam):
    assert api.get("/api/v1/service-users/").status_code in (401, 403)


def test_token_authentication_scopes_the_list(api, nurse, sam, lou):
    token = Token.objects.create(user=nurse)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get("/api/v1/service-users/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"][0]["nhs_number"] == sam.nhs_number
    assert body["results"][0]["ward"] == sam.current_ward.pk
    assert body["results"][0]["service_user"] == sam.pk


def test_out_of_scope_record_is_404(api, nurse, lou):
    api.force_authenticate(nurse)
    assert api.get(f"/api/v1/service-users/{lou.pk}/").status_code == 404
    assert api.get("/api/v1/service-users/999999/").status_code == 404


def test_invalid_filter_value_answers_400_not_a_wider_list(api, nurse, sam):
    api.force_authenticate(nurse)
    response = api.get("/api/v1/admissions/?ward=not-a-number")
    assert response.status_code == 400
    assert "ward" in response.json()


def test_transfer_through_the_api_and_same_ward_is_400(api, nurse, kai, willow, oak):
    api.force_authenticate(nurse)
    admission = kai.current_admission
    at = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    bad = api.post(
        f"/api/v1/admissions/{admission.pk}/transfer/", {"ward": willow.pk, "at": at}, format="json"
    )
    assert bad.status_code == 400
    assert "already on this ward" in str(bad.json())
    ok = api.post(f"/api/v1/admissions/{admission.pk}/transfer/", {"ward": oak.pk, "at": at}, format="json")
    assert ok.status_code == 201
    assert api.get(f"/api/v1/service-users/{kai.pk}/").status_code == 404


def test_service_user_cannot_transfer_through_the_api(api, sam, oak):
    api.force_authenticate(sam.user)
    at = timezone.now().isoformat()
    response = api.post(
        f"/api/v1/admissions/{sam.current_admission.pk}/transfer/", {"ward": oak.pk, "at": at}, format="json"
    )
    assert response.status_code == 403


def test_schema_and_docs_are_served_with_local_assets(client):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert "cdn" not in docs.text.lower()


def test_the_people_api_pages_sorts_and_filters_as_the_people_list(api, lead, sam, kai, lou, oak, willow):
    from tests.conftest import make_person

    on_oak = make_person("ada", oak)
    api.force_authenticate(lead)  # Forensic Services: Oak and Willow, not Cedar
    body = api.get("/api/v1/service-users/", {"page_size": 2}).json()
    assert body["count"] == 3 and body["next"]
    rows = [(row["given_name"], row["ward"]) for row in body["results"]]
    assert rows == [("Ada", oak.pk), ("Kai", willow.pk)]
    body = api.get("/api/v1/service-users/", {"page_size": 2, "page": 2}).json()
    assert [(row["given_name"], row["ward"]) for row in body["results"]] == [("Sam", willow.pk)]
    body = api.get("/api/v1/service-users/", {"nhs_number": on_oak.nhs_number}).json()
    assert [row["service_user"] for row in body["results"]] == [on_oak.pk]
    assert api.get("/api/v1/service-users/", {"nhs_number": lou.nhs_number}).json()["count"] == 0
    assert api.get("/api/v1/service-users/", {"page": 9}).status_code == 404
