import datetime

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from incidents import services
from rrp import services as core_services
from tests.incidents.factories import ago, make_incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(nurse, sam):
    return make_incident(sam, nurse)


def status(client, user, url):
    client.force_login(user)
    return client.get(url).status_code


@pytest.mark.parametrize(
    ("who", "detail", "edit"),
    [
        ("nurse", 200, 200),
        ("manager", 200, 200),
        ("lead", 200, 403),
        ("sam", 200, 403),
        ("kai", 404, 404),
        ("lou", 404, 404),
        ("nurse_cedar", 404, 404),
        ("nurse_oak", 404, 404),
        ("peer", 404, 404),
        ("carer", 404, 404),
        ("admin", 404, 404),
    ],
)
def test_permission_matrix_for_a_willow_incident(request, client, incident, who, detail, edit):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", None) or user
    assert status(client, user, reverse("incidents:detail", args=[incident.pk])) == detail
    assert status(client, user, reverse("incidents:edit", args=[incident.pk])) == edit


def test_anonymous_visitor_is_sent_to_sign_in(client, incident):
    response = client.get(reverse("incidents:detail", args=[incident.pk]))
    assert response.status_code == 302


def test_list_shows_only_what_each_person_may_see(client, nurse, nurse_cedar, lead, sam, lou):
    willow = make_incident(sam, nurse)
    cedar = make_incident(lou, nurse_cedar)
    client.force_login(nurse)
    text = client.get(reverse("incidents:list")).text
    assert willow.get_absolute_url() in text and cedar.get_absolute_url() not in text
    client.force_login(lead)  # Forensic Services: Willow and Oak, not Cedar
    text = client.get(reverse("incidents:list")).text
    assert willow.get_absolute_url() in text and cedar.get_absolute_url() not in text
    client.force_login(nurse_cedar)
    text = client.get(reverse("incidents:list")).text
    assert cedar.get_absolute_url() in text and willow.get_absolute_url() not in text


def test_kais_incidents_stay_with_the_ward_where_they_happened(client, nurse, nurse_oak, admin, kai, oak):
    before = make_incident(kai, nurse)
    core_services.admission_transfer(admission=kai.current_admission, to_ward=oak, at=ago(hours=1), by=admin)
    # Willow staff still see Kai's Willow incident; Oak staff do not.
    assert status(client, nurse, before.get_absolute_url()) == 200
    assert status(client, nurse_oak, before.get_absolute_url()) == 404
    # His next incident happens on Oak and is Oak's.
    start = ago(minutes=40)
    after = make_incident(kai, nurse_oak, start=start, minutes=5)
    assert after.ward == oak
    assert status(client, nurse_oak, after.get_absolute_url()) == 200
    assert status(client, nurse, after.get_absolute_url()) == 404
    # Kai sees both of his own.
    assert status(client, kai.user, before.get_absolute_url()) == 200
    assert status(client, kai.user, after.get_absolute_url()) == 200


def test_willow_nurse_cannot_log_an_incident_for_kai_after_he_moved(client, nurse, admin, kai, oak):
    core_services.admission_transfer(admission=kai.current_admission, to_ward=oak, at=ago(hours=1), by=admin)
    assert status(client, nurse, reverse("incidents:create", args=[kai.pk])) == 404


def test_lead_and_peer_cannot_record_incidents(client, lead, peer, sam):
    assert status(client, lead, reverse("incidents:create", args=[sam.pk])) == 404
    assert status(client, peer, reverse("incidents:choose_person")) == 403


def test_only_the_ward_manager_may_mark_entered_in_error(client, nurse, manager, lead, incident):
    url = reverse("incidents:mark_error", args=[incident.pk])
    assert status(client, nurse, url) == 403
    assert status(client, lead, url) == 403
    assert status(client, manager, url) == 200


def test_grants_follow_the_contract(nurse, manager, lead, sam, willow):
    from rrp import permissions

    incident = services.incident_create(service_user=sam, by=nurse, started_at=ago(hours=1))
    assert permissions.has(nurse, "change", incident)
    assert permissions.has(manager, "incidents.sign_off_incident", incident)
    assert not permissions.has(nurse, "incidents.sign_off_incident", incident)
    assert permissions.has(lead, "view", incident) and not permissions.has(lead, "change", incident)
    assert not permissions.has(sam.user, "view", incident)  # a draft is for staff only
    incident.started_at = ago(hours=1) - datetime.timedelta(minutes=1)


def test_no_delete_in_admin(client, admin, nurse, sam):
    incident = make_incident(sam, nurse)
    client.force_login(admin)
    url = reverse("admin:incidents_incident_delete", args=[incident.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert incident.__class__.objects.filter(pk=incident.pk).exists()


def test_the_list_filter_answers_exactly_what_the_grants_say(
    nurse, nurse_cedar, nurse_oak, manager, lead, peer, carer, admin, sam, kai, lou, oak
):
    """`incidents_visible_to` adds a ward filter for speed; it must never change who sees what."""
    from guardian.shortcuts import get_objects_for_user

    from incidents.permissions import incidents_listed_for, incidents_visible_to
    from rrp import permissions

    willow_draft = make_incident(sam, nurse)
    willow = services.incident_submit(incident=make_incident(sam, nurse, start=ago(hours=5)), by=nurse)
    cedar = services.incident_submit(incident=make_incident(lou, nurse_cedar), by=nurse_cedar)
    kais_willow = make_incident(kai, nurse, start=ago(hours=3))
    core_services.admission_transfer(admission=kai.current_admission, to_ward=oak, at=ago(hours=2), by=admin)
    kais_oak = services.incident_submit(
        incident=make_incident(kai, nurse_oak, start=ago(minutes=50)), by=nurse_oak
    )
    # A grant to one person on another ward's incident (as when they support someone's review).
    permissions.grant(["view"], to=nurse, obj=cedar, by=admin, reason="supporting Lou's review")

    everyone = [
        nurse,
        nurse_cedar,
        nurse_oak,
        manager,
        lead,
        peer,
        carer,
        admin,
        sam.user,
        kai.user,
        lou.user,
    ]
    for user in everyone:
        guardian = get_objects_for_user(
            user, "incidents.view_incident", accept_global_perms=False, with_superuser=False
        )
        assert set(incidents_visible_to(user)) == set(guardian), user.username
        listed = incidents_listed_for(user)
        assert set(listed.rows) == set(listed.first_rows) == set(guardian), user.username
        assert listed.count in (None, len(guardian)), user.username
        assert listed.every_row is None or set(listed.every_row) == set(guardian), user.username
    assert set(incidents_visible_to(nurse)) == {willow_draft, willow, cedar, kais_willow}
    assert set(incidents_visible_to(kai.user)) == {kais_willow, kais_oak}
    assert set(incidents_visible_to(lead)) == {willow_draft, willow, kais_willow, kais_oak}


def test_the_list_leaves_out_an_incident_whose_grant_was_taken_back(
    client, lead, nurse, sam, willow, admin, monkeypatch
):
    """While a recovery lead holds a grant on every incident on their wards, their list reads
    the wards' incidents without checking grants; one grant fewer must bring the check back."""
    from incidents.permissions import incidents_listed_for
    from rrp import permissions

    kept = services.incident_submit(incident=make_incident(sam, nurse, start=ago(hours=4)), by=nurse)
    taken = services.incident_submit(incident=make_incident(sam, nurse, start=ago(hours=2)), by=nurse)
    make_incident(sam, nurse, start=ago(hours=1), submit=False)  # a draft, which the lead sees too
    client.force_login(lead)
    page = client.get(reverse("incidents:list")).content.decode()
    assert taken.get_absolute_url() in page and kept.get_absolute_url() in page
    everyone = incidents_listed_for(lead)
    assert everyone.count == len(everyone.every_row) == 3
    assert "objectpermission" not in str(everyone.every_row.query)

    permissions.revoke(["view"], frm=willow.division.leads_group, obj=taken, by=admin, reason="test")
    lead = type(lead).objects.get(pk=lead.pk)  # a new request's user
    client.force_login(lead)
    from rrp import listing

    for probe_rows in (0, 1000):  # every page read as a later page, then as a first page
        monkeypatch.setattr(listing, "PROBE_ROWS", probe_rows)
        for query in ({}, {"sort": "started"}, {"date_from": ago(days=1).date().isoformat()}):
            page = client.get(reverse("incidents:list"), query)
            assert page.status_code == 200
            assert kept.get_absolute_url() in page.content.decode(), query
            assert taken.get_absolute_url() not in page.content.decode(), query
            assert taken not in page.context["page_obj"].object_list
    listed = incidents_listed_for(lead)
    assert taken not in set(listed.rows) and taken not in set(listed.first_rows)
    assert listed.count == len(listed.rows) and listed.every_row is None
    for query, count in (({}, 2), ({"sort": "started"}, 2), ({"status": "submitted"}, 1)):
        answer = client.get(reverse("incident-list"), query).json()
        ids = [row["id"] for row in answer["results"]]
        assert kept.pk in ids and taken.pk not in ids, query
        assert answer["count"] == len(ids) == count, query
        page = client.get(reverse("incidents:list"), query)
        assert page.context["page_obj"].paginator.count == count, query


@pytest.mark.parametrize(
    ("who", "may_record"),
    [
        ("nurse", True),  # Willow's team; Sam is on Willow
        ("manager", True),
        ("nurse_cedar", True),  # Lou is on Cedar
        ("nurse_oak", False),  # nobody is on Oak
        ("lead", False),  # not on a ward's team
        ("peer", False),
        ("admin", False),
        ("sam", False),
    ],
)
def test_the_record_button_shows_to_the_team_of_a_ward_with_people_on_it(
    request, client, sam, lou, who, may_record
):
    from incidents.permissions import may_record_anyone, recordable_people

    user = request.getfixturevalue(who)
    user = getattr(user, "user", None) or user
    assert may_record_anyone(user) is may_record
    assert recordable_people(user).exists() is may_record  # the people it offers to record for
    client.force_login(user)
    response = client.get(reverse("incidents:list"), follow=True)
    assert (reverse("incidents:choose_person") in response.text) is may_record


def test_the_record_button_goes_when_the_last_person_leaves_the_ward(client, nurse, sam, admin):
    from incidents.permissions import may_record_anyone

    assert may_record_anyone(nurse)
    core_services.admission_discharge(admission=sam.current_admission, end=ago(minutes=5), by=admin)
    assert not may_record_anyone(User.objects.get(pk=nurse.pk))  # the next request's user
