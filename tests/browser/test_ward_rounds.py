"""Sam prepares and orders his agenda, his mum adds to it, the nurse records outcomes, Sam reads them."""

import datetime

import pytest
from django.utils import timezone

from tests.browser.conftest import axe_violations, login, logout
from ward_rounds import services

pytestmark = pytest.mark.django_db(transaction=True)


def _tomorrow_at(hour, minute=0):
    day = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def appointment(willow, nurse, sam, carer):
    session = services.ward_round_create(
        ward=willow,
        starts_at=_tomorrow_at(10),
        purpose="To review care, leave and medication with each person.",
        location="Willow meeting room",
        by=nurse,
    )
    return services.appointment_book(
        ward_round=session, service_user=sam, scheduled_at=_tomorrow_at(10, 30), by=nurse
    )


def _agenda_texts(page):
    return [t.strip() for t in page.locator(".rrp-agenda > li p.rrp-pre").all_inner_texts()]


def test_sam_leads_his_ward_round_from_preparation_to_summary(page, appointment):
    # Sam prepares and orders his items.
    login(page, "sam")
    page.click("text=My ward rounds")
    page.click(f"a[href='{appointment.get_absolute_url()}']")
    assert "What this ward round is for" in page.content()
    page.click("text=Write your preparation")
    page.fill("#id_how_my_week_has_been", "Better. I slept well most nights.")
    page.fill("#id_my_goals", "Unescorted ground leave.")
    page.click("button:has-text('Save preparation')")
    page.wait_for_selector("text=Your preparation has been saved")
    for kind, text in (
        ("leave", "I want unescorted ground leave."),
        ("medication", "My tablets make me shaky."),
    ):
        page.select_option("#id_new_kind", kind)
        page.fill("#id_new_text", text)
        page.click("button:has-text('Add to the agenda')")
        page.wait_for_selector("text=Your item has been added")
    assert _agenda_texts(page) == ["I want unescorted ground leave.", "My tablets make me shaky."]
    page.click("button:has-text('Move up')")
    page.wait_for_load_state()
    assert _agenda_texts(page) == ["My tablets make me shaky.", "I want unescorted ground leave."]
    assert axe_violations(page) == []
    logout(page)

    # His mum adds an item; it comes after his.
    login(page, "carer.pat")
    page.click("text=Ward rounds")
    page.click(f"a[href='{appointment.get_absolute_url()}']")
    page.select_option("#id_new_kind", "question")
    page.fill("#id_new_text", "Could Sam come home for tea on Sunday?")
    page.click("button:has-text('Add to the agenda')")
    page.wait_for_selector("text=Your item has been added")
    assert _agenda_texts(page)[-1] == "Could Sam come home for tea on Sunday?"
    assert "Better. I slept well" not in page.content()  # his preparation is his
    assert axe_violations(page) == []
    logout(page)

    # The nurse starts the round, records an outcome with an action, and shares the summary.
    login(page, "nurse.ash")
    page.goto(appointment.get_absolute_url())
    page.click("text=Record a delay or the start time")
    assert axe_violations(page) == []
    page.click("button:has-text('Record the start time')")
    page.wait_for_selector("text=The start time has been recorded")
    page.click("a:has-text('Record outcome'):has-text('My tablets make me shaky')")
    page.fill("#id_decision", "Lower the evening dose and review in two weeks.")
    page.check("input[name=person_agrees][value=agree]")
    page.fill("#id_person_view", "Good, I hope the shaking stops.")
    page.click("button:has-text('Record outcome')")
    page.wait_for_selector("text=The outcome has been recorded")
    page.fill("#id_action-description", "Ask the pharmacist about the dose change")
    page.select_option("#id_action-owner", label="nurse.ash Test")
    page.fill("#id_action-due", (timezone.localdate() + datetime.timedelta(days=7)).isoformat())
    page.click("button:has-text('Add action')")
    page.wait_for_selector("text=The action has been added")
    assert axe_violations(page) == []
    page.goto(appointment.get_absolute_url())
    page.click("text=Write and share the summary")
    page.fill("#id_summary", "We agreed to lower your evening dose. Leave will be discussed next week.")
    page.click("button:has-text('Share summary')")
    page.wait_for_selector("text=now shared with the person")
    logout(page)

    # Sam reads the summary and the decision, with his own view written down.
    login(page, "sam")
    assert "Ward round outcomes to read" in page.content()
    page.click("text=the summary and decisions")
    content = page.content()
    assert "We agreed to lower your evening dose." in content
    assert "Lower the evening dose and review in two weeks." in content
    assert "Good, I hope the shaking stops." in content
    assert "Ask the pharmacist about the dose change" in content
    assert axe_violations(page) == []
    page.click("button:has-text('I have read this summary')")
    page.wait_for_selector("text=The team can see you have read the summary")
