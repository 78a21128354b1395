import csv
import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents import services
from incidents.exports import MHS505_COLUMNS, MHS515_COLUMNS
from rrp import permissions
from tests.incidents.factories import ago, make_incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(nurse, manager, sam, kai):
    standing = make_incident(sam, nurse, start=ago(days=3))
    prone = make_incident(kai, nurse, start=ago(days=2))
    row = prone.interventions.get()
    services.incident_update(
        incident=prone,
        by=nurse,
        version=prone.version,
        reason="It was prone",
        children={
            "interventions": [
                {
                    "id": row.pk,
                    "type_code": "01",
                    "prone_reason": "He was on the floor already.",
                    "patient_injured": True,
                }
            ]
        },
    )
    error = make_incident(sam, nurse, start=ago(days=1))
    services.incident_mark_error(incident=error, by=manager, reason="Duplicate")
    return {"standing": standing, "prone": prone, "error": error}


def listed(client, **params):
    response = client.get(reverse("incidents:list"), params)
    assert response.status_code == 200
    return response


def test_filters_narrow_the_list(client, nurse, three):
    client.force_login(nurse)
    text = listed(client, prone="yes").text
    assert three["prone"].get_absolute_url() in text
    assert three["standing"].get_absolute_url() not in text
    text = listed(client, injury="patient").text
    assert three["prone"].get_absolute_url() in text and three["standing"].get_absolute_url() not in text
    text = listed(client, status="entered_in_error").text
    assert three["error"].get_absolute_url() in text and three["prone"].get_absolute_url() not in text
    text = listed(client, type="07").text
    assert three["standing"].get_absolute_url() in text and three["prone"].get_absolute_url() not in text
    text = listed(client, group="physical", reason="10").text
    assert "3 incidents" in text
    text = listed(client, harm="low").text  # psychological harm "low" on all three
    assert "3 incidents" in text
    day = three["prone"].started_at.date()
    text = listed(client, date_from=day.isoformat(), date_to=day.isoformat()).text
    assert "1 incident<" in text


def test_the_number_of_incidents_is_right_however_it_is_counted(
    client, nurse, admin, nurse_cedar, lou, three
):
    """The unfiltered list counts a nurse's grants; with grants from two sources it counts rows."""
    client.force_login(nurse)
    assert "3 incidents" in listed(client).text
    assert "3 incidents" in listed(client, sort="started").text
    assert "1 incident<" in listed(client, prone="yes").text
    cedar = make_incident(lou, nurse_cedar)
    permissions.grant(["view"], to=nurse, obj=cedar, by=admin, reason="supporting Lou's review")
    text = listed(client).text
    assert "4 incidents" in text and cedar.get_absolute_url() in text
    # Granted to them twice over (their ward's team and them alone): still counted once.
    permissions.grant(["view"], to=nurse, obj=three["standing"], by=admin, reason="test")
    assert "4 incidents" in listed(client).text


@pytest.mark.parametrize("params", [{}, {"sort": "started"}, {"prone": "yes"}, {"sort": "ward", "page": "2"}])
def test_first_pages_and_later_pages_find_the_same_rows(client, nurse, sam, three, monkeypatch, params):
    """First pages probe each row's grants, later ones hash the grants: the same rows either way."""
    from incidents import views
    from rrp import listing

    for days in range(4, 9):
        make_incident(sam, nurse, start=ago(days=days))
    client.force_login(nurse)
    monkeypatch.setattr(views, "PER_PAGE", 3)
    pages = {}
    for probe_rows in (0, 1000):
        monkeypatch.setattr(listing, "PROBE_ROWS", probe_rows)
        pages[probe_rows] = [row.pk for row in listed(client, **params).context["page_obj"].object_list]
    assert pages[0] == pages[1000] and pages[0]


def test_invalid_filter_shows_an_error_not_a_wider_list(client, nurse, three):
    client.force_login(nurse)
    text = listed(client, ward="999999").text
    assert "There is a problem" in text
    assert three["standing"].get_absolute_url() not in text


def test_empty_state_in_plain_words(client, nurse, three):
    client.force_login(nurse)
    assert "No incidents match these filters" in listed(client, type="05").text


def test_sorting_oldest_first(client, nurse, three):
    client.force_login(nurse)
    text = listed(client, sort="started").text
    assert text.index(three["standing"].get_absolute_url()) < text.index(three["prone"].get_absolute_url())
    text = listed(client, sort="-started").text
    assert text.index(three["standing"].get_absolute_url()) > text.index(three["prone"].get_absolute_url())


def test_list_queries_do_not_grow_with_the_page_size(
    client, nurse, sam, django_assert_num_queries, monkeypatch
):
    from incidents import views

    for days in range(1, 9):
        make_incident(sam, nurse, start=ago(days=days, hours=1))
    client.force_login(nurse)
    client.get(reverse("incidents:list"))  # warm the session and caches
    monkeypatch.setattr(views, "PER_PAGE", 2)
    with CaptureQueriesContext(connection) as small:
        response = client.get(reverse("incidents:list"))
    assert response.text.count('<tr role="row" class="nhsuk-table__row">') == 2
    monkeypatch.setattr(views, "PER_PAGE", 8)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("incidents:list"))
    assert response.text.count('<tr role="row" class="nhsuk-table__row">') == 8


def test_csv_export_streams_the_filtered_list_and_respects_permissions(
    client, nurse, nurse_cedar, lou, three
):
    make_incident(lou, nurse_cedar)
    client.force_login(nurse)
    response = client.get(reverse("incidents:export_csv"), {"prone": "yes"})
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["Incident", "Ward", "Person"]
    assert [int(r[0]) for r in rows[1:]] == [three["prone"].pk]
    response = client.get(reverse("incidents:export_csv"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {r[1] for r in rows[1:]} == {"Willow"}
    assert len(rows) == 4


def test_mhsds_export_has_national_codes_and_leaves_out_errors_and_drafts(client, nurse, sam, three):
    services.incident_create(service_user=sam, by=nurse, started_at=ago(hours=5))
    client.force_login(nurse)
    start = ago(days=10).date().isoformat()
    end = ago().date().isoformat()
    response = client.get(reverse("incidents:export_mhsds"), {"date_from": start, "date_to": end})
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["MHS505.csv", "MHS515.csv"]
    incidents = list(csv.reader(io.StringIO(archive.read("MHS505.csv").decode())))
    types = list(csv.reader(io.StringIO(archive.read("MHS515.csv").decode())))
    assert incidents[0] == MHS505_COLUMNS
    assert types[0] == MHS515_COLUMNS
    assert len(incidents) == 3  # header, standing, prone (the error and the draft are left out)
    assert {row[8] for row in incidents[1:]} == {"10"}
    assert sorted(row[2] for row in types[1:]) == ["01", "07"]
    prone = next(row for row in types[1:] if row[2] == "01")
    assert prone[1] == f"RI{three['prone'].pk:08d}"
    assert prone[7:10] == ["Y", "N", "N"]
    assert incidents[1][2] == three["standing"].service_user.nhs_number


def test_mhsds_export_checks_the_date_range(client, nurse):
    client.force_login(nurse)
    response = client.get(
        reverse("incidents:export_mhsds"), {"date_from": "2026-05-02", "date_to": "2026-05-01"}
    )
    assert response.status_code == 200
    assert "must be on or after its start" in response.text


def test_service_user_cannot_use_the_mhsds_export(client, sam):
    client.force_login(sam.user)
    assert client.get(reverse("incidents:export_mhsds")).status_code == 404


def test_the_ward_filter_offers_and_accepts_only_the_users_wards(client, nurse, lead, three, oak, cedar):
    client.force_login(nurse)
    choices = listed(client).context["filter"].form["ward"]
    offered = [str(choice.data["label"]) for choice in choices]
    assert offered == ["Any ward", "Willow"]
    assert three["standing"].get_absolute_url() in listed(client, ward=str(three["standing"].ward_id)).text
    refused = listed(client, ward=str(cedar.pk)).text  # a ward the nurse does not work on
    assert "There is a problem" in refused and three["standing"].get_absolute_url() not in refused
    client.force_login(lead)  # Forensic Services: Oak and Willow
    offered = [str(choice.data["label"]) for choice in listed(client).context["filter"].form["ward"]]
    assert offered == ["Any ward", "Oak", "Willow"]
    assert "No incidents match these filters" in listed(client, ward=str(oak.pk)).text


@pytest.mark.parametrize("who", ["nurse", "lead", "sam", "nurse_cedar"])
@pytest.mark.parametrize("sort", ["", "started", "ward", "status"])
def test_an_unfiltered_lists_first_rows_are_read_as_its_queryset_reads_them(
    request, rf, who, sort, nurse, three, lou, nurse_cedar, admin
):
    """`listing.first_ids` (a statement compiled once) reads what `Listing.first_rows` would."""
    from incidents.filters import IncidentFilter
    from incidents.permissions import incidents_listed_for
    from rrp.listing import first_ids

    cedar = make_incident(lou, nurse_cedar, start=ago(days=2, hours=3))
    permissions.grant(["view"], to=nurse, obj=cedar, by=admin, reason="supporting Lou's review")
    user = request.getfixturevalue(who)
    user = getattr(user, "user", None) or user
    web = rf.get("/incidents/")
    web.user = user
    listed = incidents_listed_for(user)
    f = IncidentFilter({"sort": sort} if sort else {}, queryset=listed.queryset, request=web)
    assert f.is_valid()
    every = list(f.filter_queryset(listed.first_rows).values_list("pk", flat=True))
    assert len(every) == {"nurse": 4, "lead": 3, "sam": 2, "nurse_cedar": 1}[who]
    for start, stop in ((0, 2), (1, 3), (2, 4), (0, 25)):
        assert first_ids(f, listed, start, stop) == every[start:stop]
