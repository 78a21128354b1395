import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.reviews import services
from incidents.reviews.models import Account, Review
from tests.conftest import make_staff

from .conftest import submit_incident
from .test_services import _complete

pytestmark = pytest.mark.django_db


def url(name, review, *args):
    return reverse(f"reviews:{name}", args=[review.pk, *args])


@pytest.mark.parametrize("who", ["outsider", "nurse_cedar", "lou", "kai", "carer", "peer"])
def test_people_outside_the_review_get_404(client, request, review, who):
    user = request.getfixturevalue(who)
    client.force_login(getattr(user, "user", None) or user)
    assert client.get(url("detail", review)).status_code == 404
    assert client.get(url("account_person", review)).status_code == 404
    assert client.get(reverse("reviews:list")).status_code == 200
    assert "Lounge" not in client.get(reverse("reviews:list")).text


def test_anonymous_visitor_is_sent_to_sign_in(client, review):
    response = client.get(url("detail", review))
    assert response.status_code == 302 and "login" in response.url


@pytest.mark.parametrize("who", ["nurse", "manager", "lead", "sam"])
def test_team_lead_and_the_person_can_see_the_review(client, request, review, who):
    user = request.getfixturevalue(who)
    client.force_login(getattr(user, "user", None) or user)
    assert client.get(url("detail", review)).status_code == 200


def test_staff_cannot_open_or_post_the_persons_account(client, review, nurse, manager):
    for user in (nurse, manager):
        client.force_login(user)
        assert client.get(url("account_person", review)).status_code == 403
        response = client.post(
            url("account_person", review), {"what_happened": "Written for him", "share": "1"}
        )
        assert response.status_code == 403
    assert not review.accounts.exists()


def test_recovery_lead_views_but_cannot_write(client, review, lead):
    client.force_login(lead)
    assert client.get(url("account_staff", review)).status_code == 403
    assert client.post(url("pathway_add", review), {"phase": "before", "text": "x"}).status_code == 403


def test_sam_saves_a_draft_then_shares_and_sees_how_it_changed(client, review, sam, nurse):
    client.force_login(sam.user)
    page = client.get(url("account_person", review))
    assert "Tell us what happened from your side" in page.text
    client.post(url("account_person", review), {"what_happened": "I was scared", "draft": "1"})
    client.force_login(nurse)
    assert "I was scared" not in client.get(url("detail", review)).text
    client.force_login(sam.user)
    client.post(
        url("account_person", review),
        {"what_happened": "I was scared and alone", "version": "1", "share": "1"},
    )
    client.force_login(nurse)
    assert "I was scared and alone" in client.get(url("detail", review)).text
    client.force_login(sam.user)
    account = review.accounts.get(kind="person")
    history = client.get(url("account_history", review, account.pk)).text
    assert "I was scared and alone" in history and "I was scared</p>" in history


def test_stale_save_shows_both_versions_and_saves_nothing(client, review, sam, peer):
    services.account_save(review=review, by=sam.user, kind="person", what_happened="Original")
    services.supporter_invite(review=review, supporter=peer, by=sam.user)
    services.account_save(review=review, by=peer, kind="person", what_happened="Peer's text", version=1)
    client.force_login(sam.user)
    response = client.post(url("account_person", review), {"what_happened": "Sam's text", "version": "1"})
    assert response.status_code == 200
    assert "Someone else changed this account" in response.text
    assert "Peer&#x27;s text" in response.text and "Sam&#x27;s text" in response.text
    assert Account.objects.get(review=review).what_happened == "Peer's text"


def test_the_person_sees_staff_job_titles_not_names(client, review, sam, nurse):
    nurse.first_name, nurse.last_name = "Ashley", "Patelson"
    nurse.save()
    services.account_save(review=review, by=nurse, kind="staff", what_happened="Staff view", share=True)
    services.pathway_add(review=review, by=nurse, phase="before", text="Quiet ward")
    client.force_login(sam.user)
    page = client.get(url("detail", review)).text
    assert "Staff view" in page and "Registered nurse" in page
    assert "Patelson" not in page and "Ashley" not in page
    client.force_login(nurse)
    assert "Patelson" in client.get(url("detail", review)).text


def test_decline_path_through_the_pages(client, review, sam):
    client.force_login(sam.user)
    response = client.post(url("participation", review), {"participation": "declined", "reason": ""})
    assert "Say why you do not want to take part" in response.text
    client.post(url("participation", review), {"participation": "declined", "reason": "Too soon for me"})
    review.refresh_from_db()
    assert review.participation == Review.Participation.DECLINED
    assert "Too soon for me" in client.get(url("detail", review)).text


def test_closing_with_parts_missing_shows_the_list(client, review, manager):
    client.force_login(manager)
    response = client.post(url("close", review), follow=True)
    assert "The review cannot close yet" in response.text
    assert "Record the immediate debrief." in response.text
    review.refresh_from_db()
    assert review.status == "open"


def test_only_the_ward_manager_closes(client, review, sam, nurse, manager):
    _complete(review, sam, nurse, manager)
    client.force_login(nurse)
    assert client.post(url("close", review)).status_code == 403
    client.force_login(sam.user)
    assert client.post(url("close", review)).status_code == 403
    assert client.get(url("close", review)).status_code == 405
    client.force_login(manager)
    client.post(url("close", review))
    review.refresh_from_db()
    assert review.status == "closed" and review.held_with_service_user


def test_blanket_rule_action_page(client, review, nurse):
    client.force_login(nurse)
    response = client.post(
        url("action_create", review),
        {
            "kind": "blanket_rule",
            "description": "Kitchen locked at night for everyone",
            "owner": nurse.pk,
            "due_date": (timezone.localdate() + datetime.timedelta(days=14)).isoformat(),
        },
    )
    action = review.actions.get()
    assert response.status_code == 302 and response.url == action.get_absolute_url()
    page = client.get(action.get_absolute_url())
    assert page.status_code == 200 and "Kitchen locked at night" in page.text


def test_action_of_another_wards_review_is_404(client, review, nurse, nurse_cedar):
    action = services.action_create(
        review=review, by=nurse, kind="other", description="x", owner=nurse, due_date=timezone.localdate()
    )
    client.force_login(nurse_cedar)
    assert client.get(action.get_absolute_url()).status_code == 404


def test_stale_action_update_is_refused(client, review, nurse):
    action = services.action_create(
        review=review, by=nurse, kind="other", description="x", owner=nurse, due_date=timezone.localdate()
    )
    services.action_update(action=action, by=nurse, version=1, outcome="Theirs")
    client.force_login(nurse)
    response = client.post(
        reverse("reviews:action_update", args=[action.pk]),
        {"status": "done", "outcome": "Mine", "due_date": timezone.localdate().isoformat(), "version": "1"},
    )
    assert "Someone else changed this action" in response.text
    assert "Theirs" in response.text and "Mine" in response.text
    action.refresh_from_db()
    assert action.outcome == "Theirs" and action.status == "open"


def test_invited_peer_helps_write_and_sees_incident_access(client, review, sam, peer):
    client.force_login(sam.user)
    client.post(url("supporter", review), {"supporter": peer.pk})
    client.force_login(peer)
    assert client.get(url("detail", review)).status_code == 200
    client.post(url("account_person", review), {"what_happened": "Sam said it felt unfair", "share": "1"})
    account = review.accounts.get(kind="person")
    assert account.written_with_support
    client.force_login(sam.user)
    client.post(url("supporter", review), {"withdraw": "1"})
    client.force_login(peer)
    assert client.get(url("detail", review)).status_code == 404


def test_panel_sees_closed_reviews_without_names(client, sam, willow, nurse, manager, peer, lead):
    sam.given_name, sam.family_name = "Samwise", "Gamgee"
    sam.save()
    incident = submit_incident(sam, willow, nurse, staff=[nurse], ended_hours_ago=24 * 40)
    review = incident.review
    nurse.first_name, nurse.last_name = "Ashford", "Pinkerton"
    nurse.save()
    manager.first_name, manager.last_name = "Calloway", "Mortimer"
    manager.save()
    _complete(review, sam, nurse, manager)
    services.pathway_add(
        review=review, by=nurse, phase="tried", text="Ashford Pinkerton offered Samwise a walk"
    )
    services.learning_add(review=review, by=sam.user, text=f"Samwise Gamgee {sam.nhs_number} needs space")
    services.review_close(review=review, by=manager)
    client.force_login(peer)
    assert client.get(url("detail", review)).status_code == 404
    listing = client.get(reverse("reviews:panel_list")).text
    detail = client.get(reverse("reviews:panel_detail", args=[review.pk])).text
    started = timezone.localtime(incident.started_at)
    for page in (listing, detail):
        for secret in (
            "Samwise",
            "Gamgee",
            "Ashford",
            "Pinkerton",
            sam.nhs_number,
            "Calloway",
            "Mortimer",
            "manager.cal",
            "nurse.ash",
        ):
            assert secret.lower() not in page.lower()
        assert f"{started:%B %Y}" in page
    assert "offered [name removed] a walk" in detail
    assert f"{started:%-d %B %Y}" not in detail
    response = client.post(
        reverse("reviews:panel_detail", args=[review.pk]), {"text": "Offer the garden sooner"}
    )
    assert response.status_code == 302
    assert review.panel_learning.get().text == "Offer the garden sooner"
    client.force_login(lead)
    assert client.get(reverse("reviews:panel_detail", args=[review.pk])).status_code == 404


def test_panel_does_not_see_open_reviews_or_other_divisions(client, review, cedar, lou, nurse_cedar, peer):
    client.force_login(peer)
    assert client.get(reverse("reviews:panel_detail", args=[review.pk])).status_code == 404


def test_list_filters_and_shows_overdue(client, sam, willow, nurse):
    old = submit_incident(sam, willow, nurse, ended_hours_ago=100)
    submit_incident(sam, willow, nurse, ended_hours_ago=1)
    client.force_login(nurse)
    page = client.get(reverse("reviews:list") + "?overdue=true")
    assert page.status_code == 200
    assert page.text.count('nhsuk-tag--red">Overdue') == 1
    assert old.review.get_absolute_url() in page.text
    bad = client.get(reverse("reviews:list") + "?ward=nope")
    assert "There is a problem" in bad.text


def test_new_ward_staff_member_can_write_their_account(client, review, willow):
    newcomer = make_staff("hca.new", "ward_staff", [willow], title="Healthcare assistant")
    client.force_login(newcomer)
    client.post(url("account_staff", review), {"what_happened": "I saw it", "share": "1"})
    assert review.accounts.get(author=newcomer).status == "shared"


def test_stale_summary_save_shows_their_version_and_keeps_yours(client, review, nurse, manager):
    services.summary_save(review=review, by=manager, summary="Cal's summary", version=review.version)
    client.force_login(nurse)
    response = client.post(url("summary", review), {"summary": "Ash's summary", "version": "1"})
    assert "Someone else changed this summary" in response.text
    assert "Cal&#x27;s summary" in response.text and "Ash&#x27;s summary" in response.text
    review.refresh_from_db()
    assert review.summary == "Cal's summary"


def test_supporter_sees_job_titles_and_the_person_sees_their_supporter_by_role(
    client, review, sam, peer, nurse
):
    nurse.first_name, nurse.last_name = "Ashley", "Patelson"
    nurse.save()
    services.supporter_invite(review=review, supporter=peer, by=sam.user)
    services.account_save(review=review, by=nurse, kind="staff", what_happened="Staff view", share=True)
    client.force_login(peer)
    page = client.get(url("detail", review)).text
    assert "Patelson" not in page and "Registered nurse" in page
    client.force_login(sam.user)
    assert "Supporter (peer support worker)" in client.get(url("detail", review)).text


def test_review_list_queries_do_not_grow_with_rows(client, sam, willow, nurse):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    submit_incident(sam, willow, nurse)
    client.force_login(nurse)
    client.get(reverse("reviews:list"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("reviews:list"))
    for _ in range(4):
        submit_incident(sam, willow, nurse)
    with CaptureQueriesContext(connection) as five:
        client.get(reverse("reviews:list"))
    assert len(five) == len(one)
