import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident
from incidents.reviews import services
from incidents.reviews.models import Reminder
from incidents.reviews.trends import review_measures

from .conftest import submit_incident
from .test_services import _complete

pytestmark = pytest.mark.django_db


def _emails(*users):
    for i, user in enumerate(users):
        user.email = f"user{i}@example.nhs.uk"
        user.save()


def test_nav_items_by_role(client, review, nurse, sam, peer, carer):
    client.force_login(nurse)
    assert ">Reviews<" in client.get(reverse("home")).text
    client.force_login(peer)
    assert ">Reviews<" in client.get(reverse("home")).text
    client.force_login(sam.user)
    assert ">My reviews<" in client.get(reverse("home")).text
    client.force_login(carer)
    page = client.get(reverse("home")).text
    assert ">Reviews<" not in page and ">My reviews<" not in page


def test_home_shows_sams_section_to_write_and_the_nurses_due_review(client, review, sam, nurse):
    client.force_login(sam.user)
    page = client.get(reverse("home")).text
    assert "Tell us what happened from your side" in page
    assert review.get_absolute_url() in page
    client.force_login(nurse)
    page = client.get(reverse("home")).text
    assert "Reviews due or overdue" in page and "Your accounts to write" in page
    assert reverse("reviews:account_staff", args=[review.pk]) in page


def test_home_lists_actions_i_own_with_due_dates(client, review, nurse):
    due = timezone.localdate() - datetime.timedelta(days=1)
    services.action_create(
        review=review, by=nurse, kind="other", description="Buy beanbags", owner=nurse, due_date=due
    )
    client.force_login(nurse)
    page = client.get(reverse("home")).text
    assert "Buy beanbags" in page and f"Due {due:%-d %b %Y}" in page


def test_reminders_are_sent_once(sam, willow, nurse, manager):
    _emails(nurse, manager, sam.user)
    incident = submit_incident(sam, willow, nurse, ended_hours_ago=80)
    services.action_create(
        review=incident.review,
        by=nurse,
        kind="other",
        description="x",
        owner=nurse,
        due_date=timezone.localdate(),
    )
    call_command("send_review_reminders")
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == [
        "A post incident review is overdue",
        "A review action you own is due soon",
        "Your review: tell us what happened from your side",
    ]
    assert mail.outbox[0].to
    call_command("send_review_reminders")
    assert len(mail.outbox) == 3
    assert Reminder.objects.count() == 3


def test_no_reminder_for_a_review_not_yet_due(sam, willow, nurse, manager):
    _emails(manager)
    submit_incident(sam, willow, nurse, ended_hours_ago=1)
    call_command("send_review_reminders")
    assert mail.outbox == []


def test_review_measures_by_ward_and_london_month(sam, kai, willow, nurse, manager):
    london = ZoneInfo("Europe/London")
    first = submit_incident(sam, willow, nurse, ended_hours_ago=2)
    # Just after midnight on 1 July in London is still 30 June in UTC: it counts in July.
    july = datetime.datetime(2026, 7, 1, 0, 30, tzinfo=london)
    second = submit_incident(kai, willow, nurse, ended_hours_ago=2)
    second.started_at, second.ended_at = july, july + datetime.timedelta(minutes=10)
    second.save()
    _complete(first.review, sam, nurse, manager)
    services.review_close(review=first.review, by=manager)
    measures = review_measures(Incident.objects.counted())
    this_month = timezone.localtime(first.started_at).date().replace(day=1)
    assert measures[(willow.pk, this_month)] == {"incidents": 1, "with_person": 1, "within_due": 1}
    assert measures[(willow.pk, datetime.date(2026, 7, 1))] == {
        "incidents": 1,
        "with_person": 0,
        "within_due": 0,
    }


def test_persons_page_lists_their_reviews_for_staff_only(client, review, sam, nurse, nurse_cedar):
    client.force_login(nurse)
    page = client.get(reverse("service_user_detail", args=[sam.pk])).text
    assert "Post incident reviews" in page and review.get_absolute_url() in page


def test_review_of_an_incident_entered_in_error_needs_no_attention(client, review, nurse, manager):
    _emails(manager)
    incident = review.incident
    incident.entered_in_error_at = timezone.now()
    incident.entered_in_error_by = manager
    incident.save()
    review.due_at = timezone.now() - datetime.timedelta(hours=1)
    review.save()
    client.force_login(nurse)
    assert review.get_absolute_url() not in client.get(reverse("home")).text
    call_command("send_review_reminders")
    assert mail.outbox == []
