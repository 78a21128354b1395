"""What `manage.py seed_demo` leaves behind, checked on one seeded demo.

Seeding the whole demo takes a minute or two, so it runs once here rather than once per app's
test. Each check is a subtest (reported, and failing, on its own) inside a savepoint that is rolled
back, so a check that seeds again or adds volume never changes what the next check sees.
"""

import contextlib
import datetime
import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction

from blanket_rules.models import BlanketRule, BlanketRuleReview, Challenge
from incidents.models import Incident, Intervention
from incidents.reviews.models import Account, Review, ReviewAction
from rrp import permissions
from rrp import scale as rrp_scale
from rrp.demo import Cast
from rrp.models import Admission, CarerLink, PermissionEvent, ServiceUser, StaffProfile, Ward, local_date


def seed_demo(**options):
    call_command("seed_demo", verbosity=0, stdout=io.StringIO(), **options)


def personas_exist_once():
    counts = (
        User.objects.count(),
        ServiceUser.objects.count(),
        Admission.objects.count(),
        PermissionEvent.objects.count(),
    )
    seed_demo()
    assert (
        User.objects.count(),
        ServiceUser.objects.count(),
        Admission.objects.count(),
        PermissionEvent.objects.count(),
    ) == counts
    for username in [
        "admin",
        "nurse.ash",
        "nurse.bea",
        "manager.cal",
        "lead.dee",
        "peer.jo",
        "sam",
        "kai",
        "lou",
        "carer.pat",
    ]:
        assert User.objects.filter(username=username).exists(), username
    assert User.objects.get(username="nurse.ash").check_password("rrp-demo-2026")
    assert StaffProfile.objects.get(user__username="manager.cal").role == "ward_manager"
    kai = ServiceUser.objects.get(user__username="kai")
    assert kai.current_ward.name == "Oak"
    assert kai.admissions.filter(ward__name="Willow", ended_by_transfer=True).exists()
    link = CarerLink.objects.get(carer__username="carer.pat")
    assert link.service_user.user.username == "sam" and link.shares_safety_plan and link.shares_ward_rounds
    ash = User.objects.get(username="nurse.ash")
    assert permissions.has(ash, "view", ServiceUser.objects.get(user__username="sam"))
    assert not permissions.has(ash, "view", kai)


def incidents_are_realistic_and_show_the_fall_on_willow():
    total = Incident.objects.count()
    assert 200 <= total <= 600
    seed_demo()
    assert Incident.objects.count() == total  # idempotent
    seed_demo(scale=3)
    assert Incident.objects.count() == total + 3
    total += 3

    cast = Cast()
    lifted = cast.willow_rule_lifted
    # Only the demo's own two years: --scale spreads its volume over a longer span.
    willow = Incident.objects.counted().filter(ward__name="Willow", started_at__gte=cast.start)
    first = cast.start
    before = willow.filter(started_at__lt=lifted).count() / ((lifted - first).days / 30)
    after = willow.filter(started_at__gte=lifted).count() / ((cast.now - lifted).days / 30)
    assert after < 0.7 * before

    assert Incident.objects.filter(status="draft").count() >= 3
    assert Incident.objects.filter(status="signed_off").count() > total / 2
    assert Incident.objects.filter(entered_in_error_at__isnull=False).count() == 1
    assert Intervention.objects.filter(type_code="01").exclude(prone_reason="").exists()
    assert not Intervention.objects.filter(type_code="01", prone_reason="").exists()
    rapid = Incident.objects.filter(interventions__type_code="14").first()
    assert rapid.observations.count() >= 2

    kai = ServiceUser.objects.get(user__username="kai")
    transfer = kai.admissions.get(ended_by_transfer=True).end
    assert not kai.incidents.filter(ward__name="Oak", started_at__lt=transfer).exists()
    assert not kai.incidents.filter(ward__name="Willow", started_at__gte=transfer).exists()
    sam = ServiceUser.objects.get(user__username="sam")
    submitted = sam.incidents.exclude(status="draft").first()
    assert permissions.has(sam.user, "view", submitted)
    # The record's history says when it happened, not when the demo ran.
    assert submitted.history.earliest().history_date < submitted.started_at + datetime.timedelta(days=1)


def reviews_are_in_every_state_once():
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
    seed_demo()
    assert (Review.objects.count(), Account.objects.count(), ReviewAction.objects.count()) == counts


def blanket_rules_tell_the_story_once():
    counts = (BlanketRule.objects.count(), Challenge.objects.count(), BlanketRuleReview.objects.count())
    seed_demo()
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


def scale_reports_what_it_added():
    out = io.StringIO()
    call_command("seed_demo", scale=25, stdout=out)
    text = out.getvalue()
    assert "added 1 divisions, 1 wards" in text
    assert "added 25 incidents" in text
    assert Incident.objects.filter(ward__name=rrp_scale.ward_name(1)).count() == 25
    out = io.StringIO()
    call_command("seed_demo", scale=25, stdout=out)
    assert "nothing added" in out.getvalue()


CHECKS = [
    personas_exist_once,
    incidents_are_realistic_and_show_the_fall_on_willow,
    reviews_are_in_every_state_once,
    blanket_rules_tell_the_story_once,
    scale_reports_what_it_added,
]


@contextlib.contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_seeded_demo(subtests):
    seed_demo()
    for check in CHECKS:
        with subtests.test(check.__name__), rolled_back():
            check()
