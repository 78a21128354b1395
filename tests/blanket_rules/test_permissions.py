import pytest
from django.urls import reverse

from blanket_rules import services
from blanket_rules.permissions import challenges_visible_to, rules_visible_to
from rrp import services as core_services
from tests.blanket_rules.conftest import authorise, propose
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def detail(rule):
    return reverse("blanket_rules:rule_detail", args=[rule.pk])


@pytest.mark.parametrize("who", ["nurse", "manager", "lead", "peer", "sam", "carer"])
def test_people_on_or_over_the_ward_see_its_rule(client, rule, who, request):
    user = request.getfixturevalue(who)
    user = user.user if hasattr(user, "user") and not hasattr(user, "username") else user
    client.force_login(user)
    response = client.get(detail(rule))
    assert response.status_code == 200
    assert "Kitchen locked at night" in response.content.decode()


@pytest.mark.parametrize("who", ["lou", "nurse_cedar", "nurse_oak"])
def test_another_service_user_or_a_nurse_on_another_ward_gets_404(client, rule, who, request):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    client.force_login(user)
    assert client.get(detail(rule)).status_code == 404
    assert rule not in rules_visible_to(user)


def test_anonymous_visitor_is_sent_to_sign_in(client, rule):
    response = client.get(detail(rule))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert client.get(reverse("blanket_rules:notice_board")).status_code == 302


def test_recovery_lead_sees_the_division_but_not_another_division(lead, rule, oak_rule, nurse_cedar):
    cedar_rule = authorise(propose(nurse_cedar, [nurse_cedar.staff.assignments.first().ward]), nurse_cedar)
    visible = set(rules_visible_to(lead))
    assert {rule, oak_rule} <= visible
    assert cedar_rule not in visible


def test_patients_do_not_see_proposals(client, proposed_rule, sam):
    client.force_login(sam.user)
    assert client.get(detail(proposed_rule)).status_code == 404


def test_a_nurse_can_view_but_not_authorise(client, proposed_rule, nurse):
    client.force_login(nurse)
    assert client.get(detail(proposed_rule)).status_code == 200
    assert client.get(reverse("blanket_rules:rule_authorise", args=[proposed_rule.pk])).status_code == 403


def test_the_notice_board_follows_a_transfer(client, rule, oak_rule, kai):
    client.force_login(kai.user)
    page = client.get(reverse("blanket_rules:notice_board")).content.decode()
    assert "Kitchen locked at night" in page
    assert "No phones after 10pm" not in page
    from django.utils import timezone

    core_services.admission_transfer(
        admission=kai.current_admission, to_ward=oak_rule.wards.get(), at=timezone.now()
    )
    page = client.get(reverse("blanket_rules:notice_board")).content.decode()
    assert "No phones after 10pm" in page
    assert "Kitchen locked at night" not in page
    assert client.get(detail(rule)).status_code == 404


def test_a_carer_without_consent_sees_nothing(client, rule, sam):
    user = make_user("carer.nope")
    core_services.carer_link_create(carer=user, service_user=sam, relationship="Friend")
    client.force_login(user)
    assert client.get(detail(rule)).status_code == 404


def test_a_carer_loses_sight_when_consent_is_withdrawn(client, rule, carer):
    client.force_login(carer)
    assert client.get(detail(rule)).status_code == 200
    core_services.carer_consent_withdraw(link=carer.carer_links.get(), by=carer)
    assert client.get(detail(rule)).status_code == 404


def test_the_challenger_and_the_ward_team_see_a_challenge(challenge, sam, nurse, manager, lead):
    for user in (sam.user, nurse, manager, lead):
        assert challenge in challenges_visible_to(user)


@pytest.mark.parametrize("who", ["kai", "lou", "nurse_cedar", "carer"])
def test_others_do_not_see_a_challenge(client, challenge, who, request):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    client.force_login(user)
    assert client.get(reverse("blanket_rules:challenge_detail", args=[challenge.pk])).status_code == 404
    assert challenge not in challenges_visible_to(user)


def test_a_peer_workers_challenge_is_seen_by_the_person_it_is_for(rule, peer, kai):
    challenge = services.challenge_create(
        rule=rule, by=peer, service_user=kai, in_own_words="a", would_like_instead="b"
    )
    assert challenge in challenges_visible_to(kai.user)
    assert challenge in challenges_visible_to(peer)


def test_only_the_ward_manager_decides(client, challenge, nurse, sam):
    url = reverse("blanket_rules:challenge_decide", args=[challenge.pk])
    client.force_login(nurse)
    assert client.get(url).status_code == 403
    client.force_login(sam.user)
    assert client.get(url).status_code == 403


def test_only_the_recovery_lead_looks_again(client, challenge, manager, sam, lead):
    services.challenge_decide(
        challenge=challenge, by=manager, version=challenge.version, decision="keep", reason="r"
    )
    challenge.refresh_from_db()
    services.challenge_ask_look_again(challenge=challenge, by=sam.user, reason="please")
    url = reverse("blanket_rules:challenge_reconsider", args=[challenge.pk])
    client.force_login(manager)
    assert client.get(url).status_code == 403
    client.force_login(lead)
    assert client.get(url).status_code == 200


def test_a_carer_loses_their_challenges_when_consent_is_withdrawn(client, rule, carer, sam):
    challenge = services.challenge_create(
        rule=rule, by=carer, service_user=sam, in_own_words="a", would_like_instead="b"
    )
    assert challenge in challenges_visible_to(carer)
    core_services.carer_consent_withdraw(link=carer.carer_links.get(), by=sam.user)
    assert challenge not in challenges_visible_to(carer)
    assert challenge in challenges_visible_to(sam.user)
