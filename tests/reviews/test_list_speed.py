"""The reviews list and the home page's review panels: the same queries however many rows there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.reviews.conftest import submit_incident

pytestmark = pytest.mark.django_db


def queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.text


def test_reviews_list_queries_do_not_grow_with_the_page(client, sam, kai, willow, nurse, manager):
    submit_incident(sam, willow, nurse, staff=[nurse])
    client.force_login(nurse)
    one, _ = queries(client, reverse("reviews:list"))
    for n in range(29):
        submit_incident(kai if n % 2 else sam, willow, nurse, ended_hours_ago=3 + n, staff=[nurse])
    full, page = queries(client, reverse("reviews:list"))
    assert full == one
    assert "Reviews (30)" in page
    assert page.count('href="/reviews/') >= 25
    second, page = queries(client, reverse("reviews:list") + "?page=2")
    assert second == one and "Reviews (30)" in page


def test_reviews_list_shows_the_rows_in_status_and_due_order(client, sam, kai, willow, nurse, manager):
    late = submit_incident(sam, willow, nurse, ended_hours_ago=2).review
    early = submit_incident(kai, willow, nurse, ended_hours_ago=30).review
    client.force_login(nurse)
    page = client.get(reverse("reviews:list")).text
    assert page.index(early.get_absolute_url()) < page.index(late.get_absolute_url())


def test_reviews_list_shows_only_visible_reviews(
    client, sam, lou, willow, cedar, nurse, nurse_cedar, manager
):
    mine = submit_incident(sam, willow, nurse).review
    theirs = submit_incident(lou, cedar, nurse_cedar).review
    client.force_login(nurse)
    page = client.get(reverse("reviews:list")).text
    assert mine.get_absolute_url() in page and theirs.get_absolute_url() not in page
    assert "Reviews (1)" in page


def test_home_review_panels_queries_do_not_grow(client, sam, kai, willow, nurse, manager):
    submit_incident(sam, willow, nurse, staff=[nurse])
    client.force_login(nurse)
    one, page = queries(client, reverse("home"))
    assert "Reviews due or overdue" in page
    for n in range(14):
        submit_incident(kai if n % 2 else sam, willow, nurse, ended_hours_ago=3 + n, staff=[nurse])
    many, page = queries(client, reverse("home"))
    assert many == one
    assert page.count("/account/staff") >= 10 or page.count("Review due") >= 10


def test_home_accounts_to_write_lists_each_review_once(client, sam, willow, nurse, manager, peer):
    from incidents.models import StaffInvolvement

    incident = submit_incident(sam, willow, nurse, staff=[nurse])
    # Named twice on the same incident: the panel still lists the review once.
    StaffInvolvement.objects.create(incident=incident, staff=nurse, name="Again", job_title="Nurse")
    client.force_login(nurse)
    page = client.get(reverse("home")).text
    assert page.count(reverse("reviews:account_staff", args=[incident.review.pk])) == 1
