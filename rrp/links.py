"""Links to records for pages that link to many of them.

`reverse()` matches its result against the URL pattern again to check it, about 70 microseconds a
call: a list page linking 25 records spent nearly 2 ms on it. For a view whose one argument is an
integer (`<int:pk>`), any integer gives a valid link, so the link is reversed once and the
number put in.
"""

from functools import cache

from django.urls import get_script_prefix, get_urlconf, reverse

_PLACEHOLDER = 9_876_543_210_123


@cache
def _halves(view_name: str, prefix: str, urlconf) -> tuple[str, str]:
    url = reverse(view_name, args=[_PLACEHOLDER], urlconf=urlconf)
    before, found, after = url.partition(str(_PLACEHOLDER))
    if not found or str(_PLACEHOLDER) in after:
        raise ValueError(f"{view_name} does not take one integer argument")
    return before, after


def record_url(view_name: str, pk: int) -> str:
    """`reverse(view_name, args=[pk])` for a view taking one integer, reversed once per view."""
    before, after = _halves(view_name, get_script_prefix(), get_urlconf())
    return f"{before}{int(pk)}{after}"


@cache
def _url(view_name: str, prefix: str, urlconf) -> str:
    return reverse(view_name, urlconf=urlconf)


def url(view_name: str) -> str:
    """`reverse(view_name)` for a view taking no arguments, reversed once per view: the menu's
    links are on every page (ten reversals cost a page with no records about a tenth of its time)."""
    return _url(view_name, get_script_prefix(), get_urlconf())
