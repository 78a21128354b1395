import pytest

from tests.conftest import make_user

pytestmark = pytest.mark.django_db

RATES = "/api/v1/trends/rates/"
RANGE = {"start": "2025-03-01", "end": "2025-05-31"}


def test_rates_match_the_page(client, lead, willow, oak, march_on_willow):
    client.force_login(lead)
    response = client.get(RATES, {**RANGE, "ward": willow.pk})
    assert response.status_code == 200
    data = response.json()
    assert [w["ward_name"] for w in data["wards"]] == ["Willow"]
    march, april, may = data["results"]
    assert march["ward"] == willow.pk and march["month"] == "2025-03-01"
    assert (march["bed_days"], march["interventions"], round(march["rate"], 1)) == (26, 3, 115.4)
    assert april["rate"] == 0.0
    assert may["rate"] is None and may["mean"] is None  # no bed days: no data, not zero
    assert march["point_type"] == "common_cause"


def test_rates_are_scoped_like_the_pages(client, manager, willow, oak, cedar):
    client.force_login(manager)
    data = client.get(RATES).json()
    assert {w["ward_name"] for w in data["wards"]} == {"Willow"}
    bad = client.get(RATES, {"ward": oak.pk})
    assert bad.status_code == 400
    assert "ward" in bad.json()


@pytest.mark.parametrize("url", [RATES, "/api/v1/trends/equality/", "/api/v1/trends/annual-statistics/"])
def test_nobody_else_gets_trends_from_the_api(client, url, sam, carer, peer, willow):
    for user in (sam.user, carer, peer, make_user("root", is_superuser=True)):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code in (401, 403)


def test_unknown_group_answers_400_with_the_reason(client, lead, willow):
    client.force_login(lead)
    response = client.get(RATES, {"group": "cuddles"})
    assert response.status_code == 400
    assert "group" in response.json()


def test_annual_statistics_suppress_small_numbers(client, lead, willow, march_on_willow):
    client.force_login(lead)
    data = client.get("/api/v1/trends/annual-statistics/", {"year": 2025}).json()
    assert data["year"] == 2025
    assert data["uses_of_force"] == "<5"
    reasons = next(b for b in data["breakdowns"] if b["key"] == "reason")
    assert ["To prevent violence to others", "<5"] in reasons["rows"]


def test_equality_api(client, lead, willow, march_on_willow):
    client.force_login(lead)
    data = client.get("/api/v1/trends/equality/", RANGE).json()
    assert [c["key"] for c in data["characteristics"]][:3] == [
        "equality-age",
        "equality-sex",
        "equality-ethnicity",
    ]
