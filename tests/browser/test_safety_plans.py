import pytest

from safety_plans.models import Kind
from tests.browser.conftest import axe_violations, login, logout

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def second_page(browser, live_server):
    """Another person's browser, at the same time, under the same CSP watch."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    csp_errors = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and csp_errors.append(msg.text))
    yield page
    context.close()
    assert csp_errors == [], csp_errors


def test_plan_written_together_agreed_shared_and_printed(page, second_page, sam, nurse, carer):
    # Sam starts his plan and opens "what helps".
    login(page, "sam")
    page.click("text=My safety plan")
    assert axe_violations(page) == []
    page.click("text=Start my safety plan")
    page.wait_for_selector("h1:has-text('Your safety plan')")
    assert axe_violations(page) == []
    page.click(f"a[href$='/parts/{Kind.HELPS}/']")
    assert axe_violations(page) == []

    # Ash opens the same part at the same time.
    login(second_page, "nurse.ash")
    second_page.get_by_role("link", name="Safety plans", exact=True).click()
    assert axe_violations(second_page) == []
    second_page.click("text=sam Test")
    second_page.click(f"a[href$='/parts/{Kind.HELPS}/']")

    page.fill("#id_text", "Talk to me quietly in the garden.")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Saved: What helps me when I am distressed")

    second_page.fill("#id_text", "Offer a cup of tea.")
    second_page.click("button:has-text('Save')")
    second_page.wait_for_selector("text=Someone else changed this part while you were writing")
    assert "Talk to me quietly in the garden." in second_page.inner_text("#conflict-theirs")
    assert "Offer a cup of tea." in second_page.inner_text("#conflict-yours")
    assert axe_violations(second_page) == []
    second_page.fill("#id_text", "Talk to me quietly in the garden.\nOffer a cup of tea.")
    second_page.click("button:has-text('Save')")
    second_page.wait_for_selector("text=Saved: What helps me when I am distressed")

    # Both agree: Sam first, then Ash, which makes version 1.
    page.reload()
    assert "Offer a cup of tea." in page.content()
    page.click("button:has-text('I agree this draft')")
    page.wait_for_selector("text=waiting for a member of staff")
    second_page.reload()
    second_page.click("button:has-text('I agree this draft')")
    second_page.wait_for_selector("text=Version 1 of the plan is now agreed")
    assert axe_violations(second_page) == []

    # Pat, Sam's mother, sees the plan and can write only her part.
    logout(second_page)
    login(second_page, "carer.pat")
    assert "Sam's safety plan" in second_page.inner_text("main")
    second_page.get_by_role("link", name="Safety plan", exact=True).click()
    second_page.wait_for_selector("h1:has-text('safety plan')")
    assert "Version 1 was agreed" in second_page.content()
    assert second_page.locator(f"a[href$='/parts/{Kind.HELPS}/']").count() == 0
    assert axe_violations(second_page) == []
    second_page.click(f"a[href$='/parts/{Kind.FAMILY}/']")
    second_page.fill("#id_text", "Ring me: my voice helps him settle.")
    second_page.click("button:has-text('Save')")
    second_page.wait_for_selector("text=Saved: How my family can help")
    assert "Ring me: my voice helps him settle." in second_page.content()

    # Sam prints his copy.
    page.goto(page.url.split("#")[0])
    page.click("text=Print a copy to keep")
    assert "Version 1, agreed on" in page.inner_text("main")
    assert "Talk to me quietly in the garden." in page.inner_text("main")
    assert page.locator(".rrp-large-print").count() == 1
    assert axe_violations(page) == []


def test_compare_and_sharing_pages_are_accessible(page, sam, nurse, carer):
    from safety_plans import services

    plan = services.plan_create(service_user=sam, by=nurse)
    services.section_save(plan=plan, kind=Kind.HELPS, version=0, by=sam.user, text="Music\nTea")
    services.plan_agree(plan=plan, by=sam.user)
    services.plan_agree(plan=plan, by=nurse)
    section = plan.sections.get(kind=Kind.HELPS)
    services.section_save(
        plan=plan, kind=Kind.HELPS, version=section.version, by=sam.user, text="Loud music\nTea"
    )
    login(page, "sam")
    page.goto(f"/safety-plans/{plan.pk}/compare/?old=1&new=draft")
    assert page.locator("table.rrp-diff ins").count() >= 1
    assert axe_violations(page) == []
    page.goto(f"/safety-plans/{plan.pk}/sharing/")
    assert "Sharing log" in page.content()
    assert axe_violations(page) == []
    page.click("button:has-text('Stop sharing')")
    page.wait_for_selector("text=can no longer see your plan")
    page.goto(f"/safety-plans/{plan.pk}/history/")
    assert axe_violations(page) == []
