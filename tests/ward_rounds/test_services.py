import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rrp import permissions
from rrp import services as core
from rrp.concurrency import StaleEdit
from tests.ward_rounds.conftest import started, tomorrow_at
from ward_rounds import services
from ward_rounds.models import AgendaItem, Appointment

pytestmark = pytest.mark.django_db


def test_an_appointment_in_the_past_cannot_be_booked(session, sam, nurse):
    with pytest.raises(ValidationError) as exc:
        services.appointment_book(
            ward_round=session,
            service_user=sam,
            scheduled_at=timezone.now() - datetime.timedelta(minutes=5),
            by=nurse,
        )
    assert "already passed" in str(exc.value)
    assert not Appointment.objects.exists()


def test_a_person_cannot_be_booked_twice_into_one_ward_round(appointment, session, sam, nurse):
    with pytest.raises(ValidationError) as exc:
        services.appointment_book(
            ward_round=session, service_user=sam, scheduled_at=tomorrow_at(11), by=nurse
        )
    assert "already has an appointment" in str(exc.value)
    assert Appointment.objects.filter(service_user=sam).count() == 1


def test_after_a_cancellation_the_person_can_be_booked_again(appointment, session, sam, nurse):
    services.appointment_cancel(appointment=appointment, by=nurse, reason="Clash with a tribunal")
    again = services.appointment_book(
        ward_round=session, service_user=sam, scheduled_at=tomorrow_at(12), by=nurse
    )
    assert again.status == Appointment.Status.BOOKED


def test_a_person_on_another_ward_cannot_be_booked(session, lou, nurse):
    with pytest.raises(ValidationError) as exc:
        services.appointment_book(
            ward_round=session, service_user=lou, scheduled_at=tomorrow_at(11), by=nurse
        )
    assert "not on Willow" in str(exc.value)


def test_preparation_opens_when_booked(appointment, sam):
    assert appointment.preparation.pk is not None
    assert permissions.has(sam.user, "contribute", appointment)


def test_the_persons_items_come_first_whoever_added_first(appointment, sam, carer, nurse):
    staff_item = services.item_add(appointment=appointment, by=nurse, text="Review of observations")
    carer_item = services.item_add(appointment=appointment, by=carer, text="Visiting on Sundays")
    first = services.item_add(appointment=appointment, by=sam.user, text="Leave to see my mum")
    second = services.item_add(appointment=appointment, by=sam.user, text="My medication makes me tired")
    assert list(appointment.items.in_agenda_order()) == [first, second, carer_item, staff_item]


def test_items_keep_their_author_and_role(appointment, sam, carer, nurse):
    items = [services.item_add(appointment=appointment, by=who, text="x") for who in (sam.user, carer, nurse)]
    assert [(i.author, i.author_role) for i in items] == [
        (sam.user, AgendaItem.AuthorRole.PERSON),
        (carer, AgendaItem.AuthorRole.CARER),
        (nurse, AgendaItem.AuthorRole.STAFF),
    ]


def test_only_the_author_can_change_an_items_words(appointment, sam, nurse):
    item = services.item_add(appointment=appointment, by=sam.user, text="Leave to see my mum")
    with pytest.raises(PermissionDenied):
        services.item_edit(item=item, by=nurse, text="Leave", kind="leave", version=item.version)
    item.refresh_from_db()
    assert item.text == "Leave to see my mum"
    assert item.author == sam.user


def test_the_person_moves_their_items_up_and_down(appointment, sam):
    a, b, c = (services.item_add(appointment=appointment, by=sam.user, text=t) for t in "abc")
    services.item_move(item=c, by=sam.user, direction="up")
    assert [i.text for i in appointment.items.in_agenda_order()] == ["a", "c", "b"]
    services.item_move(item=a, by=sam.user, direction="down")
    assert [i.text for i in appointment.items.in_agenda_order()] == ["c", "a", "b"]
    services.item_move(item=c, by=sam.user, direction="up")  # already first: nothing changes
    assert [i.text for i in appointment.items.in_agenda_order()] == ["c", "a", "b"]


@pytest.mark.parametrize("who", ["nurse", "carer"])
def test_nobody_else_reorders_the_persons_items(request, appointment, sam, who):
    a = services.item_add(appointment=appointment, by=sam.user, text="a")
    services.item_add(appointment=appointment, by=sam.user, text="b")
    with pytest.raises(PermissionDenied):
        services.item_move(item=a, by=request.getfixturevalue(who), direction="down")


def test_the_person_cannot_reorder_a_carers_item(appointment, sam, carer):
    item = services.item_add(appointment=appointment, by=carer, text="Visiting")
    with pytest.raises(PermissionDenied):
        services.item_move(item=item, by=sam.user, direction="up")


def test_an_item_moved_out_leaves_the_agenda_with_where_it_will_be_handled(appointment, sam, nurse):
    item = services.item_add(appointment=appointment, by=sam.user, text="Can I have my phone charger?")
    services.item_move_out(item=item, by=nurse, handled_where="Named nurse today at 3pm")
    assert item not in appointment.items.on_agenda()
    moved = appointment.items.moved_out().get()
    assert moved.handled_where == "Named nurse today at 3pm"
    assert moved.history.first().history_change_reason == "better handled outside the ward round"


def test_moving_out_needs_a_place_and_the_team(appointment, sam, carer, nurse):
    item = services.item_add(appointment=appointment, by=sam.user, text="x")
    with pytest.raises(ValidationError):
        services.item_move_out(item=item, by=nurse, handled_where=" ")
    with pytest.raises(PermissionDenied):
        services.item_move_out(item=item, by=carer, handled_where="Elsewhere")


def test_a_stale_item_edit_is_refused_and_keeps_the_saved_text(appointment, sam):
    item = services.item_add(appointment=appointment, by=sam.user, text="first")
    opened = item.version
    services.item_edit(item=item, by=sam.user, text="second", kind="talk", version=opened)
    with pytest.raises(StaleEdit) as exc:
        services.item_edit(item=item, by=sam.user, text="third", kind="talk", version=opened)
    assert exc.value.current.text == "second"
    item.refresh_from_db()
    assert item.text == "second"


def test_outcomes_need_the_round_to_have_started(appointment, sam, nurse):
    item = services.item_add(appointment=appointment, by=sam.user, text="Leave")
    with pytest.raises(ValidationError):
        services.outcome_record(item=item, by=nurse, decision="Agreed")


def test_a_carer_cannot_record_outcomes(appointment, sam, carer, nurse):
    started(appointment, nurse)
    item = services.item_add(appointment=appointment, by=sam.user, text="Leave")
    with pytest.raises(PermissionDenied):
        services.outcome_record(item=item, by=carer, decision="Agreed")


def test_history_records_who_recorded_and_changed_an_outcome(appointment, sam, nurse, manager):
    started(appointment, nurse)
    item = services.item_add(appointment=appointment, by=sam.user, text="Leave")
    outcome = services.outcome_record(item=item, by=nurse, decision="Escorted leave agreed")
    services.outcome_record(
        item=item, by=manager, decision="Escorted leave, twice a week", version=outcome.version
    )
    assert [h.history_user for h in outcome.history.all()] == [manager, nurse]


def test_actions_can_be_owned_by_the_team_or_the_person_but_not_an_outsider(
    appointment, sam, nurse, outsider
):
    started(appointment, nurse)
    item = services.item_add(appointment=appointment, by=sam.user, text="Leave")
    outcome = services.outcome_record(item=item, by=nurse, decision="Agreed")
    due = timezone.localdate() + datetime.timedelta(days=3)
    services.action_add(outcome=outcome, by=nurse, description="Book escort", owner=nurse, due=due)
    services.action_add(outcome=outcome, by=nurse, description="Write a leave plan", owner=sam.user, due=due)
    with pytest.raises(ValidationError):
        services.action_add(outcome=outcome, by=nurse, description="x", owner=outsider, due=due)


def test_a_delay_must_be_later_than_the_booked_time(appointment, nurse):
    with pytest.raises(ValidationError):
        services.appointment_record_delay(
            appointment=appointment, by=nurse, expected_at=appointment.scheduled_at
        )
    services.appointment_record_delay(
        appointment=appointment,
        by=nurse,
        expected_at=appointment.scheduled_at + datetime.timedelta(minutes=40),
        delay_note="The previous ward round ran over",
    )
    appointment.refresh_from_db()
    assert appointment.running_late
    assert appointment.minutes_late == 40


def test_sharing_the_summary_finishes_the_round_and_closes_the_agenda(appointment, sam, nurse):
    started(appointment, nurse)
    services.appointment_share_summary(
        appointment=appointment, by=nurse, summary="We agreed leave.", version=appointment.version
    )
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.COMPLETED
    assert appointment.is_shared
    with pytest.raises(ValidationError):
        services.item_add(appointment=appointment, by=sam.user, text="Too late")


def test_withdrawn_carer_consent_revokes_access_at_once(appointment, sam, carer, admin):
    assert permissions.has(carer, "view", appointment)
    link = sam.carer_links.get()
    core.carer_consent_withdraw(link=link, by=admin)
    assert not permissions.has(carer, "view", appointment)
    assert not permissions.has(carer, "contribute", appointment)
    with pytest.raises(PermissionDenied):
        services.item_add(appointment=appointment, by=carer, text="x")


def test_carer_without_ward_round_consent_has_no_access(session, sam, nurse):
    from tests.conftest import make_user

    other = make_user("carer.safety.only")
    core.carer_link_create(carer=other, service_user=sam, relationship="Brother", shares_safety_plan=True)
    appointment = services.appointment_book(
        ward_round=session, service_user=sam, scheduled_at=tomorrow_at(10, 30), by=nurse
    )
    assert not permissions.has(other, "view", appointment)


def test_transfer_cancels_future_rounds_and_moves_history_to_the_new_ward(
    session, sam, nurse, nurse_oak, oak, admin
):
    past_session = services.ward_round_create(
        ward=session.ward,
        starts_at=timezone.now() - datetime.timedelta(days=7),
        purpose="Weekly review",
        by=nurse,
        recording_past=True,
    )
    past = services.appointment_book(
        ward_round=past_session,
        service_user=sam,
        scheduled_at=past_session.starts_at,
        by=nurse,
        recording_past=True,
    )
    future = services.appointment_book(
        ward_round=session, service_user=sam, scheduled_at=tomorrow_at(10), by=nurse
    )
    core.admission_transfer(
        admission=sam.current_admission,
        to_ward=oak,
        at=timezone.now() - datetime.timedelta(hours=1),
        by=admin,
    )
    future.refresh_from_db()
    assert future.status == Appointment.Status.CANCELLED
    assert "moved to Oak" in future.cancelled_reason
    # The new ward's team reads the history, and cannot write into the old ward's records.
    assert permissions.has(nurse_oak, "view", past)
    assert not permissions.has(nurse_oak, "record_outcome", past)
    # The old ward's team keeps what happened on their ward.
    assert permissions.has(nurse, "view", past)
    # The person keeps their own.
    assert permissions.has(sam.user, "view", past)


def test_an_invited_peer_worker_gets_access_and_loses_it_when_uninvited(appointment, sam, peer):
    assert not permissions.has(peer, "view", appointment)
    services.appointment_update_attendance(
        appointment=appointment, by=sam.user, version=appointment.version, peer_worker=peer
    )
    assert permissions.has(peer, "view", appointment)
    item = services.item_add(appointment=appointment, by=peer, text="Sam asked me to raise his leave")
    assert item.author_role == AgendaItem.AuthorRole.PEER
    appointment.refresh_from_db()
    services.appointment_update_attendance(
        appointment=appointment, by=sam.user, version=appointment.version, peer_worker=None
    )
    assert not permissions.has(peer, "view", appointment)


def test_two_people_recording_the_first_outcome_at_once_lose_nothing(appointment, sam, nurse, manager):
    started(appointment, nurse)
    item = services.item_add(appointment=appointment, by=sam.user, text="Leave")
    services.outcome_record(item=item, by=nurse, decision="Escorted leave")
    with pytest.raises(StaleEdit) as exc:
        services.outcome_record(item=item, by=manager, decision="Unescorted leave", version=None)
    assert exc.value.current.decision == "Escorted leave"


def test_a_ward_round_cannot_be_arranged_in_the_past(willow, nurse):
    with pytest.raises(ValidationError):
        services.ward_round_create(
            ward=willow, starts_at=timezone.now() - datetime.timedelta(hours=2), purpose="Review", by=nurse
        )


def test_a_booking_must_fall_on_the_day_of_the_round(session, sam, nurse):
    with pytest.raises(ValidationError) as exc:
        services.appointment_book(
            ward_round=session,
            service_user=sam,
            scheduled_at=tomorrow_at(10) + datetime.timedelta(days=1),
            by=nurse,
        )
    assert "when this ward round is held" in str(exc.value)


def test_a_second_move_takes_the_middle_wards_borrowed_history_away(
    willow, oak, cedar, nurse, nurse_oak, nurse_cedar, lead, admin
):
    from tests.conftest import make_person

    person = make_person("moves", willow)
    past_session = services.ward_round_create(
        ward=willow,
        starts_at=timezone.now() - datetime.timedelta(days=9),
        purpose="Review",
        by=nurse,
        recording_past=True,
    )
    on_willow = services.appointment_book(
        ward_round=past_session,
        service_user=person,
        scheduled_at=past_session.starts_at,
        by=nurse,
        recording_past=True,
    )
    core.admission_transfer(
        admission=person.current_admission,
        to_ward=oak,
        at=timezone.now() - datetime.timedelta(days=5),
        by=admin,
    )
    assert permissions.has(nurse_oak, "view", on_willow)
    core.admission_transfer(
        admission=person.current_admission,
        to_ward=cedar,
        at=timezone.now() - datetime.timedelta(days=1),
        by=admin,
    )
    assert not permissions.has(nurse_oak, "view", on_willow)
    assert permissions.has(nurse_cedar, "view", on_willow)
    assert permissions.has(nurse, "view", on_willow)
    assert permissions.has(lead, "view", on_willow)  # still their division's own record
