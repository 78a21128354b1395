"""The incident list writes its rows in Python (incidents.rows) for speed: they must be the HTML
the template loop wrote, with every value escaped, and the page must look the same."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from incidents import services
from incidents.models import Incident
from incidents.rows import rows_html
from incidents.views import _listed
from tests.conftest import make_person
from tests.incidents.factories import ago, make_incident

pytestmark = pytest.mark.django_db

# The loop templates/incidents/incident_list.html had before.
TEMPLATE_LOOP = Template(
    """{% for incident in incidents %}
  <tr role="row" class="nhsuk-table__row">
    <td role="cell" class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">When </span><a href="{{ incident.get_absolute_url }}">{% if incident.started_at %}{{ incident.started_at|date:"j M Y, H:i" }}{% else %}Draft {{ incident.pk }}{% endif %}</a></td>
    <td role="cell" class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Person </span>{{ incident.service_user.display_name }}</td>
    <td role="cell" class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Ward </span>{{ incident.ward.name }}</td>
    <td role="cell" class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Interventions </span>{% for item in incident.interventions.all %}{{ item.get_type_code_display }} ({{ item.duration_minutes }} min){% if not forloop.last %}; {% endif %}{% empty %}None yet{% endfor %}</td>
    <td role="cell" class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Status </span>{% if incident.entered_in_error_at %}<strong class="nhsuk-tag nhsuk-tag--grey">Entered in error</strong>{% elif incident.status == "draft" %}<strong class="nhsuk-tag nhsuk-tag--yellow">Draft</strong>{% elif incident.status == "submitted" %}<strong class="nhsuk-tag nhsuk-tag--blue">Awaiting sign-off</strong>{% else %}<strong class="nhsuk-tag nhsuk-tag--green">Signed off</strong>{% endif %}
</td>
  </tr>
  {% endfor %}"""  # noqa: E501
)


@pytest.fixture
def every_kind(org, nurse, manager):
    """A draft with nothing yet, one awaiting sign-off, one signed off, one entered in error, with
    a name and a ward that need escaping and an intervention of more than 1,000 minutes."""
    ward = org["willow"]
    ward.name = 'Willow <"A"> & co'
    ward.save()
    person = make_person("o'neil", ward, preferred_name="<b>Sam</b>")
    draft = services.incident_create(service_user=person, by=nurse)
    submitted = make_incident(person, nurse, start=ago(days=2))
    signed = make_incident(person, nurse, start=ago(days=3), minutes=1_200)
    services.incident_sign_off(incident=signed, by=manager)
    in_error = make_incident(person, nurse, start=ago(days=4))
    services.incident_mark_error(incident=in_error, by=manager, reason="Wrong person")
    return [draft, submitted, signed, in_error]


def test_rows_are_the_template_loops_html_with_every_value_escaped(every_kind):
    incidents = list(_listed(Incident.objects.filter(pk__in=[i.pk for i in every_kind])))
    html = rows_html(incidents)
    assert html == TEMPLATE_LOOP.render(Context({"incidents": incidents}))
    assert "<b>Sam</b>" not in html and "&lt;b&gt;Sam&lt;/b&gt; Test" in html
    assert "Willow &lt;&quot;A&quot;&gt; &amp; co" in html
    assert "(1,200 min)" in html or "(1200 min)" in html
    for label in ("Draft", "Awaiting sign-off", "Signed off", "Entered in error", "None yet"):
        assert label in html
    for incident in every_kind:
        assert f'href="{reverse("incidents:detail", args=[incident.pk])}"' in html


def test_the_list_page_shows_the_rows(client, every_kind, nurse):
    client.force_login(nurse)
    page = client.get(reverse("incidents:list")).content.decode()
    assert page.count('<tr role="row" class="nhsuk-table__row">') == len(every_kind)
    assert "&lt;b&gt;Sam&lt;/b&gt; Test" in page and "Awaiting sign-off" in page


def test_no_rows_no_html():
    assert rows_html([]) == ""


def test_dates_are_written_as_the_date_filter_writes_them_in_winter_and_summer(org, nurse):
    import datetime

    person = make_person("ida", org["willow"], days_ago=500)
    utc = datetime.UTC
    starts = {
        datetime.datetime(2026, 3, 5, 7, 4, tzinfo=utc): "5 Mar 2026, 07:04",  # GMT: as written
        datetime.datetime(2026, 7, 9, 23, 30, tzinfo=utc): "10 Jul 2026, 00:30",  # BST: the next day
        datetime.datetime(2025, 12, 31, 9, 0, tzinfo=utc): "31 Dec 2025, 09:00",
    }
    made = [make_incident(person, nurse, start=start) for start in starts]
    incidents = list(_listed(Incident.objects.filter(pk__in=[i.pk for i in made])))
    html = rows_html(incidents)
    assert html == TEMPLATE_LOOP.render(Context({"incidents": incidents}))
    for written in starts.values():
        assert f">{written}</a>" in html


def test_the_list_pages_rows_read_by_statements_are_the_template_loops_html(every_kind):
    """As the list page reads them: rows by id, interventions by incident (rrp.statements)."""
    from rrp import statements

    listed = list(_listed(Incident.objects.filter(pk__in=[incident.pk for incident in every_kind])))
    incidents = statements.by_ids(
        Incident, [incident.pk for incident in listed], related=("service_user", "ward")
    )
    html = rows_html(incidents, statements.children_of(incidents, "interventions"))
    assert html == TEMPLATE_LOOP.render(Context({"incidents": listed}))
    assert html.count("None yet") == 1  # the draft, which has no interventions yet
