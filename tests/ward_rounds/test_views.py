import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from rrp import services as core
from tests.conftest import make_person
from tests.ward_rounds.conftest import started, tomorrow_at
from ward_rounds import services
from ward_rounds.models import AgendaItem

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"ward_rounds:{name}", args=args)


def test_anonymous_visitor_is_sent_to_sign_in(client, appointment):
    response = client.get(url("appointment_detail", appointment.pk))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("who", ["lou", "outsider", "nurse_oak"])
def test_people_outside_the_round_get_404(client, request, appointment, who):
    person = request.getfixturevalue(who)
    client.force_login(person.user if who == "lou" else person)
    assert client.get(url("appointment_detail", appointment.pk)).status_code == 404
    assert client.get(url("appointment_print", appointment.pk)).status_code == 404
    assert client.get(url("session_detail", appointment.ward_round.pk)).status_code == 404


def test_another_service_user_on_the_same_ward_gets_404(client, appointment, kai):
    client.force_login(kai.user)
    assert client.get(url("appointment_detail", appointment.pk)).status_code == 404
    assert client.get(url("session_detail", appointment.ward_round.pk)).status_code == 404


def test_the_person_sees_only_their_own_appointments(client, appointment, kai_appointment, sam):
    client.force_login(sam.user)
    response = client.get(url("index"))
    assert "My ward rounds" in response.text
    assert appointment.get_absolute_url() in response.text
    assert kai_appointment.get_absolute_url() not in response.text


def test_staff_see_the_session_with_its_purpose(client, appointment, kai_appointment, nurse):
    client.force_login(nurse)
    response = client.get(url("session_detail", appointment.ward_round.pk))
    assert "To review care, leave and medication" in response.text
    assert "Sam Test" in response.text and "Kai Test" in response.text


def test_the_appointment_page_states_the_purpose_to_the_person(client, appointment, sam):
    client.force_login(sam.user)
    response = client.get(url("appointment_detail", appointment.pk))
    assert response.status_code == 200
    assert "What this ward round is for" in response.text
    assert "To review care, leave and medication" in response.text


def test_staff_arrange_a_round_and_book_a_person(client, nurse, sam, willow):
    client.force_login(nurse)
    response = client.post(
        url("session_create"),
        {
            "ward": willow.pk,
            "starts_at": tomorrow_at(9).strftime("%Y-%m-%dT%H:%M"),
            "purpose": "Weekly review",
        },
    )
    session = willow.ward_rounds.get()
    assert response.url == session.get_absolute_url()
    response = client.post(
        url("appointment_book", session.pk),
        {
            "service_user": sam.pk,
            "scheduled_at": tomorrow_at(9, 20).strftime("%Y-%m-%dT%H:%M"),
            "advocate": "Ali",
        },
    )
    assert response.status_code == 302
    assert session.appointments.get().advocate == "Ali"


def test_booking_in_the_past_shows_an_error(client, session, nurse, sam):
    client.force_login(nurse)
    past = (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url("appointment_book", session.pk), {"service_user": sam.pk, "scheduled_at": past}
    )
    assert response.status_code == 200
    assert "already passed" in response.text
    assert not session.appointments.exists()


def test_double_booking_shows_an_error(client, appointment, nurse, sam):
    client.force_login(nurse)
    response = client.post(
        url("appointment_book", appointment.ward_round.pk),
        {"service_user": sam.pk, "scheduled_at": tomorrow_at(11).strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 200
    assert "already has an appointment in this ward round" in response.text


def test_the_person_cannot_book_or_arrange(client, session, sam):
    client.force_login(sam.user)
    assert client.get(url("session_create")).status_code == 403
    assert client.get(url("appointment_book", session.pk)).status_code == 404


def test_a_recovery_lead_views_but_cannot_run_the_round(client, appointment, lead, sam):
    item = services.item_add(appointment=appointment, by=sam.user, text="Leave")
    client.force_login(lead)
    assert client.get(url("appointment_detail", appointment.pk)).status_code == 200
    assert client.get(url("appointment_timing", appointment.pk)).status_code == 403
    assert client.get(url("outcome_edit", item.pk)).status_code == 403
    assert client.post(url("item_add", appointment.pk), {"kind": "talk", "text": "x"}).status_code == 403


def test_the_person_prepares_adds_and_orders_items_without_javascript(client, appointment, sam):
    client.force_login(sam.user)
    response = client.post(
        url("preparation_edit", appointment.pk),
        {"how_my_week_has_been": "Better, slept well", "my_goals": "Go home", "version": 1},
    )
    assert response.status_code == 302
    for text in ("Leave to see my mum", "Medication side effects"):
        client.post(url("item_add", appointment.pk), {"kind": "talk", "text": text})
    second = appointment.items.get(text="Medication side effects")
    client.post(url("item_move", second.pk), {"direction": "up"})
    page = client.get(url("appointment_detail", appointment.pk)).text
    assert page.index("Medication side effects") < page.index("Leave to see my mum")
    assert "Better, slept well" in page
    assert "Move down" in page


def test_move_needs_post(client, appointment, sam):
    item = services.item_add(appointment=appointment, by=sam.user, text="a")
    client.force_login(sam.user)
    assert client.get(url("item_move", item.pk)).status_code == 405


def test_staff_cannot_reorder_the_persons_items(client, appointment, sam, nurse):
    item = services.item_add(appointment=appointment, by=sam.user, text="a")
    services.item_add(appointment=appointment, by=sam.user, text="b")
    client.force_login(nurse)
    assert client.post(url("item_move", item.pk), {"direction": "down"}).status_code == 403


def test_a_carer_adds_an_item_and_sees_only_their_persons_rounds(client, appointment, kai_appointment, carer):
    client.force_login(carer)
    response = client.post(
        url("item_add", appointment.pk), {"kind": "question", "text": "Can I visit on Sunday?"}
    )
    assert response.status_code == 302
    item = appointment.items.get()
    assert item.author == carer and item.author_role == AgendaItem.AuthorRole.CARER
    assert client.get(url("appointment_detail", kai_appointment.pk)).status_code == 404
    listing = client.get(url("index")).text
    assert appointment.get_absolute_url() in listing
    assert kai_appointment.get_absolute_url() not in listing


def test_a_carer_does_not_see_the_persons_private_preparation(client, appointment, sam, carer):
    services.preparation_save(
        preparation=appointment.preparation, by=sam.user, version=1, how_my_week_has_been="Private words"
    )
    client.force_login(carer)
    assert "Private words" not in client.get(url("appointment_detail", appointment.pk)).text


def test_a_carer_whose_consent_is_withdrawn_gets_404(client, appointment, sam, carer, admin):
    core.carer_consent_withdraw(link=sam.carer_links.get(), by=admin)
    client.force_login(carer)
    assert client.get(url("appointment_detail", appointment.pk)).status_code == 404


def test_moved_out_item_shows_the_person_where_it_will_be_handled(client, appointment, sam, nurse):
    item = services.item_add(appointment=appointment, by=sam.user, text="New trainers from my room")
    client.force_login(nurse)
    response = client.post(url("item_move_out", item.pk), {"handled_where": "Named nurse on Thursday"})
    assert response.status_code == 302
    client.force_login(sam.user)
    page = client.get(url("appointment_detail", appointment.pk)).text
    assert "Handled outside the ward round" in page
    assert "Named nurse on Thursday" in page
    print_page = client.get(url("appointment_print", appointment.pk)).text
    assert "Named nurse on Thursday" in print_page


def test_outcomes_are_hidden_from_the_person_until_the_summary_is_shared(
    client, appointment, sam, carer, nurse
):
    item = services.item_add(appointment=appointment, by=sam.user, text="Leave")
    started(appointment, nurse)
    client.force_login(nurse)
    client.post(
        url("outcome_edit", item.pk),
        {"decision": "Escorted ground leave agreed", "person_agrees": "partly", "person_view": "I want more"},
    )
    assert "Escorted ground leave agreed" in client.get(url("appointment_detail", appointment.pk)).text
    for who in (sam.user, carer):
        client.force_login(who)
        assert (
            "Escorted ground leave agreed" not in client.get(url("appointment_detail", appointment.pk)).text
        )
    client.force_login(nurse)
    appointment.refresh_from_db()
    client.post(
        url("appointment_summary", appointment.pk),
        {"summary": "We talked about leave.", "version": appointment.version},
    )
    for who in (sam.user, carer):
        client.force_login(who)
        page = client.get(url("appointment_detail", appointment.pk)).text
        assert "Escorted ground leave agreed" in page
        assert "We talked about leave." in page
        assert "I want more" in page


def test_the_person_marks_the_summary_read_and_it_leaves_their_home_page(client, appointment, sam, nurse):
    started(appointment, nurse)
    appointment.refresh_from_db()
    services.appointment_share_summary(
        appointment=appointment, by=nurse, summary="Done", version=appointment.version
    )
    client.force_login(sam.user)
    assert "Ward round outcomes to read" in client.get("/").text
    assert url("appointment_detail", appointment.pk) in client.get("/").text
    client.post(url("summary_read", appointment.pk))
    assert "You have read every ward round summary" in client.get("/").text


def test_stale_item_edit_shows_both_texts(client, appointment, sam):
    item = services.item_add(appointment=appointment, by=sam.user, text="Original")
    services.item_edit(item=item, by=sam.user, text="Saved in another tab", kind="talk", version=item.version)
    client.force_login(sam.user)
    response = client.post(url("item_edit", item.pk), {"kind": "talk", "text": "Typed here", "version": 1})
    assert response.status_code == 200
    assert "Someone else changed this" in response.text
    assert "Saved in another tab" in response.text and "Typed here" in response.text
    item.refresh_from_db()
    assert item.text == "Saved in another tab"


def test_running_late_is_shown_to_the_person_and_carer(client, appointment, sam, carer, nurse):
    client.force_login(nurse)
    response = client.post(
        url("appointment_timing", appointment.pk),
        {
            "delay": "1",
            "delay-expected_at": tomorrow_at(11, 15).strftime("%Y-%m-%dT%H:%M"),
            "delay-delay_note": "An emergency on the ward",
        },
    )
    assert response.status_code == 302
    for who in (sam.user, carer):
        client.force_login(who)
        page = client.get(url("appointment_detail", appointment.pk)).text
        assert "Running late" in page and "11:15" in page and "An emergency on the ward" in page
    client.force_login(sam.user)
    assert "Running late" in client.get("/").text


def test_staff_home_shows_upcoming_round_and_overdue_actions(client, appointment, sam, nurse):
    started(appointment, nurse)
    item = services.item_add(appointment=appointment, by=sam.user, text="Leave")
    outcome = services.outcome_record(item=item, by=nurse, decision="Agreed")
    action = services.action_add(
        outcome=outcome, by=nurse, description="Book escort", owner=nurse, due=timezone.localdate()
    )
    action.due = timezone.localdate() - datetime.timedelta(days=2)
    action.save()
    client.force_login(nurse)
    home = client.get("/").text
    assert "Upcoming ward rounds on your ward" in home
    assert "Willow ward round" in home
    assert "Book escort" in home and "Overdue" in home
    assert ">Ward rounds<" in home


def test_navigation_names_the_page_for_each_role(client, sam, carer, nurse):
    client.force_login(sam.user)
    assert "My ward rounds" in client.get("/").text
    client.force_login(carer)
    assert "Ward rounds" in client.get("/").text


def test_history_lists_every_item_and_outcome_change(client, appointment, sam, nurse):
    item = services.item_add(appointment=appointment, by=sam.user, text="Leave")
    services.item_edit(item=item, by=sam.user, text="Leave at weekends", kind="leave", version=item.version)
    started(appointment, nurse)
    services.outcome_record(item=item, by=nurse, decision="Agreed")
    client.force_login(nurse)
    page = client.get(url("appointment_history", appointment.pk)).text
    assert "Leave at weekends" in page
    assert "Its outcome" in page


def test_person_page_summarises_their_ward_rounds(client, appointment, sam, nurse):
    client.force_login(nurse)
    page = client.get(reverse("service_user_detail", args=[sam.pk])).text
    assert "Next ward round" in page


def test_a_nurse_on_the_new_ward_reads_history_after_transfer(client, session, nurse, nurse_oak, oak, admin):
    kai = make_person("kai2", session.ward)
    past_session = services.ward_round_create(
        ward=session.ward,
        starts_at=timezone.now() - datetime.timedelta(days=3),
        purpose="Weekly review",
        by=nurse,
        recording_past=True,
    )
    past = services.appointment_book(
        ward_round=past_session,
        service_user=kai,
        scheduled_at=past_session.starts_at,
        by=nurse,
        recording_past=True,
    )
    core.admission_transfer(admission=kai.current_admission, to_ward=oak, at=timezone.now(), by=admin)
    client.force_login(nurse_oak)
    assert client.get(url("appointment_detail", past.pk)).status_code == 200
    client.force_login(nurse)
    assert client.get(url("appointment_detail", past.pk)).status_code == 200


def test_restriction_items_link_to_a_blanket_rule_challenge(client, appointment, sam):
    item = services.item_add(
        appointment=appointment, by=sam.user, text="Phones locked away", kind="restriction"
    )
    services.item_add(appointment=appointment, by=sam.user, text="Leave", kind="leave")
    client.force_login(sam.user)
    page = client.get(url("appointment_detail", appointment.pk)).text
    assert page.count("Challenge this as a blanket rule") == 1
    assert "/blanket-rules/challenges/new/?source_url=%2Fward-rounds%2Fappointments%2F" in page
    assert f"%23item-{item.pk}" in page
    assert "source_label=Ward+round+item" in page and "text=Phones+locked+away" in page
    link = re.search(r'href="(/blanket-rules/challenges/new/[^"]+)"', page).group(1)
    form = client.get(html.unescape(link))
    assert form.status_code == 200
    assert "Phones locked away" in form.text


def test_the_summary_draft_stays_out_of_the_persons_history_page(client, appointment, sam, nurse):
    started(appointment, nurse)
    appointment.refresh_from_db()
    appointment.summary = "Draft words the team has not agreed"
    appointment.save()
    client.force_login(sam.user)
    assert (
        "Draft words the team has not agreed"
        not in client.get(url("appointment_history", appointment.pk)).text
    )
    client.force_login(nurse)
    assert (
        "Draft words the team has not agreed" in client.get(url("appointment_history", appointment.pk)).text
    )


def test_the_session_page_shows_who_has_prepared(client, appointment, kai_appointment, sam, nurse):
    services.preparation_save(preparation=appointment.preparation, by=sam.user, version=1, my_goals="Home")
    services.item_add(appointment=appointment, by=sam.user, text="Leave")
    client.force_login(nurse)
    page = client.get(url("session_detail", appointment.ward_round.pk)).text
    assert "Written" in page and "Not written yet" in page
    assert "1 item (1 from the person)" in page


def test_an_invalid_filter_shows_an_error_not_a_wider_list(client, appointment, nurse):
    client.force_login(nurse)
    response = client.get(url("index"), {"when": "someday"})
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "No ward rounds match" in response.text


def test_the_agenda_page_does_not_query_per_item(
    client, appointment, sam, carer, nurse, django_assert_max_num_queries
):
    started(appointment, nurse)
    for n in range(8):
        item = services.item_add(appointment=appointment, by=sam.user if n % 2 else carer, text=f"Item {n}")
        outcome = services.outcome_record(item=item, by=nurse, decision=f"Decision {n}")
        services.action_add(
            outcome=outcome, by=nurse, description=f"Do {n}", owner=nurse, due=timezone.localdate()
        )
    client.force_login(nurse)
    with django_assert_max_num_queries(20):
        response = client.get(url("appointment_detail", appointment.pk))
    assert "Decision 7" in response.text and "Do 7" in response.text
