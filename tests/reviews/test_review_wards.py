"""Reviews carry their incident's ward, and lists of reviews are read from the user's wards."""

import importlib

from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from incidents.reviews.models import Review
from incidents.reviews.permissions import reviews_visible_to
from rrp import permissions
from tests.reviews.conftest import submit_incident


def test_a_review_is_on_its_incidents_ward(sam, lou, willow, cedar, nurse, nurse_cedar, manager):
    assert submit_incident(sam, willow, nurse).review.ward == willow
    incident = submit_incident(lou, cedar, nurse_cedar)
    incident.review.delete()
    # Made without naming the ward (as a script or the admin might): it still takes the incident's.
    made = Review.objects.create(incident=incident, due_at=incident.ended_at)
    assert Review.objects.get(pk=made.pk).ward == cedar
    assert made.history.get().ward_id == cedar.pk


def _seen(user, perm):
    return set(permissions.visible(user, perm, Review.objects.all()).values_list("pk", flat=True))


def _granted(user, perm):
    """Worked out from the grant tables row by row, without any narrowing to wards."""
    return {review.pk for review in Review.objects.all() if permissions.has(user, perm, review)}


def test_reading_from_the_users_wards_hides_no_review_they_were_granted(
    sam, lou, willow, cedar, nurse, nurse_cedar, manager, lead, peer
):
    on_willow = submit_incident(sam, willow, nurse).review
    on_cedar = submit_incident(lou, cedar, nurse_cedar).review
    # Granted to people alone, on wards that are not theirs: a facilitator from another ward, the
    # person, and a division's review panel (the peer workers' group) once a review has closed.
    permissions.grant(["view", "change"], to=nurse_cedar, obj=on_willow, by=manager, reason="facilitating")
    permissions.grant(["panel"], to=willow.division.peers_group, obj=on_willow, by=manager, reason="closed")

    assert _seen(nurse_cedar, "view") == _granted(nurse_cedar, "view") == {on_willow.pk, on_cedar.pk}
    assert _seen(nurse, "view") == _granted(nurse, "view") == {on_willow.pk}
    assert _seen(peer, "panel") == _granted(peer, "panel") == {on_willow.pk}
    assert _seen(sam.user, "contribute") == _granted(sam.user, "contribute") == {on_willow.pk}
    for user in (manager, lead, lou.user):
        for perm in ("view", "change", "close", "contribute"):
            assert _seen(user, perm) == _granted(user, perm), (user, perm)


def test_the_home_panel_shows_a_review_granted_on_another_ward(
    client, sam, willow, nurse, nurse_cedar, manager
):
    review = submit_incident(sam, willow, nurse, ended_hours_ago=100).review  # overdue
    client.force_login(nurse)
    assert review.get_absolute_url() in client.get(reverse("home")).text
    client.force_login(nurse_cedar)
    assert review.get_absolute_url() not in client.get(reverse("home")).text
    permissions.grant(["view", "change"], to=nurse_cedar, obj=review, by=manager, reason="facilitating")
    assert review.get_absolute_url() in client.get(reverse("home")).text
    assert list(reviews_visible_to(nurse_cedar)) == [review]


def test_the_migration_gives_earlier_versions_their_ward(sam, willow, nurse):
    review = submit_incident(sam, willow, nurse).review
    History = apps.get_model("reviews", "HistoricalReview")
    History.objects.update(ward=None)
    migration = importlib.import_module("incidents.reviews.migrations.0003_review_ward")
    migration.copy_wards(apps, None)
    assert set(History.objects.filter(id=review.pk).values_list("ward_id", flat=True)) == {willow.pk}


def test_the_review_panel_link_shows_only_to_someone_on_the_panel(client, sam, willow, nurse, lead, peer):
    review = submit_incident(sam, willow, nurse).review
    link = "Review panel: closed reviews without names"
    for user in (nurse, lead, peer):
        client.force_login(user)
        assert link not in client.get(reverse("reviews:list")).text, user
    # Closing a review shares it with the division's review panel (reviews.services.review_close).
    permissions.grant(["panel"], to=willow.division.peers_group, obj=review, by=nurse, reason="closed")
    client.force_login(peer)
    assert link in client.get(reverse("reviews:list")).text
    assert permissions.holds_any(peer, "panel", Review)
    assert not permissions.holds_any(lead, "panel", Review)
    assert not permissions.holds_any(AnonymousUser(), "panel", Review)


def test_reviews_list_counts_and_pages_read_from_the_users_wards(
    client, sam, kai, lou, willow, cedar, nurse, nurse_cedar, manager
):
    mine = [
        submit_incident(kai if n % 2 else sam, willow, nurse, ended_hours_ago=3 + n).review for n in range(27)
    ]
    theirs = submit_incident(lou, cedar, nurse_cedar).review
    # One review on Cedar granted to the Willow nurse alone: counted from two sources of grants.
    permissions.grant(["view", "change"], to=nurse, obj=theirs, by=manager, reason="facilitating")
    client.force_login(nurse)
    first = client.get(reverse("reviews:list")).text
    second = client.get(reverse("reviews:list") + "?page=2").text
    assert "Reviews (28)" in first and "Reviews (28)" in second
    listed = [r for r in [*mine, theirs] if r.get_absolute_url() in first + second]
    assert len(listed) == 28
    filtered = client.get(reverse("reviews:list"), {"ward": willow.pk}).text
    assert "Reviews (27)" in filtered and theirs.get_absolute_url() not in filtered


def test_the_api_pages_through_every_review_once_in_due_order(
    sam, kai, lou, willow, cedar, nurse, nurse_cedar, manager
):
    from rest_framework.test import APIClient

    mine = [
        submit_incident(kai if n % 2 else sam, willow, nurse, ended_hours_ago=3 + n).review for n in range(12)
    ]
    theirs = submit_incident(lou, cedar, nurse_cedar, ended_hours_ago=7.5).review
    permissions.grant(["view", "change"], to=nurse, obj=theirs, by=manager, reason="facilitating")
    api = APIClient()
    api.force_authenticate(nurse)
    seen, url = [], "/api/v1/post-incident-reviews/?page_size=5"
    while url:
        body = api.get(url).json()
        assert body["count"] == 13
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    expected = sorted([*mine, theirs], key=lambda review: (review.due_at, review.pk))
    assert seen == [review.pk for review in expected]
    filtered = api.get("/api/v1/post-incident-reviews/", {"ward": cedar.pk})
    assert filtered.status_code == 400  # not one of the nurse's wards: said, not silently widened
