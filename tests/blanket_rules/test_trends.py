import datetime

import pytest
from django.utils import timezone

from blanket_rules import services, trends
from tests.blanket_rules.conftest import authorise, propose

pytestmark = pytest.mark.django_db


def _month(day):
    return day.replace(day=1)


def test_lifting_a_rule_is_an_annotation_on_its_wards(rule, manager, willow, oak):
    services.rule_lift(rule=rule, by=manager, version=rule.version, reason="Not needed")
    today = timezone.localdate()
    notes = trends.annotations([willow, oak], today - datetime.timedelta(days=5), today)
    assert notes == [
        {"ward_id": willow.pk, "date": today, "label": "Blanket rule lifted: Kitchen locked at night"}
    ]
    assert trends.annotations([oak], today - datetime.timedelta(days=5), today) == []
    assert (
        trends.annotations(
            willow.division, today - datetime.timedelta(days=50), today - datetime.timedelta(days=1)
        )
        == []
    )


def test_active_counts_per_ward_and_month_for_a_division(rule, oak_rule, manager, willow, oak, org):
    month = _month(timezone.localdate())
    last_year = _month(month - datetime.timedelta(days=365))
    counts = trends.active_counts(org["forensic"], [month, last_year])
    assert counts[(willow.pk, month)] == 1
    assert counts[(oak.pk, month)] == 1
    assert counts[(willow.pk, last_year)] == 0
    division_rule = authorise(
        propose(manager, division=org["forensic"], title="Searches after leave", category="searches"), manager
    )
    assert list(division_rule.wards.order_by("pk")) == [willow, oak]
    counts = trends.active_counts([willow], [month])
    assert counts == {(willow.pk, month): 2}


def test_a_rule_lifted_this_month_still_counts_this_month(rule, manager, willow):
    services.rule_lift(rule=rule, by=manager, version=rule.version, reason="r")
    month = _month(timezone.localdate())
    assert trends.active_counts(willow, [month]) == {(willow.pk, month): 1}
