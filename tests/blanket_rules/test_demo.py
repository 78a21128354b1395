import pytest
from django.core.management import call_command

from blanket_rules.models import BlanketRule, BlanketRuleReview, Challenge
from rrp.demo import Cast
from rrp.models import Ward, local_date

pytestmark = pytest.mark.django_db


def test_demo_seeds_the_story_and_is_idempotent(settings):
    call_command("seed_demo")
    counts = (BlanketRule.objects.count(), Challenge.objects.count(), BlanketRuleReview.objects.count())
    call_command("seed_demo")
    assert (
        BlanketRule.objects.count(),
        Challenge.objects.count(),
        BlanketRuleReview.objects.count(),
    ) == counts
    for ward in Ward.objects.all():
        assert BlanketRule.objects.in_force().filter(wards=ward).exists(), ward
    lifted = BlanketRule.objects.get(status="lifted")
    assert lifted.wards.get().name == "Willow"
    assert local_date(lifted.lifted_at) == local_date(Cast().willow_rule_lifted)
    raisers = {c.raised_by.username for c in lifted.challenges.all()}
    assert raisers == {"sam", "peer.jo"}
    assert Challenge.objects.awaiting_decision().exists()
    assert BlanketRuleReview.objects.overdue().filter(rule__status__in=BlanketRule.IN_FORCE_STATUSES).exists()
