import datetime

import pytest
from django.utils import timezone

from incidents.reviews import services
from tests.browser.conftest import axe_violations, login, logout, make_staff
from tests.reviews.conftest import submit_incident

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def review(sam, willow, nurse, manager):
    hca = make_staff("hca.eli", "ward_staff", [willow], title="Healthcare assistant")
    incident = submit_incident(sam, willow, hca, staff=[hca])
    review = incident.review
    services.debrief_record(
        review=review,
        by=hca,
        held_at=incident.ended_at,
        who_attended="Healthcare assistant, Sam",
        how_the_person_was="Upset",
        physical_check="No injuries",
    )
    services.facilitator_assign(review=review, facilitator=nurse, by=manager)
    return review


def test_sam_nurse_and_manager_complete_a_review_together(page, review):
    # Sam writes his own account.
    login(page, "sam")
    assert "Tell us what happened from your side" in page.content()
    page.click("text=My reviews")
    page.click("table a")
    assert page.locator("h1").inner_text() == "Your review of what happened"
    assert axe_violations(page) == []
    page.click("a:has-text('Tell us what happened from your side')")
    page.fill("#id_what_happened", "I was upset after a phone call and nobody asked me why.")
    page.fill("#id_what_would_have_helped", "Someone talking to me quietly.")
    assert axe_violations(page) == []
    page.click("button:has-text('Share with the review')")
    assert "Your account has been shared with the review." in page.content()
    logout(page)

    # nurse.ash writes her account, adds a pathway step and an action, records the meeting and the summary.
    login(page, "nurse.ash")
    page.goto(review.get_absolute_url())
    assert "I was upset after a phone call" in page.content()
    assert axe_violations(page) == []
    page.click("a:has-text('Write my account')")
    page.fill("#id_what_happened", "I was facilitating and saw the end of it.")
    page.click("button:has-text('Share with the review')")
    page.click("a:has-text('Add a step to the pathway')")
    page.check("input[value=early_warning]")
    page.fill("#id_text", "Pacing near the office for twenty minutes")
    assert axe_violations(page) == []
    page.click("button:has-text('Add to the pathway')")
    assert "Pacing near the office" in page.content()
    page.click("a:has-text('Add an action')")
    page.check("input[value=safety_plan]")
    page.fill("#id_description", "Add pacing to Sam's early warning signs")
    page.fill("#id_due_date", (timezone.localdate() + datetime.timedelta(days=7)).isoformat())
    assert axe_violations(page) == []
    page.click("button:has-text('Add the action')")
    assert page.locator("h1").inner_text() == "Change to my safety plan"
    page.goto(review.get_absolute_url())
    page.click("a:has-text('Record the review meeting')")
    page.fill("#id_held_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    page.click("button:has-text('Save')")
    page.click("a:has-text('Write the summary')")
    page.fill("#id_summary", "Early signs were missed. Sam's safety plan will list pacing.")
    page.click("button:has-text('Save')")
    logout(page)

    # Sam agrees with the summary.
    login(page, "sam")
    page.goto(review.get_absolute_url())
    page.click("a:has-text('Say whether you agree with the summary')")
    page.check("input[value=agreed]")
    assert axe_violations(page) == []
    page.click("button:has-text('Save')")
    logout(page)

    # nurse.ash agrees as facilitator.
    login(page, "nurse.ash")
    page.goto(review.get_absolute_url())
    page.click("button:has-text('Agree the summary as facilitator')")
    assert "You have agreed the summary as facilitator." in page.content()
    logout(page)

    # manager.cal closes.
    login(page, "manager.cal")
    page.goto(review.get_absolute_url())
    assert "Still to do before this review can close" not in page.content()
    page.click("button:has-text('Close the review')")
    assert "The review is closed." in page.content()
    assert axe_violations(page) == []
    review.refresh_from_db()
    assert review.status == "closed"
    assert review.held_with_service_user is True and review.held_with_staff is True


def test_closing_too_early_lists_what_is_missing(page, review):
    login(page, "manager.cal")
    page.goto(review.get_absolute_url())
    page.click("button:has-text('Close the review')")
    assert "The review cannot close yet" in page.content()
    assert axe_violations(page) == []
