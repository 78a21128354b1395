import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from blanket_rules import services
from blanket_rules.models import BlanketRule, Challenge
from tests.blanket_rules.conftest import authorise, propose

pytestmark = pytest.mark.django_db
BOARD = reverse("blanket_rules:notice_board")
CREATE = reverse("blanket_rules:challenge_create")


def test_notice_board_shows_the_rules_in_force_on_my_ward_only(
    client, rule, oak_rule, proposed_rule, sam, nurse
):
    other = authorise(
        propose(nurse, [rule.wards.get()], title="Searches after leave", category="searches"),
        rule.authorised_by,
    )
    client.force_login(sam.user)
    page = client.get(BOARD).content.decode()
    assert "Rules on Willow" in page
    assert "Kitchen locked at night" in page
    assert "Knives and hot water unsupervised at night." in page  # the reason
    assert f"{rule.next_review_date:%-d %B %Y}" in page
    assert other.title in page
    assert "No phones after 10pm" not in page  # Oak's rule


def test_notice_board_on_another_ward(client, rule, oak_rule, lou):
    client.force_login(lou.user)
    page = client.get(BOARD).content.decode()
    assert "Rules on Cedar" in page
    assert "There are no blanket rules on Cedar" in page
    assert "Kitchen locked" not in page
    assert client.get(BOARD, {"ward": rule.wards.get().pk}).status_code == 404


def test_a_lifted_rule_leaves_the_board_but_shows_in_what_changed(client, rule, manager, sam):
    services.rule_lift(rule=rule, by=manager, version=rule.version, reason="Snack cupboard instead")
    client.force_login(sam.user)
    page = client.get(BOARD).content.decode()
    assert "There are no blanket rules on Willow" in page
    assert "Rule lifted" in page
    assert "Snack cupboard instead" in page


def test_other_patients_never_see_a_withheld_name(client, challenge, manager, kai, sam):
    services.challenge_decide(
        challenge=challenge, by=manager, version=challenge.version, decision="lift", reason="Agreed"
    )
    client.force_login(kai.user)
    page = client.get(BOARD).content.decode()
    assert "Challenge decided" in page
    assert "name withheld" in page
    assert "Sam" not in page
    rule_page = client.get(reverse("blanket_rules:rule_detail", args=[challenge.rule_id])).content.decode()
    assert "Sam" not in rule_page


def test_other_patients_see_the_name_when_not_withheld(client, rule, manager, kai, sam):
    challenge = services.challenge_create(
        rule=rule, by=sam.user, service_user=sam, in_own_words="a", would_like_instead="b"
    )
    services.challenge_decide(
        challenge=challenge, by=manager, version=challenge.version, decision="keep", reason="r"
    )
    client.force_login(kai.user)
    assert "Challenged by Sam Test" in client.get(BOARD).content.decode()


def test_the_ward_team_sees_the_challengers_name(client, challenge, nurse):
    client.force_login(nurse)
    page = client.get(reverse("blanket_rules:challenge_detail", args=[challenge.pk])).content.decode()
    assert "Sam Test" in page
    assert "Name not shown to other patients" in page


def test_service_user_challenges_from_a_link_with_prefill_and_source(client, rule, sam):
    client.force_login(sam.user)
    params = {
        "rule": rule.pk,
        "text": "Hungry at night",
        "source_url": "/ward-rounds/5/",
        "source_label": "Ward round 5",
    }
    page = client.get(CREATE, params).content.decode()
    assert "Hungry at night" in page
    assert 'href="/ward-rounds/5/"' in page
    assert f'<option value="{rule.pk}" selected>' in page
    response = client.post(
        CREATE,
        {
            "rule": rule.pk,
            "in_own_words": "Hungry at night",
            "would_like_instead": "Snacks",
            "withhold_name": "on",
            "source_url": "/ward-rounds/5/",
            "source_label": "Ward round 5",
        },
    )
    challenge = Challenge.objects.get()
    assert response.status_code == 302
    assert challenge.service_user == sam
    assert challenge.withhold_name
    assert challenge.response_due == timezone.localdate() + datetime.timedelta(days=14)
    page = client.get(challenge.get_absolute_url()).content.decode()
    assert 'Raised from: <a href="/ward-rounds/5/">Ward round 5</a>' in page


def test_an_external_source_url_is_never_rendered(client, rule, sam):
    client.force_login(sam.user)
    page = client.get(
        CREATE, {"rule": rule.pk, "source_url": "https://evil.example/", "source_label": "x"}
    ).content.decode()
    assert "evil.example" not in page
    page = client.get(
        CREATE, {"rule": rule.pk, "source_url": "//evil.example/", "source_label": "x"}
    ).content.decode()
    assert "evil.example" not in page


def test_challenging_a_lifted_rule_explains_why_not(client, rule, manager, sam):
    services.rule_lift(rule=rule, by=manager, version=rule.version, reason="Gone")
    client.force_login(sam.user)
    page = client.get(CREATE, {"rule": rule.pk}).content.decode()
    assert "was lifted on" in page and "nothing to challenge" in page
    response = client.post(CREATE, {"rule": rule.pk, "in_own_words": "a", "would_like_instead": "b"})
    assert response.status_code == 200
    assert not Challenge.objects.exists()


def test_a_peer_worker_must_choose_the_person(client, rule, peer, kai):
    client.force_login(peer)
    response = client.post(CREATE, {"rule": rule.pk, "in_own_words": "a", "would_like_instead": "b"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    response = client.post(
        CREATE, {"rule": rule.pk, "service_user": kai.pk, "in_own_words": "a", "would_like_instead": "b"}
    )
    assert response.status_code == 302
    assert Challenge.objects.get().service_user == kai


def test_manager_decision_needs_a_reason_and_the_challenger_sees_it(client, challenge, manager, sam):
    url = reverse("blanket_rules:challenge_decide", args=[challenge.pk])
    client.force_login(manager)
    response = client.post(url, {"decision": "lift", "reason": "", "version": challenge.version})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    response = client.post(url, {"decision": "lift", "reason": "You are right", "version": challenge.version})
    assert response.status_code == 302
    assert BlanketRule.objects.get().status == BlanketRule.Status.LIFTED
    client.force_login(sam.user)
    page = client.get(challenge.get_absolute_url()).content.decode()
    assert "Lift the rule" in page and "You are right" in page


def test_a_stale_decision_keeps_both_texts(client, challenge, manager):
    url = reverse("blanket_rules:challenge_decide", args=[challenge.pk])
    client.force_login(manager)
    old = challenge.version
    services.challenge_decide(
        challenge=challenge, by=manager, version=old, decision="keep", reason="First reply"
    )
    challenge.refresh_from_db()
    # The challenge is decided now: the page says so rather than overwriting the first reply.
    response = client.post(url, {"decision": "lift", "reason": "Second reply", "version": old})
    assert response.status_code == 302
    challenge.refresh_from_db()
    assert challenge.decision_reason == "First reply"


def test_manager_authorises_through_the_page(client, proposed_rule, manager):
    client.force_login(manager)
    url = reverse("blanket_rules:rule_authorise", args=[proposed_rule.pk])
    response = client.post(url, {"version": proposed_rule.version, "authorising_body": "Governance"})
    assert response.status_code == 200
    response = client.post(
        url,
        {
            "version": proposed_rule.version,
            "authorising_body": "Governance",
            "patients_told_how": "Community meeting",
            "review_interval_months": 3,
            "next_review_date": (timezone.localdate() + datetime.timedelta(days=60)).isoformat(),
        },
    )
    assert response.status_code == 302
    proposed_rule.refresh_from_db()
    assert proposed_rule.status == BlanketRule.Status.IN_FORCE


def test_nurse_proposes_a_rule(client, nurse, willow):
    client.force_login(nurse)
    response = client.post(
        reverse("blanket_rules:rule_create"),
        {
            "title": "No lighters",
            "category": "smoking",
            "wards": [willow.pk],
            "description": "Lighters are kept by staff.",
            "review_interval_months": 3,
        },
    )
    assert response.status_code == 302
    rule = BlanketRule.objects.get()
    assert rule.status == BlanketRule.Status.PROPOSED
    assert rule.proposed_by == nurse
    assert list(rule.wards.all()) == [willow]


def test_review_recorded_through_the_page(client, rule, manager):
    client.force_login(manager)
    response = client.post(reverse("blanket_rules:review_start", args=[rule.pk]), {"version": rule.version})
    review = rule.reviews.get()
    assert response["Location"] == reverse("blanket_rules:review_record", args=[review.pk])
    response = client.post(
        response["Location"],
        {
            "version": review.version,
            "held_on": timezone.localdate().isoformat(),
            "participants": "Cal",
            "service_user_representative": "Rep",
            "findings": "Fine",
            "outcome": "keep",
            "outcome_reason": "Still needed",
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.status == BlanketRule.Status.IN_FORCE


def test_register_lists_lifted_rules_and_flags_overdue_reviews(client, rule, manager):
    rule.next_review_date = timezone.localdate() - datetime.timedelta(days=3)
    rule.save()
    lifted = authorise(propose(manager, [rule.wards.get()], title="No phones"), manager)
    services.rule_lift(rule=lifted, by=manager, version=lifted.version, reason="r")
    client.force_login(manager)
    page = client.get(reverse("blanket_rules:rule_list")).content.decode()
    assert "No phones" in page and "Lifted" in page
    assert "Review overdue" in page
    response = client.get(reverse("blanket_rules:rule_list"), {"status": "nonsense"})
    assert "There is a problem" in response.content.decode()


def test_patients_are_sent_from_the_register_to_the_notice_board(client, sam):
    client.force_login(sam.user)
    response = client.get(reverse("blanket_rules:rule_list"))
    assert response["Location"] == BOARD


def test_home_panels(client, challenge, manager, sam, lead):
    client.force_login(manager)
    page = client.get("/").content.decode()
    assert "Challenges to ward rules awaiting your decision" in page
    assert f"Reply due by {challenge.response_due:%-d %B %Y}" in page
    assert "Blanket rules" in page
    client.force_login(sam.user)
    page = client.get("/").content.decode()
    assert "Rules on your ward" in page
    assert "1 rule in force on Willow" in page
    assert "Ward rules" in page
    client.force_login(lead)
    page = client.get("/").content.decode()
    assert "Requests to look again" in page


def test_overdue_challenge_flagged_on_the_managers_home(client, challenge, manager):
    challenge.response_due = timezone.localdate() - datetime.timedelta(days=1)
    challenge.save()
    client.force_login(manager)
    assert "Overdue" in client.get("/").content.decode()


def test_register_filters_by_overdue_review_and_shows_rules_in_force_first(client, rule, manager):
    lifted = authorise(propose(manager, [rule.wards.get()], title="A lifted rule"), manager)
    services.rule_lift(rule=lifted, by=manager, version=lifted.version, reason="r")
    client.force_login(manager)
    page = client.get(reverse("blanket_rules:rule_list")).content.decode()
    assert page.index("Kitchen locked at night") < page.index("A lifted rule")
    page = client.get(reverse("blanket_rules:rule_list"), {"review_overdue": "yes"}).content.decode()
    assert "No blanket rules match" in page
    rule.next_review_date = timezone.localdate() - datetime.timedelta(days=1)
    rule.save()
    page = client.get(reverse("blanket_rules:rule_list"), {"review_overdue": "yes"}).content.decode()
    assert "Kitchen locked at night" in page and "A lifted rule" not in page


def test_a_stale_edit_shows_both_texts_and_saves_nothing(client, proposed_rule, manager):
    client.force_login(manager)
    url = reverse("blanket_rules:rule_edit", args=[proposed_rule.pk])
    data = {
        "title": proposed_rule.title,
        "category": proposed_rule.category,
        "risks": proposed_rule.risks,
        "why_not_individual": proposed_rule.why_not_individual,
        "review_interval_months": 3,
        "version": proposed_rule.version,
    }
    assert client.post(url, {**data, "description": "Their version"}).status_code == 302
    response = client.post(url, {**data, "description": "My version"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this" in page
    assert "Their version" in page and "My version" in page
    proposed_rule.refresh_from_db()
    assert proposed_rule.description == "Their version"


def test_manager_refuses_a_proposal_with_a_reason(client, proposed_rule, manager):
    client.force_login(manager)
    url = reverse("blanket_rules:rule_refuse", args=[proposed_rule.pk])
    assert client.post(url, {"version": proposed_rule.version, "reason": ""}).status_code == 200
    assert (
        client.post(url, {"version": proposed_rule.version, "reason": "Not proportionate"}).status_code == 302
    )
    proposed_rule.refresh_from_db()
    assert proposed_rule.status == BlanketRule.Status.NOT_AUTHORISED


def test_the_persons_page_lists_their_challenges_for_the_ward_team(client, challenge, nurse, sam):
    client.force_login(nurse)
    page = client.get(sam.get_absolute_url()).content.decode()
    assert "Challenges to ward rules" in page
    assert "Kitchen locked at night" in page


def test_a_carer_challenges_for_the_person_they_support(client, rule, carer, sam):
    client.force_login(carer)
    assert "Kitchen locked at night" in client.get(BOARD).content.decode()
    response = client.post(CREATE, {"rule": rule.pk, "in_own_words": "a", "would_like_instead": "b"})
    assert response.status_code == 200  # the carer says who it is for
    response = client.post(
        CREATE, {"rule": rule.pk, "service_user": sam.pk, "in_own_words": "a", "would_like_instead": "b"}
    )
    assert response.status_code == 302
    challenge = Challenge.objects.get()
    assert challenge.raised_by == carer and challenge.service_user == sam
    assert client.get(challenge.get_absolute_url()).status_code == 200
    client.force_login(sam.user)
    assert client.get(challenge.get_absolute_url()).status_code == 200


def test_a_nurse_on_another_ward_cannot_open_a_challenge_to_the_rule(client, rule, nurse_cedar):
    client.force_login(nurse_cedar)
    assert client.get(CREATE, {"rule": rule.pk}).status_code == 404
    response = client.post(CREATE, {"rule": rule.pk, "in_own_words": "a", "would_like_instead": "b"})
    assert response.status_code == 200
    assert not Challenge.objects.exists()


def test_the_recovery_lead_cannot_raise_a_challenge(client, rule, lead):
    client.force_login(lead)
    assert client.get(CREATE).status_code == 403


def test_register_queries_do_not_grow_with_the_number_of_rules(client, manager, willow, org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(manager)
    authorise(propose(manager, [willow], title="One"), manager)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("blanket_rules:rule_list"))
    for n in range(4):
        authorise(propose(manager, division=org["forensic"], title=f"More {n}"), manager)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("blanket_rules:rule_list")).content.decode()
    assert "More 3" in page
    assert len(many) <= len(few)
