import pytest

from tests.browser.conftest import axe_violations, login

pytestmark = pytest.mark.django_db(transaction=True)


def test_nurse_signs_in_and_sees_her_home_page_and_patients(page, nurse, sam, lou):
    login(page, "nurse.ash")
    assert page.locator("h1").inner_text().startswith("Hello")
    assert "Your wards: Willow" in page.content()
    assert axe_violations(page) == []
    page.click("text=People")
    assert page.locator("table").inner_text().count("Test") == 1
    assert "Sam Test" in page.content()
    assert "Lou Test" not in page.content()
    assert axe_violations(page) == []


def test_service_user_signs_in_and_sees_his_own_home_page(page, sam):
    login(page, "sam")
    assert "You are on Willow" in page.content()
    assert page.locator("text=People").count() == 0
    assert axe_violations(page) == []


def test_wrong_password_shows_an_accessible_error(page, nurse):
    page.goto("/accounts/login/")
    page.fill("#id_username", "nurse.ash")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    assert "There is a problem" in page.content()
    assert axe_violations(page) == []
