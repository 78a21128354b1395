"""The session and the signed-in user, read by statements built once (rrp.statements), are what
Django's own querysets read: the same fields, the same related rows, no extra query later."""

import datetime

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rrp import permissions, roles
from rrp.backends import UserBackend
from rrp.models import ServiceUser, StaffProfile, Ward, WardAssignment
from rrp.sessions import SessionStore
from tests.conftest import make_person, make_user

pytestmark = pytest.mark.django_db


def values(obj):
    return {field.attname: getattr(obj, field.attname) for field in type(obj)._meta.concrete_fields}


def read_by_orm(pk):
    return User.objects.select_related("staff", "service_user").get(pk=pk)


@pytest.fixture
def person(willow):
    return make_person("person.kit", willow)


@pytest.mark.parametrize("who", ["nurse", "lead", "person", "plain"])
def test_the_user_is_read_as_the_orm_reads_them(request, who, willow):
    if who == "person":
        user = request.getfixturevalue("person").user
    elif who == "plain":
        user = make_user("no.role")
    else:
        user = request.getfixturevalue(who)
    user.last_login = timezone.now()
    user.save()
    expected = read_by_orm(user.pk)
    groups = sorted(user.groups.values_list("pk", flat=True))
    wards = sorted(WardAssignment.objects.filter(staff__user=user).values_list("ward_id", flat=True))
    role = roles.role_of(expected)

    with CaptureQueriesContext(connection) as captured:
        loaded = UserBackend().get_user(user.pk)
        assert len(captured) == 1
        assert values(loaded) == values(expected)
        assert loaded.last_login == expected.last_login and loaded.last_login.tzinfo is not None
        for name, model in (("staff", StaffProfile), ("service_user", ServiceUser)):
            if hasattr(expected, name):
                related = getattr(loaded, name)
                assert values(related) == values(getattr(expected, name))
                assert related.user is loaded
            else:
                with pytest.raises(model.DoesNotExist):
                    getattr(loaded, name)
        assert permissions.group_ids(loaded) == groups
        assert roles.staff_ward_ids(loaded) == wards
        assert len(captured) == 1  # nothing above asked the database again
    assert roles.role_of(loaded) == role  # (with neither record: one query, whether a carer)


def test_a_persons_date_of_birth_is_a_date(person):
    loaded = UserBackend().get_user(person.user.pk)
    assert loaded.service_user.date_of_birth == datetime.date(1990, 1, 1)


def test_an_unknown_or_inactive_user_is_nobody(nurse):
    assert UserBackend().get_user(nurse.pk + 1000) is None
    nurse.is_active = False
    nurse.save()
    assert UserBackend().get_user(nurse.pk) is None


def test_a_session_is_read_until_it_expires(nurse):
    store = SessionStore()
    store[SESSION_KEY] = str(nurse.pk)
    store.create()
    assert SessionStore(store.session_key).load() == {SESSION_KEY: str(nurse.pk)}

    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    expired = SessionStore(store.session_key)
    assert expired.load() == {}
    assert expired.session_key is None  # a new session starts, as with Django's store
    assert SessionStore("no-such-session-key").load() == {}


def test_pages_are_served_to_a_signed_in_user_and_not_after_sign_out(client, nurse):
    client.force_login(nurse)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.context["user"] == nurse
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_an_incidents_rows_are_read_as_the_orm_reads_them(nurse, willow):
    from decimal import Decimal

    from incidents import services
    from incidents.models import Incident
    from rrp.statements import children
    from tests.incidents.factories import ago, complete_children, make_incident

    person = make_person("person.kit", willow)
    incident = make_incident(person, nurse, submit=False)
    start = ago(hours=3)
    rows = {
        "interventions": [
            *complete_children(start)["interventions"],
            *complete_children(start - datetime.timedelta(minutes=30), type_code="01")["interventions"],
        ],
        "staff_involved": complete_children(start, staff_user=nurse)["staff_involved"],
        "others_involved": [{"who": "Police", "reason": "Called to help", "used_force": True}],
        "notifications": [
            {"name": "Sam Kit", "relationship": "Brother", "told_at": start},
            {"name": "Dr Lee", "told": False},
        ],
        "observations": [
            {"taken_at": start + datetime.timedelta(minutes=20), "pulse": 88, "temperature": Decimal("37.2")},
            {"taken_at": start + datetime.timedelta(minutes=5), "refused": True},
        ],
    }
    services.incident_update(incident=incident, by=nurse, children=rows, version=incident.version)
    empty = make_incident(person, nurse, submit=False)
    for parent in (Incident.objects.get(pk=incident.pk), Incident.objects.get(pk=empty.pk)):
        for name in rows:
            expected = list(getattr(parent, name).all())
            with CaptureQueriesContext(connection) as captured:
                found = children(parent, name)
                assert [values(row) for row in found] == [values(row) for row in expected], name
                assert all(row.incident is parent for row in found)
            assert len(captured) == 1
            if parent.pk == incident.pk:
                assert len(found) == len(rows[name])
    first = children(Incident.objects.get(pk=incident.pk), "interventions")[0]
    assert first.type_code == "01"  # in started_at order, not the order written
    assert children(Incident.objects.get(pk=incident.pk), "observations")[1].temperature == Decimal("37.2")


def test_history_is_read_as_the_orm_reads_it(nurse, willow):
    from incidents import services
    from incidents.models import Incident, Intervention
    from rrp.history import history_of
    from tests.incidents.factories import make_incident

    person = make_person("person.kit", willow)
    incident = make_incident(person, nurse)
    services.incident_update(
        incident=incident, by=nurse, version=incident.version, reason="Wrong place", place="Garden"
    )
    latest = Incident.history.filter(id=incident.pk).latest("history_date")
    Incident.history.filter(history_id=latest.history_id).update(history_user=None)  # by the system
    for model, field, order, limit in (
        (Incident, "id", ("-history_date", "-history_id"), 200),
        (Incident, "id", ("-history_date", "-history_id"), 1),
        (Intervention, "incident", ("id", "-history_date", "-history_id"), None),
    ):
        historical = model.history.model
        expected = list(
            historical.objects.select_related("history_user")
            .filter(**{field: incident.pk})
            .order_by(*order)[:limit]
        )
        with CaptureQueriesContext(connection) as captured:
            found = history_of(model, field, incident.pk, order=order, limit=limit)
            assert [values(r) for r in found] == [values(r) for r in expected]
            assert [r.history_user and values(r.history_user) for r in found] == [
                r.history_user and values(r.history_user) for r in expected
            ]
        assert len(captured) == 1
        assert found
    users = [r.history_user for r in history_of(Incident, "id", incident.pk)]
    assert users[0] is None and users[-1] == nurse


def test_a_page_of_incidents_is_read_as_select_and_prefetch_related_read_it(nurse, willow, cedar):
    from django.db.models import Prefetch

    from incidents import services
    from incidents.models import Incident, Intervention
    from rrp.statements import by_ids
    from tests.incidents.factories import ago, complete_children, make_incident

    person = make_person("person.kit", willow)
    first = make_incident(person, nurse, submit=False)
    two = (
        complete_children(ago(hours=5), type_code="01")["interventions"]
        + complete_children(ago(hours=6))["interventions"]
    )
    services.incident_update(incident=first, by=nurse, children={"interventions": two}, version=first.version)
    second = make_incident(person, nurse, submit=False)
    none = make_incident(person, nurse, submit=False)
    services.incident_update(incident=none, by=nurse, children={"interventions": []}, version=none.version)
    ids = [second.pk, none.pk, first.pk, first.pk + 1000]  # the page's order; an id since removed

    expected = (
        Incident.objects.select_related("service_user", "ward")
        .prefetch_related(
            Prefetch("interventions", queryset=Intervention.objects.order_by("started_at", "id")),
            "staff_involved",
        )
        .in_bulk(ids)
    )
    with CaptureQueriesContext(connection) as captured:
        rows = by_ids(
            Incident, ids, related=("service_user", "ward"), children=("interventions", "staff_involved")
        )
        assert [row.pk for row in rows] == [second.pk, none.pk, first.pk]
        for row in rows:
            want = expected[row.pk]
            assert values(row) == values(want)
            assert values(row.service_user) == values(want.service_user) and row.ward.name == "Willow"
            for name in ("interventions", "staff_involved"):
                got = list(getattr(row, name).all())
                assert [values(c) for c in got] == [values(c) for c in getattr(want, name).all()], name
                assert all(child.incident is row for child in got)
    assert len(captured) == 3  # the rows, their interventions, their staff
    assert [i.type_code for i in rows[2].interventions.all()] == ["07", "01"]  # in started_at order
    assert rows[1].interventions.all().count() == 0
    # Asking a further question of a prefetched list goes to the database, about that incident only.
    with CaptureQueriesContext(connection) as captured:
        assert [i.type_code for i in rows[2].interventions.filter(type_code="01")] == ["01"]
    assert len(captured) == 1
    assert by_ids(Incident, []) == []


def test_a_values_statement_is_compiled_once_per_shape_and_answers_as_the_queryset(willow, oak, cedar):
    from rrp.models import Ward
    from rrp.statements import values

    built = []

    def build(division_id, ward_ids):
        built.append((division_id, ward_ids))
        return (
            Ward.objects.filter(division_id=division_id, pk__in=ward_ids).order_by("name").values_list("name")
        )

    forensic = willow.division_id
    assert values(Ward, "test:wards", build, forensic, [willow.pk, oak.pk]) == [("Oak",), ("Willow",)]
    assert values(Ward, "test:wards", build, forensic, [cedar.pk, willow.pk]) == [("Willow",)]
    assert len(built) == 1  # the same shape: compiled once, then run with the new values
    assert values(Ward, "test:wards", build, cedar.division_id, [cedar.pk]) == [("Cedar",)]
    assert len(built) == 2  # one ward id instead of two: another statement
    assert values(Ward, "test:wards", build, forensic, []) == []


def test_a_values_statement_refuses_a_value_it_cannot_place(willow):
    from rrp.models import Ward
    from rrp.statements import values

    with pytest.raises(ValueError, match="parameter"):
        values(Ward, "test:ignores", lambda division_id: Ward.objects.values_list("pk"), willow.division_id)


@pytest.mark.parametrize("who", ["nurse", "manager", "lead", "peer", "nurse_cedar", "admin", "plain"])
def test_the_wards_a_user_may_see_are_visibles_rows(request, who, willow, oak, cedar):
    from rrp.models import Ward

    user = make_user("no.role") if who == "plain" else request.getfixturevalue(who)
    expected = {
        "nurse": [willow],
        "manager": [willow],
        "lead": [oak, willow],  # Forensic Services
        "peer": [willow],
        "nurse_cedar": [cedar],
        "admin": [],
        "plain": [],
    }[who]
    shown = permissions.visible(user, "view", Ward.objects.all())
    assert sorted(shown.values_list("pk", flat=True)) == sorted(w.pk for w in expected)
    assert permissions.visible_ids(user, "view", Ward) == sorted(w.pk for w in expected)
    as_filter = Ward.objects.filter(pk__in=permissions.VisibleIds(user, "view", Ward))
    assert list(as_filter) == sorted(expected, key=lambda ward: ward.name)  # none for nobody's wards
    read = permissions.visible_rows(user, "view", Ward)
    assert [values(ward) for ward in read] == [values(ward) for ward in shown.order_by("name")]
    choices = permissions.visible_choices(user, "view", Ward)
    with CaptureQueriesContext(connection) as captured:
        assert list(choices.all()) == read  # the rows already read for this user: no query
    assert not captured.captured_queries


def test_the_wards_a_user_may_see_follow_a_change_of_team(nurse, willow, cedar):
    assert permissions.visible_ids(nurse, "view", Ward) == [willow.pk]
    nurse.groups.add(cedar.staff_group)  # rrp.permissions notices group changes
    assert permissions.visible_ids(nurse, "view", Ward) == sorted([willow.pk, cedar.pk])
    nurse.groups.remove(willow.staff_group)
    assert permissions.visible_ids(nurse, "view", Ward) == [cedar.pk]


def test_a_queryset_read_by_a_reader_is_the_querysets_own_once_changed(willow, oak, cedar):
    from rrp.statements import read_by

    calls = []

    def reader():
        calls.append(1)
        return [oak, willow]

    wards = read_by(Ward.objects.filter(pk__in=[oak.pk, willow.pk]), reader)
    with CaptureQueriesContext(connection) as captured:
        assert list(wards) == [oak, willow] and list(wards.all()) == [oak, willow]
    assert not captured.captured_queries and len(calls) == 2
    # Changed in any other way, it is compiled and read as usual.
    assert list(wards.order_by("-name")) == [willow, oak]
    assert wards.get(pk=willow.pk) == willow
    assert wards.count() == 2 and list(wards.filter(name="Oak")) == [oak]
    assert list(wards.values_list("name", flat=True)) == ["Oak", "Willow"]
    assert len(calls) == 2


def test_a_record_is_read_with_its_keys_as_select_related_reads_it(nurse, willow):
    from incidents.models import Incident
    from rrp.statements import record
    from tests.incidents.factories import make_incident

    incident = make_incident(make_person("person.kit", willow), nurse)
    related = ("service_user", "ward", "ward__division", "admission")
    expected = Incident.objects.select_related(*related).get(pk=incident.pk)
    with CaptureQueriesContext(connection) as captured:
        found = record(Incident, incident.pk, related)
        assert values(found) == values(expected)
        for path in ("service_user", "ward", "admission"):
            assert values(getattr(found, path)) == values(getattr(expected, path))
        assert values(found.ward.division) == values(expected.ward.division)
        assert found.reported_by_id == nurse.pk and found.started_at.tzinfo is not None
    assert len(captured) == 1  # the keys came with it
    assert record(Incident, incident.pk + 1000, related) is None
    assert record(Incident, 10**20, related) is None  # too big for the column: no row, no error
    with pytest.raises(ValueError, match="before it"):
        record(Incident, incident.pk, ("ward__division",))


def test_an_incident_that_is_not_there_is_not_found(client, nurse):
    client.force_login(nurse)
    for pk in ("999999", "99999999999999999999"):
        assert client.get(f"/incidents/{pk}/").status_code == 404
