import datetime

import pytest
from django.utils import timezone

from blanket_rules.models import BlanketRule, Challenge

pytestmark = pytest.mark.django_db
RULES = "/api/v1/blanket-rules/"
REVIEWS = "/api/v1/blanket-rule-reviews/"
CHALLENGES = "/api/v1/blanket-rule-challenges/"


def test_rules_are_scoped_to_the_caller(client, rule, oak_rule, nurse, lou):
    client.force_login(nurse)
    ids = [r["id"] for r in client.get(RULES).json()["results"]]
    assert ids == [rule.pk]
    assert client.get(f"{RULES}{oak_rule.pk}/").status_code == 404
    client.force_login(lou.user)
    assert client.get(RULES).json()["count"] == 0


def test_anonymous_api_caller_is_refused(client, rule):
    assert client.get(RULES).status_code in (401, 403)


def test_invalid_filter_answers_400(client, rule, nurse):
    client.force_login(nurse)
    assert client.get(RULES, {"status": "nonsense"}).status_code == 400


def test_reviews_follow_their_rule(client, rule, nurse, nurse_cedar):
    client.force_login(nurse)
    assert client.get(REVIEWS).json()["count"] == 1
    client.force_login(nurse_cedar)
    assert client.get(REVIEWS).json()["count"] == 0


def test_service_user_challenges_through_the_api(client, rule, sam):
    client.force_login(sam.user)
    response = client.post(
        CHALLENGES,
        {"rule": rule.pk, "in_own_words": "Hungry", "would_like_instead": "Snacks"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["service_user"] == sam.pk
    assert body["ward"] == rule.wards.get().pk
    assert body["response_due"] == (timezone.localdate() + datetime.timedelta(days=14)).isoformat()


def test_nurse_cannot_decide_manager_can_and_reason_is_required(client, challenge, nurse, manager):
    url = f"{CHALLENGES}{challenge.pk}/decide/"
    client.force_login(nurse)
    assert (
        client.post(
            url, {"version": 1, "decision": "keep", "reason": "r"}, content_type="application/json"
        ).status_code
        == 403
    )
    client.force_login(manager)
    response = client.post(
        url, {"version": 1, "decision": "keep", "reason": ""}, content_type="application/json"
    )
    assert response.status_code == 400
    response = client.post(
        url, {"version": 1, "decision": "lift", "reason": "Agreed"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["decision"] == "lift"
    assert BlanketRule.objects.get().status == BlanketRule.Status.LIFTED
    stale = client.post(
        url, {"version": 1, "decision": "keep", "reason": "r"}, content_type="application/json"
    )
    assert stale.status_code == 409
    assert Challenge.objects.get().decision == "lift"


def test_authorising_without_rationale_answers_400(client, nurse, manager, willow):
    from tests.blanket_rules.conftest import propose

    rule = propose(nurse, [willow], risks="")
    client.force_login(manager)
    response = client.post(
        f"{RULES}{rule.pk}/authorise/",
        {
            "version": rule.version,
            "authorising_body": "Governance",
            "patients_told_how": "Meeting",
            "next_review_date": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "risks" in response.json()


def test_nurse_proposes_only_for_own_ward(client, nurse, willow, cedar):
    client.force_login(nurse)
    data = {
        "title": "No lighters",
        "category": "smoking",
        "description": "Staff keep lighters.",
        "wards": [cedar.pk],
    }
    assert client.post(RULES, data, content_type="application/json").status_code == 400
    data["wards"] = [willow.pk]
    response = client.post(RULES, data, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["status"] == "proposed"


def test_other_patients_cannot_see_a_challenge_in_the_api(client, challenge, kai):
    client.force_login(kai.user)
    assert client.get(CHALLENGES).json()["count"] == 0
    assert client.get(f"{CHALLENGES}{challenge.pk}/").status_code == 404
