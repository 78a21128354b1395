"""rrp.bulk: derived work put off to the end of a burst of writes runs once, or not at all on error."""

import pytest

from rrp import bulk


def test_outside_a_burst_nothing_is_put_off():
    assert not bulk.active()
    assert bulk.later("key", lambda: None) is False


def test_each_key_runs_once_at_the_end_of_the_outermost_block():
    ran = []
    with bulk.deferred():
        with bulk.deferred():
            assert bulk.later("a", lambda: ran.append("a"))
            bulk.later("a", lambda: ran.append("a again"))
        assert ran == []  # the inner block's end is not the end of the burst
        bulk.later("b", lambda: ran.append("b"))
    assert sorted(ran) == ["a", "b"]
    assert not bulk.active()


def test_work_added_by_a_callback_runs_too():
    ran = []
    with bulk.deferred():
        bulk.later(
            "first", lambda: bulk.later("second", lambda: ran.append("second")) and ran.append("first")
        )
    assert sorted(ran) == ["first", "second"]


def test_an_error_drops_the_work():
    ran = []
    with pytest.raises(ValueError), bulk.deferred():
        bulk.later("a", lambda: ran.append("a"))
        raise ValueError("the writes failed")
    assert ran == []
    assert not bulk.active()
    with bulk.deferred():
        pass
    assert ran == []


@bulk.deferred()
def _decorated(ran):
    before = len(ran)
    bulk.later("x", lambda: ran.append("x"))
    assert len(ran) == before  # not yet: at the end of the call


def test_it_works_as_a_decorator():
    ran = []
    _decorated(ran)
    _decorated(ran)
    assert ran == ["x", "x"]


def test_a_failing_callback_ends_the_burst_all_the_same():
    def fail():
        raise RuntimeError("derived work failed")

    with pytest.raises(RuntimeError), bulk.deferred():
        bulk.later("a", fail)
    assert not bulk.active()
