import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from rrp.models import Division
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


def fields(obj):
    return {field.attname: getattr(obj, field.attname) for field in type(obj)._meta.concrete_fields}


@pytest.mark.parametrize("who", ["lead", "manager", "nurse", "nurse_cedar", "peer", "admin"])
def test_the_wards_read_once_are_the_querysets_wards_with_their_divisions(request, who, willow, oak, cedar):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from trends.filters import TrendFilter
    from trends.permissions import trend_wards

    user = request.getfixturevalue(who)
    expected = list(wards_for_trends(user))
    read = trend_wards(user)
    assert [fields(ward) for ward in read] == [fields(ward) for ward in expected]
    assert [fields(ward.division) for ward in read] == [fields(ward.division) for ward in expected]
    web = RequestFactory().get("/")
    web.user = user
    form = TrendFilter({}, queryset=wards_for_trends(user), request=web).form
    with CaptureQueriesContext(connection) as captured:  # read already, for this request's user
        wards = [label for _value, label in form.fields["ward"].choices][1:]
        divisions = [label for _value, label in form.fields["division"].choices][1:]
    assert not captured.captured_queries
    assert wards == [ward.name for ward in expected]
    in_db = Division.objects.filter(wards__in=wards_for_trends(user)).distinct().order_by("name")
    assert divisions == [division.name for division in in_db]
