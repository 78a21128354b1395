"""Sessions end after SESSION_COOKIE_AGE without a request, without a write on every request."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rrp import permissions, roles, services
from rrp.middleware import REFRESHED_KEY, SessionRefreshMiddleware
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db


def session_writes(captured):
    return [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]
    ]


def test_a_session_idle_for_the_whole_age_is_signed_out(client, nurse):
    client.force_login(nurse)
    assert client.get(reverse("home")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_requests_move_the_expiry_on_at_most_once_a_minute(client, nurse, settings):
    client.force_login(nurse)
    client.get(reverse("home"))
    written = Session.objects.get().expire_date
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("home")).status_code == 200
    assert session_writes(captured) == []
    assert Session.objects.get().expire_date == written

    session = client.session
    session[REFRESHED_KEY] -= settings.SESSION_REFRESH_SECONDS
    session.save()
    before = timezone.now()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("home")).status_code == 200
    assert len(session_writes(captured)) == 1
    expires = Session.objects.get().expire_date
    age = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert before + age <= expires <= timezone.now() + age


def test_a_cookie_for_an_ended_session_writes_no_session(rf):
    request = rf.get("/")
    request.session = SessionStore("a-session-key-that-is-not-in-the-database")
    SessionRefreshMiddleware(lambda request: HttpResponse())(request)
    assert not request.session.modified
    assert not Session.objects.exists()


def test_signing_out_still_ends_the_session(client, nurse):
    client.force_login(nurse)
    client.get(reverse("home"))
    client.post(reverse("logout"))
    assert not Session.objects.exists()
    assert client.get(reverse("home")).status_code == 302


def test_a_deactivated_account_is_signed_out_at_its_next_request(client, nurse):
    client.force_login(nurse)
    assert client.get(reverse("home")).status_code == 200
    nurse.is_active = False
    nurse.save()
    assert client.get(reverse("home")).status_code == 302


def test_the_menu_fits_the_role_loaded_with_the_user(client, nurse, sam):
    client.force_login(nurse)
    with CaptureQueriesContext(connection) as captured:
        text = client.get(reverse("about")).text
    assert not [q for q in captured.captured_queries if 'FROM "rrp_staffprofile"' in q["sql"]]
    assert 'href="/people/"' in text
    client.force_login(sam.user)
    text = client.get(reverse("about")).text
    assert 'href="/people/"' not in text and "My reviews" in text


def test_the_groups_come_with_the_user_and_a_change_shows_at_once(client, nurse, sam, oak):
    client.force_login(nurse)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("service_user_list")).status_code == 200
    assert not [q for q in captured.captured_queries if q["sql"].startswith('SELECT "auth_user_groups"')]
    assert sam.get_absolute_url() in client.get(reverse("service_user_list")).text  # on the nurse's ward

    # Taken off the ward's team: the next request no longer shows the ward's people.
    nurse.groups.clear()
    assert sam.get_absolute_url() not in client.get(reverse("service_user_list")).text
    # Put on Oak's team: the same user object sees the new group within the request too.
    nurse.groups.add(oak.staff_group)
    assert permissions.group_ids(nurse) == [oak.staff_group_id]
    assert oak.staff_group_id in permissions.group_ids(User.objects.get(pk=nurse.pk))


def test_a_page_with_no_records_reads_only_the_session_and_the_user(client, nurse):
    client.force_login(nurse)
    client.get(reverse("about"))  # the session's first request writes its expiry
    with CaptureQueriesContext(connection) as captured:
        text = client.get(reverse("about")).text
    assert len(captured.captured_queries) == 2  # the session, the user with groups and wards
    assert 'href="/trends/"' in text and 'href="/incidents/"' in text


def test_the_wards_come_with_the_user_and_a_new_ward_shows_at_the_next_request(client, oak):
    newcomer = make_staff("nurse.new", "ward_staff")
    client.force_login(newcomer)
    assert 'href="/trends/"' not in client.get(reverse("about")).text  # no ward yet: no trends
    services.staff_assign(staff=newcomer.staff, ward=oak)
    text = client.get(reverse("about")).text
    assert 'href="/trends/"' in text
    assert roles.staff_ward_ids(newcomer) == [oak.pk]  # the same user object sees it at once
    assert client.get(reverse("trends:dashboard")).status_code == 200
