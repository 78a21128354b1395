"""Select boxes of wards, people and divisions read their choices with one plain query
(rrp.choices), read them afresh each time, and keep their empty and "null" choices; the exports
still stream through a server-side cursor on PostgreSQL."""

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents.filters import IncidentFilter
from rrp.models import Ward

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="server-side cursors are PostgreSQL's"
)


def server_side(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if q["sql"].startswith("DECLARE")]


def test_choices_keep_their_empty_choice_and_are_read_afresh_for_each_request(rf, nurse, willow):
    from django.contrib.auth.models import User

    request = rf.get("/")
    request.user = nurse
    form = IncidentFilter({}, request=request).form
    assert [label for _value, label in form.fields["ward"].choices] == ["Any ward", "Willow"]
    Ward.objects.filter(pk=willow.pk).update(name="Willow House")
    # A user's wards are read once for the request (rrp.permissions.visible_rows); the next
    # request signs its user in afresh.
    request.user = User.objects.get(pk=nurse.pk)
    form = IncidentFilter({}, request=request).form
    assert [label for _value, label in form.fields["ward"].choices] == ["Any ward", "Willow House"]


def test_django_filters_null_choice_is_kept():
    import django_filters

    class WardFilter(django_filters.FilterSet):
        division = django_filters.ModelChoiceFilter(
            queryset=Ward.objects.none(), null_label="No division", empty_label="Any"
        )

        class Meta:
            model = Ward
            fields = ["division"]

    choices = list(WardFilter({}).form.fields["division"].choices)
    assert [label for _value, label in choices] == ["Any", "No division"]


def test_a_plain_form_reads_its_choices_without_caching_them(willow, oak):
    class ChooseWard(forms.Form):
        ward = forms.ModelChoiceField(queryset=Ward.objects.order_by("name"), empty_label="Choose a ward")

    form = ChooseWard()
    assert [label for _value, label in form.fields["ward"].choices] == [
        "Choose a ward",
        "Cedar",
        "Oak",
        "Willow",
    ]
    Ward.objects.filter(pk=oak.pk).update(name="Ash")
    assert [label for _value, label in form.fields["ward"].choices] == [
        "Choose a ward",
        "Ash",
        "Cedar",
        "Willow",
    ]


@on_postgresql
def test_the_incident_list_reads_its_choices_without_a_server_side_cursor(client, nurse):
    client.force_login(nurse)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("incidents:list"))
    assert response.status_code == 200
    assert b"Any ward" in response.content and b">Willow<" in response.content
    assert server_side(captured) == []


@on_postgresql
def test_the_csv_export_still_streams_through_a_server_side_cursor(client, nurse, sam):
    from tests.incidents.factories import make_incident

    make_incident(sam, nurse)
    client.force_login(nurse)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("incidents:export_csv"))
        b"".join(response.streaming_content)
    assert len(server_side(captured)) == 1
