"""The people list answers in a fixed number of queries, however many people it shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import make_person

pytestmark = pytest.mark.django_db

# Session, user with groups and wards, count, the page's ids, its people, their wards now, and the
# ward filter's wards (rrp.listing, rrp.permissions.visible_rows).
PEOPLE_QUERIES = 7


def test_people_list_queries_do_not_grow_with_the_people_shown(client, nurse, sam, willow):
    client.force_login(nurse)
    client.get(reverse("service_user_list"))  # the session's first request writes its expiry
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("service_user_list"))
    assert len(one.captured_queries) <= PEOPLE_QUERIES

    for n in range(6):
        make_person(f"person{n}", willow)
    with CaptureQueriesContext(connection) as seven:
        response = client.get(reverse("service_user_list"))
    assert len(seven.captured_queries) == len(one.captured_queries)
    assert response.text.count('<td class="nhsuk-table__cell">Willow</td>') == 7
