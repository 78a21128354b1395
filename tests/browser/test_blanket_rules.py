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
