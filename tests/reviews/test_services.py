import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from incidents.models import Incident
from incidents.reviews import services
from incidents.reviews.models import Account, LearningPoint, Review, ReviewAction
from incidents.reviews.signals import review_action_created
from incidents.signals import incident_submitted
from rrp import permissions
from tests.conftest import make_staff

from .conftest import submit_incident

pytestmark = pytest.mark.django_db


def test_submitting_an_incident_creates_one_review_due_72_hours_after_it_ended(incident, nurse):
    review = incident.review
    assert review.status == Review.Status.OPEN
    assert review.due_at == incident.ended_at + datetime.timedelta(hours=72)
    incident_submitted.send(sender=Incident, incident=incident, by=nurse)
    assert Review.objects.filter(incident=incident).count() == 1
    assert review.history.first().history_user == nurse


def test_review_period_is_a_setting(settings, sam, willow, nurse):
    settings.RRP_REVIEW_DUE_HOURS = 24
    incident = submit_incident(sam, willow, nurse)
    assert incident.review.due_at == incident.ended_at + datetime.timedelta(hours=24)


def test_staff_cannot_write_the_persons_account(review, nurse, manager):
    for user in (nurse, manager):
        with pytest.raises(PermissionDenied):
            services.account_save(review=review, by=user, kind="person", what_happened="Made up")
    assert not review.accounts.exists()


def test_person_writes_own_account_as_draft_then_shares_it(review, sam):
    account = services.account_save(review=review, by=sam.user, kind="person", what_happened="Half")
    assert account.status == Account.Status.DRAFT
    assert not account.written_with_support
    account = services.account_save(
        review=review, by=sam.user, kind="person", what_happened="All of it", share=True, version=1
    )
    assert account.status == Account.Status.SHARED
    assert account.version == 2
    assert [h.what_happened for h in account.history.order_by("history_date")] == ["Half", "All of it"]


def test_stale_save_is_refused_and_keeps_the_other_text(review, sam, peer):
    services.account_save(review=review, by=sam.user, kind="person", what_happened="First")
    services.supporter_invite(review=review, supporter=peer, by=sam.user)
    services.account_save(review=review, by=peer, kind="person", what_happened="Peer edit", version=1)
    from rrp.concurrency import StaleEdit

    with pytest.raises(StaleEdit) as exc:
        services.account_save(review=review, by=sam.user, kind="person", what_happened="Sam edit", version=1)
    assert exc.value.current.what_happened == "Peer edit"
    assert services.person_account(review).what_happened == "Peer edit"


def test_supporter_needs_the_persons_invitation(review, sam, peer):
    with pytest.raises(PermissionDenied):
        services.account_save(review=review, by=peer, kind="person", what_happened="Not invited")
    assert not permissions.has(peer, "view", review)
    with pytest.raises(PermissionDenied):
        services.supporter_invite(review=review, supporter=peer, by=peer)


def test_invited_supporter_sees_review_and_incident_and_writes_marked_with_support(review, sam, peer):
    services.supporter_invite(review=review, supporter=peer, by=sam.user)
    assert permissions.has(peer, "view", review)
    assert permissions.has(peer, "incidents.view_incident", review.incident)
    account = services.account_save(review=review, by=peer, kind="person", what_happened="Sam told me")
    assert account.written_with_support
    assert account.author == sam.user


def test_withdrawing_the_invitation_ends_the_supporters_access(review, sam, peer):
    services.supporter_invite(review=review, supporter=peer, by=sam.user)
    services.supporter_withdraw(review=review, by=sam.user)
    assert not permissions.has(peer, "view", review)
    assert not permissions.has(peer, "incidents.view_incident", review.incident)
    with pytest.raises(PermissionDenied):
        services.account_save(review=review, by=peer, kind="person", what_happened="x")


def test_carer_can_be_invited_but_a_stranger_cannot(review, sam, carer, outsider):
    with pytest.raises(ValidationError):
        services.supporter_invite(review=review, supporter=outsider, by=sam.user)
    assert not permissions.has(carer, "view", review)
    services.supporter_invite(review=review, supporter=carer, by=sam.user)
    review.refresh_from_db()
    assert review.supporter_kind == Review.SupporterKind.CARER
    assert permissions.has(carer, "view", review)


def test_staff_account_is_its_authors_own(review, nurse, manager):
    services.account_save(review=review, by=nurse, kind="staff", what_happened="Mine", share=True)
    services.account_save(review=review, by=manager, kind="staff", what_happened="Cal's")
    texts = {a.author: a.what_happened for a in review.accounts.all()}
    assert texts == {nurse: "Mine", manager: "Cal's"}


def test_facilitator_must_not_have_been_involved(review, nurse, manager):
    with pytest.raises(ValidationError):
        services.facilitator_assign(review=review, facilitator=nurse, by=manager)
    services.facilitator_assign(review=review, facilitator=manager, by=manager)
    assert Review.objects.get(pk=review.pk).facilitator == manager


def test_decline_needs_a_reason_and_keeps_it(review, sam):
    with pytest.raises(ValidationError):
        services.participation_record(review=review, by=sam.user, participation="declined", reason=" ")
    services.participation_record(
        review=review, by=sam.user, participation="declined", reason="I don't want to go over it again"
    )
    review.refresh_from_db()
    assert review.person_declined
    assert review.not_held_reason == "I don't want to go over it again"


def test_disagreement_keeps_both_views(review, sam, nurse):
    point = services.learning_add(review=review, by=nurse, text="Sam needed more space", view="Busy lounge")
    with pytest.raises(ValidationError):
        services.learning_respond(point=point, by=sam.user, response="disagreed", view="")
    services.learning_respond(
        point=point, by=sam.user, response="disagreed", view="I needed to be listened to"
    )
    point.refresh_from_db()
    assert point.is_disagreed
    assert point.staff_view == "Busy lounge"
    assert point.person_view == "I needed to be listened to"
    assert point.side == "staff"


def test_pathway_entries_are_attributed_and_ordered_by_phase(review, sam, nurse):
    services.pathway_add(review=review, by=nurse, phase="afterwards", text="Calm in room")
    services.pathway_add(review=review, by=sam.user, phase="triggers", text="Phone call")
    services.pathway_add(review=review, by=nurse, phase="before", text="Quiet morning")
    entries = list(review.pathway.all())
    assert [e.phase for e in entries] == ["before", "triggers", "afterwards"]
    assert [e.side for e in entries] == ["staff", "person", "staff"]
    assert entries[1].added_by == sam.user


def test_action_creation_sends_the_signal_for_other_apps(review, nurse):
    received = []

    def listener(sender, action, by, **kwargs):
        received.append((action.kind, action.review.incident.service_user, action.get_absolute_url(), by))

    review_action_created.connect(listener)
    try:
        action = services.action_create(
            review=review,
            by=nurse,
            kind="safety_plan",
            description="Add 'time in the garden' to things that help",
            owner=nurse,
            due_date=timezone.localdate() + datetime.timedelta(days=7),
        )
    finally:
        review_action_created.disconnect(listener)
    assert received == [("safety_plan", review.incident.service_user, action.get_absolute_url(), nurse)]


def test_service_user_cannot_create_actions_and_owner_must_be_on_the_team(review, sam, nurse, nurse_cedar):
    due = timezone.localdate()
    with pytest.raises(PermissionDenied):
        services.action_create(
            review=review, by=sam.user, kind="other", description="x", owner=nurse, due_date=due
        )
    with pytest.raises(ValidationError):
        services.action_create(
            review=review, by=nurse, kind="other", description="x", owner=nurse_cedar, due_date=due
        )
    assert not ReviewAction.objects.exists()


def _complete(review, sam, nurse, manager, *, declined=False):
    services.debrief_record(
        review=review,
        by=nurse,
        held_at=review.incident.ended_at,
        who_attended="Nurse, Sam",
        how_the_person_was="Upset",
        physical_check="No injuries",
    )
    services.facilitator_assign(review=review, facilitator=manager, by=manager)
    if declined:
        services.participation_record(review=review, by=sam.user, participation="declined", reason="Not now")
    else:
        services.account_save(review=review, by=sam.user, kind="person", what_happened="Mine", share=True)
        services.meeting_record(review=review, by=nurse, held_at=timezone.now())
    services.account_save(review=review, by=nurse, kind="staff", what_happened="Staff", share=True)
    services.pathway_add(review=review, by=nurse, phase="triggers", text="Phone call")
    review.refresh_from_db()
    services.summary_save(review=review, by=manager, summary="We agreed", version=review.version)
    if not declined:
        services.summary_agree(review=review, by=sam.user, agreement="agreed")
    services.summary_agree(review=review, by=manager)


def test_closing_with_parts_missing_is_refused_with_a_list(review, manager):
    with pytest.raises(ValidationError) as exc:
        services.review_close(review=review, by=manager)
    messages = exc.value.messages
    assert "Record the immediate debrief." in messages
    assert "Write the summary of the review." in messages
    assert any("person's own account" in m for m in messages)
    review.refresh_from_db()
    assert review.status == "open"


def test_close_derives_mhsds_flags_ends_supporter_access_and_opens_to_panel(
    review, sam, nurse, manager, peer
):
    services.supporter_invite(review=review, supporter=peer, by=sam.user)
    _complete(review, sam, nurse, manager)
    review = services.review_close(review=review, by=manager)
    assert review.status == "closed" and review.closed_by == manager
    assert review.held_with_service_user is True
    assert review.held_with_staff is True
    assert not permissions.has(peer, "view", review)
    assert not permissions.has(peer, "incidents.view_incident", review.incident)
    assert permissions.has(peer, "panel", review)


def test_declined_review_closes_not_held_with_the_person(review, sam, nurse, manager):
    _complete(review, sam, nurse, manager, declined=True)
    review = services.review_close(review=review, by=manager)
    assert review.held_with_service_user is False
    assert review.not_held_reason == "Not now"


def test_changing_the_summary_needs_agreement_again(review, sam, nurse, manager):
    _complete(review, sam, nurse, manager)
    review.refresh_from_db()
    services.summary_save(review=review, by=manager, summary="Changed", version=review.version)
    review.refresh_from_db()
    assert review.person_agreement == "" and review.facilitator_agreed_at is None


def test_closed_review_cannot_be_changed(review, sam, nurse, manager):
    _complete(review, sam, nurse, manager)
    services.review_close(review=review, by=manager)
    with pytest.raises(ValidationError):
        services.pathway_add(review=review, by=nurse, phase="before", text="late")


def test_other_wards_staff_cannot_write(review, nurse_cedar):
    with pytest.raises(PermissionDenied):
        services.pathway_add(review=review, by=nurse_cedar, phase="before", text="x")


def test_learning_agreed_by_both(review, sam, nurse):
    point = services.learning_add(review=review, by=sam.user, text="Ask me before the TV goes off")
    services.learning_respond(point=point, by=nurse, response="agreed")
    point.refresh_from_db()
    assert point.is_agreed and point.side == "person"
    assert LearningPoint.objects.count() == 1


def test_new_staff_member_on_ward_sees_review(review, willow):
    newcomer = make_staff("hca.new", "ward_staff", [willow])
    assert permissions.has(newcomer, "view", review)


def test_facilitator_from_another_ward_of_the_division_sees_this_review_only(review, manager, nurse_oak, sam):
    services.facilitator_assign(review=review, facilitator=nurse_oak, by=manager)
    assert permissions.has(nurse_oak, "view", review)
    other = submit_incident(sam, review.incident.ward, manager).review
    assert not permissions.has(nurse_oak, "view", other)
    services.facilitator_assign(review=review, facilitator=manager, by=manager)
    assert not permissions.has(nurse_oak, "view", review)


def test_facilitator_cannot_come_from_another_division(review, manager, nurse_cedar):
    with pytest.raises(ValidationError):
        services.facilitator_assign(review=review, facilitator=nurse_cedar, by=manager)


def test_withdrawing_a_carers_consent_ends_their_support(review, sam, carer):
    from rrp import services as core_services
    from rrp.models import CarerLink

    services.supporter_invite(review=review, supporter=carer, by=sam.user)
    core_services.carer_consent_withdraw(link=CarerLink.objects.get(carer=carer), by=sam.user)
    review.refresh_from_db()
    assert review.supporter is None
    assert not permissions.has(carer, "view", review)
    assert not permissions.has(carer, "incidents.view_incident", review.incident)
