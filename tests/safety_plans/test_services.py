import types

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rrp import permissions
from rrp import services as core
from rrp.concurrency import StaleEdit
from rrp.models import PermissionEvent, PersonToNotify
from safety_plans import receivers, services
from safety_plans.models import ImmutableVersion, Kind, PlanShare, PlanVersion, Proposal
from tests.safety_plans.conftest import agree_both, write

pytestmark = pytest.mark.django_db


def test_every_change_keeps_its_author(plan, sam, nurse):
    write(plan, Kind.HELPS, sam.user, text="Quiet room, soft voice")
    write(plan, Kind.HELPS, nurse, text="Quiet room, soft voice, offer a walk")
    section = plan.sections.get(kind=Kind.HELPS)
    assert section.author == nurse
    assert [h.history_user for h in section.history.order_by("history_id")] == [sam.user, nurse]
    assert services.contributors(section) == ["sam Test", "nurse.ash Test"]


def test_stale_save_is_refused_and_keeps_the_first_text(plan, sam, nurse):
    write(plan, Kind.HELPS, sam.user, text="First")
    opened = plan.sections.get(kind=Kind.HELPS).version
    services.section_save(plan=plan, kind=Kind.HELPS, version=opened, by=sam.user, text="Sam's words")
    with pytest.raises(StaleEdit) as exc:
        services.section_save(plan=plan, kind=Kind.HELPS, version=opened, by=nurse, text="Ash's words")
    assert exc.value.current.text == "Sam's words"
    assert plan.sections.get(kind=Kind.HELPS).text == "Sam's words"


def test_two_people_starting_the_same_new_part_conflict(plan, sam, nurse):
    services.section_save(plan=plan, kind=Kind.COPING, version=0, by=sam.user, text="Music")
    with pytest.raises(StaleEdit):
        services.section_save(plan=plan, kind=Kind.COPING, version=0, by=nurse, text="Walks")


def test_long_text_and_unusual_characters_are_kept_exactly(plan, sam):
    text = "Ça va? 😊 <script>alert(1)</script> \u200b tabs\tand\r\nnew lines " + "ẞ" * 20000
    write(plan, Kind.COPING, sam.user, text=text)
    assert plan.sections.get(kind=Kind.COPING).text == text


def test_both_sides_agree_then_a_numbered_version_exists(plan, sam, nurse):
    write(plan, Kind.HELPS, sam.user, text="Music")
    assert services.plan_agree(plan=plan, by=sam.user) is None
    version = services.plan_agree(plan=plan, by=nurse)
    assert version.number == 1
    assert version.content[Kind.HELPS]["text"] == "Music"
    assert version.staff_agreed_by == nurse
    plan.refresh_from_db()
    assert plan.review_by is not None


def test_a_change_after_one_side_agreed_needs_agreement_again(plan, sam, nurse):
    write(plan, Kind.HELPS, sam.user, text="Music")
    services.plan_agree(plan=plan, by=sam.user)
    write(plan, Kind.HELPS, nurse, text="Music and tea")
    assert services.plan_agree(plan=plan, by=nurse) is None
    assert services.plan_agree(plan=plan, by=sam.user).content[Kind.HELPS]["text"] == "Music and tea"


def test_agreed_version_is_immutable(plan, sam, nurse):
    write(plan, Kind.HELPS, sam.user, text="Music")
    version = agree_both(plan, sam.user, nurse)
    write(plan, Kind.HELPS, sam.user, text="Something else")
    version.refresh_from_db()
    assert version.content[Kind.HELPS]["text"] == "Music"
    version.content = {}
    with pytest.raises(ImmutableVersion):
        version.save()
    with pytest.raises(ImmutableVersion):
        version.delete()
    assert PlanVersion.objects.get(pk=version.pk).content[Kind.HELPS]["text"] == "Music"


def test_agreeing_with_nothing_changed_is_refused_politely(plan, sam, nurse):
    write(plan, Kind.HELPS, sam.user, text="Music")
    agree_both(plan, sam.user, nurse)
    with pytest.raises(ValidationError, match="Nothing has changed since version 1"):
        services.plan_agree(plan=plan, by=sam.user)


def test_empty_plan_cannot_be_agreed(plan, sam):
    with pytest.raises(ValidationError, match="empty"):
        services.plan_agree(plan=plan, by=sam.user)


def test_outsider_and_carer_cannot_agree(plan, carer, outsider, sam):
    write(plan, Kind.HELPS, sam.user, text="Music")
    for user in (carer, outsider):
        with pytest.raises(PermissionDenied):
            services.plan_agree(plan=plan, by=user)


def test_person_disagreement_is_kept_beside_the_part_and_only_the_person_sets_it(plan, sam, nurse):
    write(plan, Kind.CRISIS_WISHES, nurse, text="Rapid tranquillisation if needed")
    write(plan, Kind.CRISIS_WISHES, sam.user, disagreement="I do not want injections")
    write(plan, Kind.CRISIS_WISHES, nurse, text="Oral medication first", disagreement="")
    section = plan.sections.get(kind=Kind.CRISIS_WISHES)
    assert section.disagreement == "I do not want injections"
    version = agree_both(plan, sam.user, nurse)
    assert version.content[Kind.CRISIS_WISHES]["disagreement"] == "I do not want injections"


def test_carer_writes_only_the_family_part(plan, carer):
    write(plan, Kind.FAMILY, carer, text="Call me, I can come in")
    assert plan.sections.get(kind=Kind.FAMILY).author == carer
    with pytest.raises(PermissionDenied):
        write(plan, Kind.HELPS, carer, text="Not mine to write")


def test_agreement_keeps_people_to_notify_in_step(plan, sam, nurse):
    PersonToNotify.objects.create(service_user=sam, name="Old Friend", relationship="Friend")
    kept = PersonToNotify.objects.create(service_user=sam, name="Pat Taylor", relationship="Mum")
    write(
        plan,
        Kind.WHO_TO_TELL,
        sam.user,
        contacts=[
            {"name": "Pat Taylor", "relationship": "Mother", "phone": "07700 900123"},
            {"name": "Alex", "relationship": "Advocate", "phone": ""},
            {"name": "", "relationship": "ignored", "phone": ""},
        ],
    )
    agree_both(plan, sam.user, nurse)
    rows = {p.name: (p.relationship, p.phone) for p in PersonToNotify.objects.filter(service_user=sam)}
    assert rows == {"Pat Taylor": ("Mother", "07700 900123"), "Alex": ("Advocate", "")}
    kept.refresh_from_db()
    assert kept.phone == "07700 900123"


def test_plan_is_visible_to_the_right_people(plan, sam, nurse, manager, lead, carer, kai, outsider, peer):
    for user in (nurse, manager, lead, sam.user, carer):
        assert permissions.has(user, "view", plan), user
    for user in (kai.user, outsider, peer):
        assert not permissions.has(user, "view", plan), user
    assert permissions.has(nurse, "change", plan)
    assert not permissions.has(lead, "change", plan)
    assert not permissions.has(carer, "change", plan)


def test_transfer_moves_the_plan_to_the_new_ward_team(plan, sam, nurse, nurse_oak, lead):
    admission = sam.current_admission
    from django.utils import timezone

    core.admission_transfer(
        admission=admission,
        to_ward=admission.ward.division.wards.get(name="Oak"),
        at=timezone.now(),
        by=nurse,
    )
    plan.refresh_from_db()
    assert plan.ward.name == "Oak"
    assert permissions.has(nurse_oak, "change", plan)
    assert not permissions.has(nurse, "view", plan)
    assert permissions.has(lead, "view", plan)
    assert permissions.has(sam.user, "change", plan)


def test_carer_consent_withdrawal_revokes_at_once(plan, sam, carer):
    assert permissions.has(carer, "view", plan)
    core.carer_consent_withdraw(link=sam.carer_links.get(carer=carer), by=sam.user)
    assert not permissions.has(carer, "view", plan)
    share = plan.shares.get(user=carer)
    assert share.withdrawn_at is not None
    assert PermissionEvent.objects.filter(
        object_id=str(plan.pk), user=carer, action="revoke", reason="carer consent withdrawn"
    ).exists()


def test_person_withdraws_and_regrants_carer_and_invites_a_peer(plan, sam, carer, peer):
    share = plan.shares.get(user=carer, withdrawn_at=None)
    services.share_withdraw(share=share, by=sam.user)
    assert not permissions.has(carer, "view", plan)
    assert list(services.shareable_carers(plan)) == [carer]
    services.share_grant(plan=plan, user=carer, role=PlanShare.Role.CARER, by=sam.user)
    assert permissions.has(carer, "view", plan)
    services.share_grant(plan=plan, user=peer, role=PlanShare.Role.PEER, by=sam.user)
    assert permissions.has(peer, "view", plan)
    assert not permissions.has(peer, "change", plan)
    events = PermissionEvent.objects.filter(object_type="safety_plans.safetyplan", object_id=str(plan.pk))
    assert events.filter(user=carer, action="revoke").exists()
    assert events.filter(user=peer, action="grant").exists()


def test_cannot_share_with_someone_without_consent(plan, sam, outsider):
    with pytest.raises(ValidationError):
        services.share_grant(plan=plan, user=outsider, role=PlanShare.Role.CARER, by=sam.user)
    with pytest.raises(ValidationError):
        services.share_grant(plan=plan, user=outsider, role=PlanShare.Role.PEER, by=sam.user)


def test_proposal_create_and_accept_adds_the_words_to_the_draft(plan, sam, nurse):
    proposal = services.proposal_create(
        service_user=sam,
        text="Offer the garden before the quiet room",
        source_label="Post incident review",
        source_url="/reviews/1/",
        by=nurse,
    )
    assert proposal.plan == plan and proposal.status == Proposal.Status.PENDING
    services.proposal_decide(proposal=proposal, accept=True, by=sam.user, kind=Kind.HELPS)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ACCEPTED and proposal.decided_by == sam.user
    assert "Offer the garden" in plan.sections.get(kind=Kind.HELPS).text
    with pytest.raises(ValidationError, match="already"):
        services.proposal_decide(proposal=proposal, accept=False, by=nurse)


def test_proposal_for_a_person_without_a_plan_starts_one(kai, nurse):
    proposal = services.proposal_create(service_user=kai, text="x", by=nurse)
    assert proposal.plan.service_user == kai
    assert permissions.has(nurse, "change", proposal.plan)


def test_review_action_receiver_creates_a_proposal(plan, sam, nurse):
    action = types.SimpleNamespace(
        kind="safety_plan",
        description="Ask before touching his shoulder",
        service_user=sam,
        get_absolute_url=lambda: "/incidents/reviews/actions/7/",
    )
    receivers.propose_from_review_action(sender=object, action=action, by=nurse)
    proposal = plan.proposals.get()
    assert proposal.text == "Ask before touching his shoulder"
    assert proposal.source_label == "Post incident review"
    assert proposal.source_url == "/incidents/reviews/actions/7/"


def test_review_action_of_another_kind_is_ignored(plan, sam, nurse):
    action = types.SimpleNamespace(
        kind="training", description="x", service_user=sam, get_absolute_url=lambda: "/"
    )
    receivers.propose_from_review_action(sender=object, action=action, by=nurse)
    assert not plan.proposals.exists()


def test_staff_record_the_persons_agreement_given_in_person(plan, sam, nurse, manager):
    write(plan, Kind.HELPS, sam.user, text="Music")
    assert services.plan_agree(plan=plan, by=nurse, for_person=True) is None
    plan.refresh_from_db()
    assert plan.person_has_agreed and not plan.staff_have_agreed
    version = services.plan_agree(plan=plan, by=manager)
    assert version.person_agreement_recorded_by == nurse
    assert version.staff_agreed_by == manager


def test_carer_cannot_record_the_persons_agreement(plan, sam, carer):
    write(plan, Kind.HELPS, sam.user, text="Music")
    with pytest.raises(PermissionDenied):
        services.plan_agree(plan=plan, by=carer, for_person=True)


def test_review_action_receiver_finds_the_person_through_the_review(plan, sam, nurse):
    incident = types.SimpleNamespace(service_user=sam)
    action = types.SimpleNamespace(
        kind="safety_plan",
        description="Agree a calm-down space",
        review=types.SimpleNamespace(incident=incident),
        get_absolute_url=lambda: "/reviews/3/#action-9",
    )
    receivers.propose_from_review_action(sender=object, action=action, by=nurse)
    proposal = plan.proposals.get()
    assert (proposal.text, proposal.source_url, proposal.proposed_by) == (
        "Agree a calm-down space",
        "/reviews/3/#action-9",
        nurse,
    )


def test_saving_without_a_change_does_not_undo_agreements(plan, sam, nurse):
    write(plan, Kind.HELPS, sam.user, text="Music")
    services.plan_agree(plan=plan, by=sam.user)
    write(plan, Kind.HELPS, nurse, text="Music")
    write(plan, Kind.COPING, nurse, text="")
    plan.refresh_from_db()
    assert plan.person_has_agreed
    assert services.plan_agree(plan=plan, by=nurse).number == 1
