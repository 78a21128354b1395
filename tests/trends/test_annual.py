import csv
import io

import pytest
from django.urls import reverse

from .conftest import at, incident, patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_on_willow(willow, oak):
    person = patient(willow, at(2025, 1, 1), at(2025, 12, 1), ethnicity="N", learning_disability="yes")
    for day in range(1, 7):
        incident(willow, person, at(2025, 3, day, 10), (("01", 12),), reason_code="10", place="Lounge ")
    incident(willow, person, at(2025, 7, 1, 10), (("05", 60 * 30),), reason_code="17", place="lounge")
    incident(willow, person, at(2025, 7, 2, 10), (("16", 1),), reason_code="17", place="Bedroom")
    incident(willow, person, at(2025, 7, 3, 10), (("01", 5),), error=True)  # not counted
    incident(willow, person, at(2024, 7, 3, 10), (("01", 5),))  # another year
    other = patient(oak, at(2025, 1, 1), at(2025, 12, 1))
    incident(oak, other, at(2025, 3, 1, 10))  # another division's ward for a manager of Willow
    return person


def tables(response):
    return {s.key: {row[0]: row[1] for row in s.table.rows} for s in response.context["result"]["sections"]}


def test_counts_by_the_items_of_section_6_with_small_numbers_suppressed(client, manager, year_on_willow):
    client.force_login(manager)
    response = client.get(reverse("trends:annual"), {"year": 2025})
    assert response.status_code == 200
    assert response.context["result"]["total"] == 8
    found = tables(response)
    assert found["reason"]["To prevent violence to others"] == "6"
    assert found["reason"]["To prevent otherwise dangerous behaviour"] == "<5"
    assert found["reason"]["To prevent serious intentional self-harm"] == "0"
    assert found["place"] == {"Lounge": "7", "Bedroom": "<5"}
    assert found["month"]["March 2025"] == "6" and found["month"]["July 2025"] == "<5"
    assert found["month"]["August 2025"] == "0"
    assert found["duration"]["Restraint: 11 to 30 minutes"] == "6"
    assert found["duration"]["Seclusion: 24 to 72 hours"] == "<5"  # 30 hours
    assert found["duration"]["Seclusion: up to 24 hours"] == "0"
    assert found["type"]["Physical restraint: prone (face down)"] == "6"
    assert found["characteristic-ethnicity"]["Black or Black British"] == "8"
    assert found["characteristic-ld_or_autism"]["Yes"] == "8"
    assert found["death"]["Neither"] == "8"
    assert "8 uses of force on Willow" in response.content.decode()


def test_annual_csv(client, lead, year_on_willow, willow):
    client.force_login(lead)
    response = client.get(reverse("trends:annual_csv"), {"year": 2025, "ward": willow.pk})
    assert response.status_code == 200
    assert 'filename="use-of-force-statistics-2025.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[:2] == [["Breakdown", "Group", "Uses of force"], ["All uses of force", "2025", "8"]]
    assert ["Reason (s.6(5)(a))", "To prevent otherwise dangerous behaviour", "<5"] in rows


def test_unknown_year_answers_400(client, lead, year_on_willow):
    client.force_login(lead)
    assert client.get(reverse("trends:annual"), {"year": "1999"}).status_code == 400
    response = client.get(reverse("trends:annual_csv"), {"year": "soon"})
    assert response.status_code == 400
    assert "year" in response.content.decode()


def test_free_text_cannot_become_a_spreadsheet_formula(client, lead, willow):
    from .conftest import at, incident, patient

    person = patient(willow, at(2025, 1, 1), at(2025, 12, 1))
    incident(willow, person, at(2025, 3, 1, 10), place="=HYPERLINK(1)")
    client.force_login(lead)
    rows = list(
        csv.reader(io.StringIO(client.get(reverse("trends:annual_csv"), {"year": 2025}).content.decode()))
    )
    assert ["Place on the ward (s.6(5)(b))", "'=hyperlink(1)", "<5"] in rows
