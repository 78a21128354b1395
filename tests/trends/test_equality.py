import csv
import datetime
import io

import pytest
from django.db.models import F
from django.urls import reverse

from rrp.beddays import occupied_bed_days_by
from trends import equality, stats

from .conftest import at, incident, patient

pytestmark = pytest.mark.django_db

MARCH = (datetime.date(2025, 3, 1), datetime.date(2025, 3, 31))


@pytest.fixture
def oak_in_march(oak):
    """Oak in March 2025, worked by hand.

    X (Black Caribbean): 10 nights, 6 interventions. Y (White British): 31 nights, 5 interventions.
    Z (Indian): 20 nights, 2 interventions. In all 61 nights and 13 interventions.
    Black: (6/13) / (10/61) = 2.82, rate 600.0; White: (5/13) / (31/61) = 0.76, rate 161.3;
    Asian: 2 interventions, fewer than 5, so suppressed.
    """
    x = patient(oak, at(2025, 3, 1, 9), at(2025, 3, 11, 9), ethnicity="M", sex="male")
    y = patient(oak, at(2025, 3, 1, 9), at(2025, 4, 1, 9), ethnicity="A", sex="male")
    z = patient(oak, at(2025, 3, 1, 9), at(2025, 3, 21, 9), ethnicity="H", sex="male")
    for person, n in ((x, 6), (y, 5), (z, 2)):
        for i in range(n):
            incident(oak, person, at(2025, 3, 2 + i, 15))
    incident(oak, z, at(2025, 3, 12, 15), error=True)  # entered in error: not counted
    return {"x": x, "y": y, "z": z}


def test_bed_days_by_group_of_patients(oak, oak_in_march):
    rows = occupied_bed_days_by([oak], *MARCH, {"ethnicity": F("service_user__ethnicity")})
    assert sorted((r["ethnicity"], r["days"]) for r in rows) == [("A", 31), ("H", 20), ("M", 10)]


def test_disproportionality_ratio_against_share_of_bed_days(oak, oak_in_march):
    sections = {s.key: s for s in equality.build(stats.Scope([oak.pk], *MARCH))}
    rows = {row[0]: row for row in sections["equality-ethnicity"].table.rows}
    assert rows["Black or Black British"] == [
        "Black or Black British",
        "10",
        "16.4%",
        "6",
        "46.2%",
        "<5",
        "600.0",
        "2.82",
    ]
    assert rows["White"][1:] == ["31", "50.8%", "5", "38.5%", "<5", "161.3", "0.76"]
    assert rows["Asian or Asian British"][3:] == [
        "<5",
        equality.NOT_SHOWN,
        "<5",
        equality.NOT_SHOWN,
        equality.NOT_SHOWN,
    ]
    assert "Black or Black British, at 2.82 times" in sections["equality-ethnicity"].summary


def test_every_protected_characteristic_has_a_table(oak, oak_in_march):
    sections = equality.build(stats.Scope([oak.pk], *MARCH))
    assert [s.title for s in sections] == [c.label for c in stats.CHARACTERISTICS]
    by_key = {s.key: s for s in sections}
    assert by_key["equality-age"].table.rows[0][:4] == ["35 to 44", "61", "100.0%", "13"]
    ld = {row[0]: row for row in by_key["equality-ld_or_autism"].table.rows}
    assert ld["Not known"][3] == "13"


def test_equality_page_and_csv(client, lead, oak, oak_in_march):
    client.force_login(lead)
    params = {"start": "2025-03-01", "end": "2025-03-31", "ward": oak.pk}
    page = client.get(reverse("trends:equality"), params)
    assert page.status_code == 200
    assert "2.82" in page.content.decode()
    download = client.get(reverse("trends:equality_csv"), params)
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0][:2] == ["Characteristic", "Group"]
    assert rows[[r[1] for r in rows].index("Asian or Asian British")][:5] == [
        "Ethnic group",
        "Asian or Asian British",
        "20",
        "32.8%",
        "<5",
    ]


def test_equality_page_rejects_an_unknown_ward(client, manager, willow, oak):
    client.force_login(manager)
    assert client.get(reverse("trends:equality"), {"ward": oak.pk}).status_code == 400
    assert client.get(reverse("trends:equality_csv"), {"ward": oak.pk}).status_code == 400
