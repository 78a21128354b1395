import pytest
from rest_framework.test import APIClient

from safety_plans import services
from safety_plans.models import Kind, PlanVersion
from tests.safety_plans.conftest import write

pytestmark = pytest.mark.django_db

BASE = "/api/v1/"


def api(user):
    client = APIClient()
    client.force_authenticate(getattr(user, "user", user))
    return client


def test_plan_list_is_scoped_and_says_whose_record_it_is(plan, sam, nurse, nurse_cedar, lead):
    body = api(nurse).get(f"{BASE}safety-plans/").json()
    assert body["count"] == 1
    assert body["results"][0]["service_user"] == sam.pk
    assert body["results"][0]["ward"] == plan.ward_id
    assert api(lead).get(f"{BASE}safety-plans/").json()["count"] == 1
    assert api(nurse_cedar).get(f"{BASE}safety-plans/").json()["count"] == 0
    assert api(nurse_cedar).get(f"{BASE}safety-plans/{plan.pk}/").status_code == 404


def test_invalid_filter_answers_400(plan, nurse):
    assert api(nurse).get(f"{BASE}safety-plans/", {"ward": "x"}).status_code == 400


def test_section_write_and_stale_write_answers_409(plan, sam, nurse):
    response = api(sam).post(
        f"{BASE}safety-plan-sections/",
        {"plan": plan.pk, "kind": Kind.HELPS, "version": 0, "text": "  Music  "},
    )
    assert response.status_code == 201, response.json()
    section = response.json()
    assert section["text"] == "  Music  " and section["version"] == 1
    again = api(nurse).post(
        f"{BASE}safety-plan-sections/", {"plan": plan.pk, "kind": Kind.HELPS, "version": 0, "text": "Mine"}
    )
    assert again.status_code == 409
    ok = api(nurse).patch(
        f"{BASE}safety-plan-sections/{section['id']}/", {"version": 1, "text": "Music, tea"}
    )
    assert ok.status_code == 200
    stale = api(sam).patch(f"{BASE}safety-plan-sections/{section['id']}/", {"version": 1, "text": "Lost?"})
    assert stale.status_code == 409
    assert plan.sections.get(kind=Kind.HELPS).text == "Music, tea"


def test_contacts_round_trip(plan, sam):
    response = api(sam).post(
        f"{BASE}safety-plan-sections/",
        {
            "plan": plan.pk,
            "kind": Kind.WHO_TO_TELL,
            "version": 0,
            "contacts": [{"name": "Pat", "relationship": "Mother", "phone": "07700 900123"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["contacts"] == [{"name": "Pat", "relationship": "Mother", "phone": "07700 900123"}]


def test_carer_writes_family_part_only_through_the_api(plan, carer):
    client = api(carer)
    assert (
        client.post(
            f"{BASE}safety-plan-sections/", {"plan": plan.pk, "kind": Kind.FAMILY, "version": 0, "text": "Hi"}
        ).status_code
        == 201
    )
    assert (
        client.post(
            f"{BASE}safety-plan-sections/", {"plan": plan.pk, "kind": Kind.HELPS, "version": 0, "text": "No"}
        ).status_code
        == 403
    )


def test_outsider_cannot_write_to_an_invisible_plan(plan, outsider):
    response = api(outsider).post(
        f"{BASE}safety-plan-sections/", {"plan": plan.pk, "kind": Kind.HELPS, "version": 0, "text": "x"}
    )
    assert response.status_code == 400
    assert not plan.sections.exists()


def test_lead_sees_but_cannot_change(plan, lead):
    response = api(lead).patch(
        f"{BASE}safety-plans/{plan.pk}/", {"version": plan.version, "review_by": "2030-01-01"}
    )
    assert response.status_code == 403


def test_review_date_with_stale_version_answers_409(plan, nurse):
    client = api(nurse)
    assert (
        client.patch(f"{BASE}safety-plans/{plan.pk}/", {"version": 1, "review_by": "2030-01-01"}).status_code
        == 200
    )
    assert (
        client.patch(f"{BASE}safety-plans/{plan.pk}/", {"version": 1, "review_by": "2031-01-01"}).status_code
        == 409
    )
    plan.refresh_from_db()
    assert str(plan.review_by) == "2030-01-01"


def test_agree_through_the_api_and_read_versions(plan, sam, nurse, nurse_cedar):
    write(plan, Kind.HELPS, sam.user, text="Music")
    assert api(sam).post(f"{BASE}safety-plans/{plan.pk}/agree/").json()["agreed_version"] is None
    assert api(nurse).post(f"{BASE}safety-plans/{plan.pk}/agree/").json()["agreed_version"] == 1
    empty = api(nurse).post(f"{BASE}safety-plans/{plan.pk}/agree/")
    assert empty.status_code == 400 and "Nothing has changed" in str(empty.json())
    versions = api(sam).get(f"{BASE}safety-plan-versions/").json()
    assert versions["count"] == 1 and versions["results"][0]["content"]["helps"]["text"] == "Music"
    assert versions["results"][0]["service_user"] == sam.pk
    assert api(nurse_cedar).get(f"{BASE}safety-plan-versions/").json()["count"] == 0
    version_id = versions["results"][0]["id"]
    assert api(nurse).patch(f"{BASE}safety-plan-versions/{version_id}/", {"number": 9}).status_code == 405
    assert api(nurse).delete(f"{BASE}safety-plan-versions/{version_id}/").status_code == 405
    assert PlanVersion.objects.get(pk=version_id).number == 1


def test_proposals_created_and_decided_through_the_api(plan, sam, nurse, carer):
    response = api(nurse).post(
        f"{BASE}safety-plan-proposals/",
        {"plan": plan.pk, "text": "Offer a walk", "source_label": "Ward round"},
    )
    assert response.status_code == 201
    proposal = response.json()
    assert proposal["status"] == "pending" and proposal["service_user"] == sam.pk
    assert api(carer).post(f"{BASE}safety-plan-proposals/{proposal['id']}/accept/").status_code == 403
    accepted = api(sam).post(
        f"{BASE}safety-plan-proposals/{proposal['id']}/accept/", {"section_kind": Kind.COPING}
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert plan.sections.get(kind=Kind.COPING).text == "Offer a walk"
    assert api(sam).post(f"{BASE}safety-plan-proposals/{proposal['id']}/reject/").status_code == 400


def test_start_plan_through_the_api(kai, nurse, nurse_cedar):
    assert api(nurse_cedar).post(f"{BASE}safety-plans/", {"service_user": kai.pk}).status_code == 404
    response = api(nurse).post(f"{BASE}safety-plans/", {"service_user": kai.pk})
    assert response.status_code == 201
    assert api(nurse).post(f"{BASE}safety-plans/", {"service_user": kai.pk}).status_code == 400


def test_withdrawn_carer_gets_404_in_the_api(plan, sam, carer):
    services.share_withdraw(share=plan.shares.get(user=carer), by=sam.user)
    assert api(carer).get(f"{BASE}safety-plans/{plan.pk}/").status_code == 404
    assert api(carer).get(f"{BASE}safety-plan-sections/").json()["count"] == 0


def test_plan_list_queries_do_not_grow_with_plans(django_assert_max_num_queries, plan, sam, nurse, willow):
    from tests.conftest import make_person

    write(plan, Kind.HELPS, sam.user, text="Music")
    for index in range(5):
        services.plan_create(service_user=make_person(f"extra{index}", willow), by=nurse)
    client = api(nurse)
    with django_assert_max_num_queries(8):
        body = client.get(f"{BASE}safety-plans/").json()
    assert body["count"] == 6


def test_proposal_link_must_be_a_web_address(plan, nurse):
    response = api(nurse).post(
        f"{BASE}safety-plan-proposals/", {"plan": plan.pk, "text": "x", "source_url": "javascript:alert(1)"}
    )
    assert response.status_code == 400
    assert not plan.proposals.exists()
