import pytest
from django.core.management import call_command

from incidents.reviews.models import Account, Review, ReviewAction
from rrp.demo import Cast

pytestmark = pytest.mark.django_db


def test_demo_has_reviews_in_every_state_and_is_idempotent():
    call_command("seed_demo", verbosity=0)
    counts = Review.objects.count(), Account.objects.count(), ReviewAction.objects.count()
    assert Review.objects.closed().filter(participation="declined").exists()
    assert Review.objects.open().exists()
    assert Account.objects.filter(kind="person", author__username="sam", review__status="open").exists()
    assert Review.objects.filter(person_agreement="disagreed").exists()
    lifted = Cast().willow_rule_lifted.date()
    willow_rule_actions = ReviewAction.objects.filter(
        kind="blanket_rule", review__incident__ward__name="Willow"
    )
    assert willow_rule_actions.count() >= 2
    assert all(a.completed_at.date() == lifted for a in willow_rule_actions)
    call_command("seed_demo", verbosity=0)
    assert (Review.objects.count(), Account.objects.count(), ReviewAction.objects.count()) == counts
