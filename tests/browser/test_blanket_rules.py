import pytest

from tests.blanket_rules.conftest import authorise, propose
from tests.browser.conftest import axe_violations, login, logout

pytestmark = pytest.mark.django_db(transaction=True)


def test_sam_challenges_a_rule_the_manager_lifts_it_and_sam_sees_the_outcome(
    page, nurse, manager, sam, kai, willow
):
    rule = authorise(propose(nurse, [willow]), manager)

    login(page, "sam")
    page.click("text=Ward rules")
    assert page.locator("h1").inner_text() == "Rules on Willow"
    assert "Knives and hot water unsupervised at night." in page.content()
    assert axe_violations(page) == []
    page.click("text=Challenge this rule")
    page.fill("#id_in_own_words", "My tablets make me hungry at night.")
    page.fill("#id_would_like_instead", "A snack cupboard we can open ourselves.")
    page.check("#id_withhold_name")
    assert axe_violations(page) == []
    page.click("button:has-text('Send the challenge')")
    assert "Your challenge has been sent to the ward manager" in page.content()
    assert "Awaiting a decision" in page.content()
    assert axe_violations(page) == []
    logout(page)

    login(page, "manager.cal")
    assert "Challenges to ward rules awaiting your decision" in page.content()
    page.click(f"text=“{rule.title}”")
    page.click("a:has-text('Decide')")
    page.click("button:has-text('Record the decision')")
    assert "There is a problem" in page.content()
    assert axe_violations(page) == []
    page.check("label:has-text('Lift the rule')")
    page.fill("#id_reason", "You are right. We will try a snack cupboard instead.")
    page.click("button:has-text('Record the decision')")
    assert "Your decision has been recorded" in page.content()
    page.click(f"a:has-text('{rule.title}')")
    assert "This rule was lifted on" in page.content()
    assert axe_violations(page) == []
    page.click("text=Blanket rules")
    assert axe_violations(page) == []
    logout(page)

    login(page, "sam")
    page.click("text=Ward rules")
    content = page.content()
    assert "There are no blanket rules on Willow" in content
    assert "Rule lifted" in content
    assert "Decided – Lift the rule" in content
    assert axe_violations(page) == []
    page.click(f"a:has-text('{rule.title}') >> nth=-1")
    assert "You are right. We will try a snack cupboard instead." in page.content()
    logout(page)

    login(page, "kai")
    page.click("text=Ward rules")
    content = page.content()
    assert "name withheld" in content
    assert "Sam" not in content


def test_manager_authorises_and_reviews_a_rule_and_the_lead_looks_again(
    page, nurse, manager, lead, sam, willow
):
    from blanket_rules import services

    rule = propose(nurse, [willow], title="No lighters")
    login(page, "manager.cal")
    page.goto(rule.get_absolute_url())
    assert axe_violations(page) == []
    page.click("a:has-text('Authorise')")
    page.fill("#id_authorising_body", "Ward governance meeting")
    page.fill("#id_patients_told_how", "Community meeting")
    page.fill("#id_next_review_date", "2099-01-01")
    assert axe_violations(page) == []
    page.click("button:has-text('Authorise the rule')")
    assert "is now in force" in page.content()
    page.click("button:has-text('Review it now')")
    assert page.locator("h1").inner_text() == "No lighters"
    assert axe_violations(page) == []
    page.fill("#id_participants", "Cal Morgan, ward manager")
    page.fill("#id_service_user_representative", "Patient representative")
    page.fill("#id_findings", "Nobody has been hurt")
    page.check("label:has-text('Keep the rule as it is')")
    page.fill("#id_outcome_reason", "Still needed")
    page.click("button:has-text('Record the review')")
    assert "The review has been recorded" in page.content()
    logout(page)

    rule.refresh_from_db()
    challenge = services.challenge_create(
        rule=rule,
        by=sam.user,
        service_user=sam,
        in_own_words="I don't smoke",
        would_like_instead="Let smokers keep one",
    )
    services.challenge_decide(
        challenge=challenge, by=manager, version=challenge.version, decision="keep", reason="No"
    )
    login(page, "sam")
    page.goto(challenge.get_absolute_url())
    page.click("a:has-text('Ask the recovery lead to look again')")
    page.fill("#id_reason", "Nobody explained why")
    assert axe_violations(page) == []
    page.click("button:has-text('Send')")
    assert "Recovery lead asked to look again" in page.content()
    logout(page)

    login(page, "lead.dee")
    assert "Requests to look again" in page.content()
    page.click("text=“No lighters” on Willow")
    page.click("a:has-text('Look again at the decision')")
    page.check("label:has-text('Send it back to the ward manager')")
    page.fill("#id_response", "Please explain the reasons to Sam and decide again.")
    assert axe_violations(page) == []
    page.click("button:has-text('Save response')")
    assert "Awaiting a decision" in page.content()
    assert axe_violations(page) == []
