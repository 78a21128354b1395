import csv
import io

import pytest
from django.urls import reverse

from rrp import services
from tests.conftest import make_staff

from .conftest import at, incident, patient

pytestmark = pytest.mark.django_db

RANGE = {"start": "2025-03-01", "end": "2025-05-31"}


def get(client, user, name, params=None, **kwargs):
    client.force_login(user)
    return client.get(reverse(name, kwargs=kwargs or None), params or {})


def test_recovery_lead_sees_every_ward_of_the_division_ward_by_ward(
    client, lead, willow, oak, cedar, march_on_willow
):
    response = get(client, lead, "trends:dashboard", RANGE)
    assert response.status_code == 200
    titles = [s.extra["ward"].name for s in response.context["rates"]]
    assert titles == ["Oak", "Willow"]  # not Cedar, which is in another division
    assert "Willow: 0.0 per 1,000 bed days in April 2025" in response.content.decode()


def test_ward_manager_sees_only_their_ward(client, manager, willow, oak, march_on_willow):
    response = get(client, manager, "trends:dashboard", RANGE)
    assert [s.extra["ward"].name for s in response.context["rates"]] == ["Willow"]


def test_ward_staff_see_their_own_ward(client, nurse, willow, oak):
    response = get(client, nurse, "trends:dashboard", RANGE)
    assert [s.extra["ward"].name for s in response.context["rates"]] == ["Willow"]


@pytest.mark.parametrize("who", ["sam", "carer", "peer", "admin"])
def test_nobody_else_sees_trends(client, who, request, willow):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    for name, kwargs in (
        ("trends:dashboard", {}),
        ("trends:equality", {}),
        ("trends:annual", {}),
        ("trends:dashboard_csv", {"section": "rate"}),
        ("trends:annual_csv", {}),
    ):
        assert get(client, user, name, **kwargs).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(client, willow):
    response = client.get(reverse("trends:dashboard"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_manager_cannot_widen_to_another_ward(client, manager, willow, oak):
    response = get(client, manager, "trends:dashboard", {"ward": oak.pk})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize(
    "params, reason",
    [
        ({"ward": "999999"}, "Select a valid choice"),
        ({"group": "hugs"}, "Select a valid choice"),
        ({"start": "2025-06-01", "end": "2025-05-01"}, "end date must be the same as or after"),
        ({"start": "yesterday"}, "Enter a valid date"),
        ({"rebase": "May"}, "is not a month"),
        ({"division": "999"}, "Select a valid choice"),
    ],
)
def test_unknown_filter_values_answer_400_with_the_reason(client, lead, willow, params, reason):
    page = get(client, lead, "trends:dashboard", params)
    assert page.status_code == 400
    assert reason in page.content.decode()
    download = get(client, lead, "trends:dashboard_csv", params, section="rate")
    assert download.status_code == 400
    assert reason in download.content.decode()


def test_filter_to_one_ward(client, lead, willow, oak, march_on_willow):
    response = get(client, lead, "trends:dashboard", {**RANGE, "ward": willow.pk})
    assert [s.extra["ward"].name for s in response.context["rates"]] == ["Willow"]


def test_csv_download_has_the_same_numbers_as_the_table(client, lead, willow, oak, march_on_willow):
    response = get(client, lead, "trends:dashboard_csv", {**RANGE, "ward": willow.pk}, section="rate")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:5] == [
        "Ward",
        "Month",
        "Occupied bed days",
        "Restrictive interventions",
        "Rate per 1,000 bed days",
    ]
    assert rows[1][:5] == ["Willow", "March 2025", "26", "3", "115.4"]
    assert rows[3][4] == "no data"


@pytest.mark.parametrize(
    "section", ["incidents", "groups", "prone", "minutes", "reasons", "harm", "injuries", "time", "rate"]
)
def test_every_section_downloads(client, lead, willow, march_on_willow, section):
    response = get(client, lead, "trends:dashboard_csv", RANGE, section=section)
    assert response.status_code == 200
    assert len(list(csv.reader(io.StringIO(response.content.decode())))) > 1


def test_every_chart_has_a_summary_a_table_and_chart_json(client, lead, willow, march_on_willow):
    response = get(client, lead, "trends:dashboard", RANGE)
    html = response.content.decode()
    for section in [*response.context["rates"], *response.context["sections"]]:
        assert section.summary in html.replace("&#x27;", "'").replace("&quot;", '"') or section.summary
        if section.figure:
            assert f'id="{section.chart_id}" type="application/json"' in html
            assert section.table.caption in html
    assert "plotly/plotly.min.js" in html and html.count("plotly.min.js") == 1
    assert "<script>" not in html  # no inline scripts under the strict CSP


def test_dashboard_query_count_does_not_grow_with_data(
    client, lead, willow, oak, django_assert_max_num_queries
):
    client.force_login(lead)
    url = reverse("trends:dashboard")
    client.get(url, RANGE)  # warm up per-session queries

    def count_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, RANGE).status_code == 200
        return len(ctx.captured_queries)

    few = count_queries()
    ash = services.ward_create(division=willow.division, name="Ash")
    patient(ash, at(2025, 3, 1), at(2025, 5, 1))
    for day in range(1, 28, 2):
        person = patient(willow if day % 4 else oak, at(2025, 3, day), at(2025, 5, day))
        incident(willow if day % 4 else oak, person, at(2025, 4, day), (("01", 12), ("05", 60), ("16", 1)))
    many = count_queries()
    assert many == few  # more incidents, months and wards: the same handful of aggregates
    assert "Ash: " in client.get(url, RANGE).content.decode()
    assert few < 30


def test_nav_item_and_attention_panel(client, manager, willow, march_on_willow):
    client.force_login(manager)
    home = client.get("/")
    html = home.content.decode()
    assert 'href="/trends/"' in html
    assert "Restrictive practice trends" in html
    assert "Willow:" in html


def test_nurse_on_another_ward_sees_nothing_of_willow(client, nurse_cedar, willow, cedar, march_on_willow):
    response = get(client, nurse_cedar, "trends:dashboard", RANGE)
    assert [s.extra["ward"].name for s in response.context["rates"]] == ["Cedar"]
    assert "115.4" not in response.content.decode()


def test_lead_without_a_division_gets_404(client, willow):
    user = make_staff("lead.none", "recovery_lead", [], None)
    assert get(client, user, "trends:dashboard").status_code == 404


def test_ward_outside_the_chosen_division_is_an_error_not_an_empty_page(client, willow, cedar, org):
    both = make_staff("nurse.two", "ward_staff", [willow, cedar])
    response = get(client, both, "trends:dashboard", {"ward": willow.pk, "division": org["local"].pk})
    assert response.status_code == 400
    assert "Willow is not in Local Partnerships" in response.content.decode()
    fine = get(client, both, "trends:dashboard", {"division": org["local"].pk})
    assert [s.extra["ward"].name for s in fine.context["rates"]] == ["Cedar"]


def test_a_leads_trends_page_asks_once_whether_they_may_see_trends(client, lead, willow, march_on_willow):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(lead)
    url = reverse("trends:annual")
    client.get(url)  # the session's first request writes its expiry
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    # The lead's wards are read once (trends.permissions.trend_wards): the menu asks whether there
    # are any, the select boxes show them and their divisions, the page covers them.
    wards = [q["sql"] for q in captured.captured_queries if 'FROM "rrp_ward"' in q["sql"]]
    assert len(wards) == 1, wards
    assert '"rrp_division"' in wards[0]
