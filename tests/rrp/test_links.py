"""rrp.links.record_url gives what reverse() gives, reversing each view once."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from rrp.links import record_url


@pytest.mark.parametrize("pk", [1, 7, 10, 99, 123_456_789])
@pytest.mark.parametrize("view", ["incidents:detail", "incidents:statutory", "service_user_detail"])
def test_the_same_link_as_reverse(view, pk):
    assert record_url(view, pk) == reverse(view, args=[pk])


def test_a_site_under_a_path_keeps_its_prefix():
    try:
        set_script_prefix("/rrp/")
        assert record_url("incidents:detail", 42) == reverse("incidents:detail", args=[42])
        assert record_url("incidents:detail", 42).startswith("/rrp/")
    finally:
        set_script_prefix("/")
    assert record_url("incidents:detail", 42) == reverse("incidents:detail", args=[42])


def test_views_without_one_integer_argument_are_refused():
    with pytest.raises(NoReverseMatch):
        record_url("incidents:list", 1)
