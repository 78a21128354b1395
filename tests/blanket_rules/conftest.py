import datetime

import pytest
from django.utils import timezone

from blanket_rules import services


def propose(by, wards=(), **overrides):
    fields = {
        "title": "Kitchen locked at night",
        "category": "food_drink",
        "description": "The kitchen is locked from 11pm to 7am.",
        "risks": "Knives and hot water unsupervised at night.",
        "why_not_individual": "Only two staff at night cannot supervise the kitchen.",
        "policy_reference": "Ward security policy 4.2",
        "equality_impact": "People on medication that makes them hungry at night are affected more.",
    }
    fields.update(overrides)
    return services.rule_propose(by=by, wards=wards, **fields)


def authorise(rule, by, **overrides):
    fields = {
        "authorising_body": "Ward governance meeting",
        "patients_told_how": "Community meeting and a poster",
        "patients_told_on": timezone.localdate(),
        "next_review_date": timezone.localdate() + datetime.timedelta(days=90),
    }
    fields.update(overrides)
    return services.rule_authorise(rule=rule, by=by, version=rule.version, **fields)


@pytest.fixture
def proposed_rule(nurse, manager, willow):
    return propose(nurse, [willow])


@pytest.fixture
def rule(proposed_rule, manager):
    return authorise(proposed_rule, manager)


@pytest.fixture
def oak_rule(org, admin):
    from tests.conftest import make_staff

    gus = make_staff("manager.gus", "ward_manager", [org["oak"]], title="Ward manager")
    rule = propose(gus, [org["oak"]], title="No phones after 10pm", category="phones_internet")
    return authorise(rule, gus)


@pytest.fixture
def challenge(rule, sam):
    return services.challenge_create(
        rule=rule,
        by=sam.user,
        service_user=sam,
        in_own_words="I get hungry at night because of my medication.",
        would_like_instead="A snack cupboard that is always open.",
        withhold_name=True,
    )
