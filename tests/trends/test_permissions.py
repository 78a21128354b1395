import pytest
from django.contrib.auth.models import AnonymousUser

from trends.permissions import wards_for_trends

pytestmark = pytest.mark.django_db


def names(user):
    return [w.name for w in wards_for_trends(user)]


def test_recovery_lead_sees_their_division_ward_by_ward(lead, willow, oak, cedar):
    assert names(lead) == ["Oak", "Willow"]


def test_ward_manager_and_ward_staff_see_their_own_ward(manager, nurse, nurse_cedar, willow, oak):
    assert names(manager) == ["Willow"]
    assert names(nurse) == ["Willow"]
    assert names(nurse_cedar) == ["Cedar"]


def test_nobody_else_sees_any_ward(sam, carer, peer, admin, willow):
    for user in (sam.user, carer, peer, admin, AnonymousUser()):
        assert names(user) == []
