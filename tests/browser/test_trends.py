import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from tests.browser.conftest import axe_violations, login
from tests.trends.conftest import incident, patient

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def history(willow, oak):
    now = timezone.now()
    for ward in (willow, oak):
        person = patient(ward, now - datetime.timedelta(days=400))
        for weeks in range(2, 50, 3):
            incident(
                ward, person, now - datetime.timedelta(weeks=weeks), (("07", 5), ("14", 1)), reason_code="10"
            )


def test_lead_filters_the_dashboard_to_willow_and_downloads_the_csv(page, lead, willow, oak, history):
    login(page, "lead.dee")
    page.click("text=Trends")
    page.wait_for_url("**/trends/")
    assert page.locator("h1").inner_text() == "Restrictive practice trends"
    assert page.locator(f"#rate-{oak.pk}-title").count() == 1
    # Plotly drew the charts from the JSON in the page (under the strict CSP).
    page.wait_for_selector(f"[data-chart='chart-rate-{willow.pk}'] .main-svg")
    assert axe_violations(page) == []

    page.click("text=Change wards, dates or type")
    page.select_option("#id_ward", label="Willow")
    page.click("button:has-text('Show')")
    page.wait_for_url("**/trends/?*ward=*")
    assert page.locator(f"#rate-{oak.pk}-title").count() == 0
    assert page.locator(f"#rate-{willow.pk}-title").count() == 1
    assert axe_violations(page) == []

    with page.expect_download() as info:
        page.click("text=Download the monthly rates for every ward (CSV)")
    download = info.value
    text = Path(download.path()).read_text(encoding="utf-8")
    assert text.startswith("Ward,Month,Occupied bed days")
    assert "Willow" in text and "Oak" not in text


def test_equality_and_annual_pages_are_accessible(page, lead, willow, oak, history):
    login(page, "lead.dee")
    page.goto("/trends/equality/")
    assert page.locator("h1").inner_text() == "Equality in restrictive practice"
    assert axe_violations(page) == []
    page.goto(f"/trends/annual-statistics/?year={timezone.localdate().year}")
    assert "uses of force on Oak and Willow" in page.content()
    assert axe_violations(page) == []
