import datetime

import pytest
from django.utils import timezone

from incidents.models import Incident
from tests.browser.conftest import axe_violations, login, logout

pytestmark = pytest.mark.django_db(transaction=True)


def local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_nurse_logs_an_incident_manager_signs_it_off_and_sam_reads_it(page, nurse, manager, sam):
    start = timezone.now() - datetime.timedelta(hours=2)
    login(page, "nurse.ash")
    page.click("nav >> text=Incidents")
    page.click("text=Record an incident")
    page.click("text=Sam Test")
    assert page.locator("h1").inner_text() == "Record a use of force"
    assert axe_violations(page) == []

    page.fill("#id_started_at", local(start))
    page.fill("#id_ended_at", local(start + datetime.timedelta(minutes=25)))
    page.fill("#id_place", "Lounge")
    page.select_option("#id_reason_code", "10")
    page.fill("#id_reason_description", "Sam hit out at another patient after a phone call.")
    page.fill("#id_interventions-0-started_at", local(start))
    page.fill("#id_interventions-0-ended_at", local(start + datetime.timedelta(minutes=6)))
    page.select_option("#id_interventions-0-type_code", "07")
    page.select_option("#id_interventions-0-in_care_plan", "yes")
    page.click("button:has-text('Add another intervention')")

    # The draft is saved and a second, empty intervention row is ready (no JavaScript needed).
    page.wait_for_selector("#id_interventions-1-type_code")
    assert "Draft" in page.locator("h1").inner_text()
    page.select_option("#id_interventions-1-type_code", "05")
    page.fill("#id_interventions-1-started_at", local(start + datetime.timedelta(minutes=7)))
    page.fill("#id_interventions-1-ended_at", local(start + datetime.timedelta(minutes=24)))
    page.select_option("#id_interventions-1-in_care_plan", "no")
    page.fill("#id_how_force_used", "Two staff held his arms standing, then he went to seclusion.")
    page.check("label:has-text('Talking down')")
    page.check("label:has-text('Giving space')")
    page.fill("#id_deescalation_notes", "Talked with him and offered the garden.")
    page.fill("#id_outcome", "He calmed down in seclusion and came out after 17 minutes.")
    page.select_option("#id_physical_harm", "none")
    page.select_option("#id_psychological_harm", "low")
    page.select_option("#id_care_plan_people_told", "no")
    page.select_option("#id_immediate_debrief_offered", "yes")
    page.click("button:has-text('Submit')")

    page.wait_for_selector("text=Awaiting sign-off")
    incident = Incident.objects.get()
    assert incident.status == "submitted"
    assert incident.interventions.count() == 2
    assert "Seclusion" in page.content()
    assert axe_violations(page) == []
    logout(page)

    login(page, "manager.cal")
    assert "Incidents to sign off" in page.content()
    page.click("text=Sam Test, Willow")
    page.click("button:has-text('Sign off')")
    page.wait_for_selector("text=Signed off.")
    assert axe_violations(page) == []
    page.click("text=Statutory record")
    assert "All 16 items are present." in page.content() or "missing" in page.content()
    assert axe_violations(page) == []
    page.goto("/incidents/")
    assert axe_violations(page) == []
    logout(page)

    login(page, "sam")
    page.click("text=My incidents")
    page.wait_for_url("**/incidents/**")
    page.click(f"a[href='/incidents/{incident.pk}/']")
    # Wait for the person's own view to load before reading it (the click starts a navigation).
    page.wait_for_selector("text=What happened on")
    content = page.content()
    assert "What happened on" in content
    assert "Registered nurse" in content
    assert "nurse.ash" not in content and "Ash Patel" not in content
    assert axe_violations(page) == []
