import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from blanket_rules import services
from blanket_rules.models import BlanketRule, BlanketRuleReview, Challenge, InvalidRuleTransition
from rrp.concurrency import StaleEdit
from tests.blanket_rules.conftest import authorise, propose

pytestmark = pytest.mark.django_db
Status = BlanketRule.Status


def test_a_proposed_rule_is_not_in_force_until_authorised(proposed_rule, manager):
    assert proposed_rule.status == Status.PROPOSED
    assert not BlanketRule.objects.in_force().exists()
    authorise(proposed_rule, manager)
    proposed_rule.refresh_from_db()
    assert proposed_rule.status == Status.IN_FORCE
    assert proposed_rule.authorised_by == manager
    assert proposed_rule.authorised_at is not None


def test_authorising_schedules_the_first_review(rule):
    review = rule.reviews.get()
    assert review.due_date == rule.next_review_date
    assert not review.is_held


@pytest.mark.parametrize("target", [Status.UNDER_REVIEW, Status.MODIFIED, Status.LIFTED])
def test_a_proposed_rule_cannot_skip_authorisation(proposed_rule, target, manager):
    with pytest.raises(InvalidRuleTransition):
        proposed_rule.transition_to(target, by=manager)


def test_services_refuse_to_lift_or_modify_a_proposal(proposed_rule, manager):
    with pytest.raises(ValidationError):
        services.rule_lift(
            rule=proposed_rule, by=manager, version=proposed_rule.version, reason="No longer needed"
        )
    with pytest.raises(ValidationError):
        services.rule_modify(
            rule=proposed_rule, by=manager, version=proposed_rule.version, reason="x", description="y"
        )
    proposed_rule.refresh_from_db()
    assert proposed_rule.status == Status.PROPOSED


def test_a_lifted_rule_cannot_come_back_into_force(rule, manager):
    services.rule_lift(rule=rule, by=manager, version=rule.version, reason="Not needed")
    with pytest.raises(InvalidRuleTransition):
        rule.transition_to(Status.IN_FORCE, by=manager)


@pytest.mark.parametrize("missing", ["risks", "why_not_individual"])
def test_authorising_without_a_rationale_is_refused(nurse, manager, willow, missing):
    rule = propose(nurse, [willow], **{missing: ""})
    with pytest.raises(ValidationError) as exc:
        authorise(rule, manager)
    assert missing in exc.value.message_dict
    rule.refresh_from_db()
    assert rule.status == Status.PROPOSED


def test_authorising_without_a_review_date_is_refused(proposed_rule, manager):
    with pytest.raises(ValidationError) as exc:
        authorise(proposed_rule, manager, next_review_date=None)
    assert "next_review_date" in exc.value.message_dict


def test_authorising_without_an_authoriser_is_refused(proposed_rule):
    with pytest.raises(ValidationError) as exc:
        authorise(proposed_rule, None)
    assert "authorised_by" in exc.value.message_dict


def test_lifting_needs_a_reason_and_keeps_the_rule_in_the_register(rule, manager):
    with pytest.raises(ValidationError):
        services.rule_lift(rule=rule, by=manager, version=rule.version, reason=" ")
    services.rule_lift(rule=rule, by=manager, version=rule.version, reason="Snack cupboard works well")
    rule.refresh_from_db()
    assert rule.status == Status.LIFTED
    assert rule.lifted_at is not None
    assert rule.lifted_reason == "Snack cupboard works well"
    assert BlanketRule.objects.filter(pk=rule.pk).exists()
    assert rule.history.first().history_user == manager


def test_a_stale_edit_is_refused(rule, manager):
    old_version = rule.version
    services.rule_modify(
        rule=rule, by=manager, version=old_version, reason="r", description="Locked 12am-6am"
    )
    with pytest.raises(StaleEdit):
        services.rule_lift(rule=rule, by=manager, version=old_version, reason="x")


def test_a_review_needs_a_service_user_representative(rule, manager):
    review = rule.reviews.get()
    with pytest.raises(ValidationError) as exc:
        services.review_record(
            review=review,
            by=manager,
            version=review.version,
            held_on=timezone.localdate(),
            participants="Cal Morgan, ward manager",
            service_user_representative="",
            findings="Still needed",
            outcome="keep",
            outcome_reason="Staffing unchanged",
        )
    assert "service_user_representative" in exc.value.message_dict


def test_keeping_a_rule_after_review_schedules_the_next_one(rule, manager):
    services.review_start(rule=rule, by=manager, version=rule.version)
    rule.refresh_from_db()
    assert rule.status == Status.UNDER_REVIEW
    review = rule.reviews.get()
    services.review_record(
        review=review,
        by=manager,
        version=review.version,
        held_on=timezone.localdate(),
        participants="Cal Morgan, ward manager\nJo Evans, peer support worker",
        service_user_representative="Patient representative from community meeting",
        findings="Still needed while nights have two staff",
        outcome="keep",
        outcome_reason="Staffing unchanged",
    )
    rule.refresh_from_db()
    assert rule.status == Status.IN_FORCE
    assert rule.next_review_date > timezone.localdate()
    assert rule.reviews.scheduled().get().due_date == rule.next_review_date


def test_a_review_can_lift_the_rule(rule, manager):
    review = rule.reviews.get()
    services.review_record(
        review=review,
        by=manager,
        version=review.version,
        held_on=timezone.localdate(),
        participants="Cal",
        service_user_representative="Rep",
        findings="No incidents in the kitchen for a year",
        outcome="lift",
        outcome_reason="Not needed",
    )
    rule.refresh_from_db()
    assert rule.status == Status.LIFTED
    assert not rule.reviews.scheduled().exists()


def test_overdue_reviews_are_flagged(rule):
    review = rule.reviews.get()
    assert not review.overdue
    review.due_date = timezone.localdate() - datetime.timedelta(days=1)
    review.save()
    assert review.overdue
    assert list(BlanketRuleReview.objects.overdue()) == [review]


def test_a_challenge_reply_is_due_within_the_set_days(challenge, settings):
    assert challenge.response_due == timezone.localdate() + datetime.timedelta(days=14)
    assert challenge.status == Challenge.Status.AWAITING_DECISION
    assert challenge.ward.name == "Willow"


def test_the_response_days_come_from_the_setting(rule, sam, settings):
    settings.RRP_CHALLENGE_RESPONSE_DAYS = 7
    challenge = services.challenge_create(
        rule=rule, by=sam.user, service_user=sam, in_own_words="a", would_like_instead="b"
    )
    assert challenge.response_due == timezone.localdate() + datetime.timedelta(days=7)


def test_a_challenge_needs_own_words_and_what_instead(rule, sam):
    with pytest.raises(ValidationError) as exc:
        services.challenge_create(
            rule=rule, by=sam.user, service_user=sam, in_own_words="", would_like_instead=""
        )
    assert set(exc.value.message_dict) == {"in_own_words", "would_like_instead"}


def test_a_challenge_to_a_lifted_rule_is_refused_with_an_explanation(rule, manager, sam):
    services.rule_lift(rule=rule, by=manager, version=rule.version, reason="Not needed")
    with pytest.raises(ValidationError) as exc:
        services.challenge_create(
            rule=rule, by=sam.user, service_user=sam, in_own_words="a", would_like_instead="b"
        )
    assert "was lifted on" in exc.value.messages[0]
    assert "nothing to challenge" in exc.value.messages[0]


def test_a_challenge_for_someone_not_on_the_rules_ward_is_refused(rule, lou, peer):
    with pytest.raises(ValidationError) as exc:
        services.challenge_create(
            rule=rule, by=peer, service_user=lou, in_own_words="a", would_like_instead="b"
        )
    assert "service_user" in exc.value.message_dict


def test_an_external_source_url_is_dropped(rule, sam):
    challenge = services.challenge_create(
        rule=rule,
        by=sam.user,
        service_user=sam,
        in_own_words="a",
        would_like_instead="b",
        source_url="//evil.example/x",
        source_label="Ward round",
    )
    assert challenge.source_url == ""
    assert challenge.source_label == ""
    assert services.safe_source_url("https://evil.example/") == ""
    assert services.safe_source_url("/ward-rounds/3/") == "/ward-rounds/3/"


def test_a_decision_needs_a_reason(challenge, manager):
    with pytest.raises(ValidationError) as exc:
        services.challenge_decide(
            challenge=challenge, by=manager, version=challenge.version, decision="keep", reason=""
        )
    assert "decision_reason" in exc.value.message_dict


def test_deciding_to_lift_lifts_the_rule_with_the_date(challenge, manager):
    services.challenge_decide(
        challenge=challenge, by=manager, version=challenge.version, decision="lift", reason="You are right."
    )
    rule = BlanketRule.objects.get(pk=challenge.rule_id)
    assert rule.status == Status.LIFTED
    assert rule.lifted_at == challenge.decided_at
    assert "You are right." in rule.lifted_reason


def test_deciding_to_modify_changes_the_rule(challenge, manager):
    services.challenge_decide(
        challenge=challenge,
        by=manager,
        version=challenge.version,
        decision="modify",
        reason="A snack box is fair.",
        new_description="The kitchen is locked at night; a snack box is always available.",
    )
    rule = BlanketRule.objects.get(pk=challenge.rule_id)
    assert rule.status == Status.MODIFIED
    assert "snack box" in rule.description


def test_look_again_flow(challenge, manager, lead, sam):
    services.challenge_decide(
        challenge=challenge, by=manager, version=challenge.version, decision="keep", reason="Still needed."
    )
    challenge.refresh_from_db()
    services.challenge_ask_look_again(challenge=challenge, by=sam.user, reason="Nobody asked us.")
    challenge.refresh_from_db()
    assert challenge.status == Challenge.Status.LOOK_AGAIN
    services.challenge_reconsider(
        challenge=challenge, by=lead, version=challenge.version, response="Please decide again.", uphold=False
    )
    challenge.refresh_from_db()
    assert challenge.status == Challenge.Status.AWAITING_DECISION
    assert challenge.look_again_by == lead


def test_look_again_cannot_be_asked_before_a_decision(challenge, sam):
    with pytest.raises(ValidationError):
        services.challenge_ask_look_again(challenge=challenge, by=sam.user, reason="x")
