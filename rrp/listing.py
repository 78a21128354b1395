"""How a page of a permission-checked list is read: the same way for the incident list page and
the API's list, a page of reviews (narrowed to the user's wards as incidents are), and the people
list and its API.

A list is counted, and its page's ids picked, from the listed model alone (filter, sort, slice);
only then are those rows read with what the page shows of them. Joining person and ward to every
visible incident before sorting cost a ward nurse (10,000 visible incidents at a million) about
50 ms; picking the page's ids first costs about half that (benchmarks/README.md).

Which rows to read the ids from depends on where the page starts and on the filters, so that no
page builds or runs a way of reading the list it does not use:
- pages starting before row PROBE_ROWS check each row read against the user's grants
  (`Listing.first_rows`), which stops as soon as the page is full; with no filter but the
  sorting, by a statement compiled once for the sorting (`first_ids`);
- later pages, and counting a filtered list, read the user's wards' incidents with no grant
  check when every one of them is granted to the user (`Listing.every_row`), and check the
  grants of all of them otherwise (`Listing.rows`);
- an unfiltered list is counted from the user's grants (`Listing.count`).
"""

from collections.abc import Callable

import django_filters
from django.db.models import QuerySet

from rrp import permissions, statements
from rrp.filters import narrows
from rrp.permissions import Listing, listing

PROBE_ROWS = 1000


class PageRows:
    """A list as Django's Paginator reads it: `count()`, and the ids of a slice, each read the way
    that suits it (`rows_from(start)` gives the queryset to read the slice starting at `start`)."""

    def __init__(self, count: int, rows_from: Callable[[int], QuerySet], first_ids=None):
        self._count, self._rows_from, self._first_ids = count, rows_from, first_ids

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, part: slice) -> list[int]:
        start = part.start or 0
        if part.stop is not None and part.stop <= start:
            return []  # an empty list's only page: nothing to read
        if self._first_ids is not None and start < PROBE_ROWS and part.stop is not None:
            ids = self._first_ids(start, part.stop)
            if ids is not None:
                return ids
        ids = self._rows_from(start).prefetch_related(None).values_list("pk", flat=True)
        return list(ids[part])


def page_rows(filterset, listed: Listing) -> PageRows:
    """The rows of `listed` (for example incidents_listed_for) that pass the valid `filterset`."""
    narrowed = narrows(filterset)
    if narrowed and listed.every_row is not None:
        rows = filterset.filter_queryset(listed.every_row)
        return PageRows(rows.count(), lambda start: rows)

    def rows_from(start: int) -> QuerySet:
        if start < PROBE_ROWS:
            return filterset.filter_queryset(listed.first_rows)
        if not narrowed and listed.every_row is not None:
            return filterset.filter_queryset(listed.every_row)
        return filterset.filter_queryset(listed.rows)

    count = None if narrowed else listed.count
    if count is None:
        count = filterset.filter_queryset(listed.rows).count()
    if narrowed or not isinstance(listed, Listing):
        return PageRows(count, rows_from)
    return PageRows(count, rows_from, lambda start, stop: first_ids(filterset, listed, start, stop))


def first_ids(filterset, listed: Listing, start: int, stop: int) -> list[int] | None:
    """The ids of rows `start` to `stop` of a list with no filter but its sorting, read as
    `Listing.first_rows` reads them, by a statement compiled once for each sorting
    (rrp.statements.values). None for a list of some rows of a model only (its queryset
    filtered), which is read the usual way.

    Building the permission filter and the sorting and compiling them took longer than running
    the statement: about 1.5 ms of a ward nurse's first page of 17 (benchmarks/README.md,
    change 50)."""
    queryset, model = listed.queryset, listed.queryset.model
    query = queryset.query
    if (
        query.where
        or query.annotations
        or query.distinct
        or query.is_sliced
        or query.extra
        or query.combinator
    ):
        return None
    args = permissions.visible_args(listed.user, listed.perm, model)
    if args is None:
        return None
    sorting = [
        (name, value)
        for name, value in filterset.form.cleaned_data.items()
        if isinstance(filterset.filters.get(name), django_filters.OrderingFilter)
    ]
    key = f"first_ids:{model._meta.label}:{listed.perm}:{type(filterset).__qualname__}"
    key += f":{sorting}:{query.order_by}"

    def build(user_id, permission_id, groups, narrowing=None):
        rows = permissions.visible_from(queryset, user_id, permission_id, groups, narrowing, probe_each=True)
        return filterset.filter_queryset(rows).prefetch_related(None).values_list("pk")

    rows = statements.values(model, key, build, *args, limit=stop - start, offset=start)
    return [pk for (pk,) in rows]


def with_rows(ids: list[int], queryset: QuerySet) -> list:
    """The rows of `queryset` with these ids, in the ids' order (one query, plus its prefetches)."""
    rows = queryset.in_bulk(ids)
    return [rows[pk] for pk in ids if pk in rows]


class ListedPages:
    """For an API viewset (`rrp.api.ScopedViewSet`) whose list pages are read as the list pages of
    the site read theirs: each page's ids (`page_rows`), then those rows (`page_read`: by default
    from the viewset's queryset, `with_rows`), then `page_loaded`. One query more than reading the
    rows, whatever the page size, and no way of reading the list built that the page does not use.
    Needs a filter set (`filterset_class` or `filterset_fields`: `StrictFilterBackend` keeps it on
    the view)."""

    def get_queryset(self):
        if self.action != "list":
            return super().get_queryset()
        self.listed = listing(self.request.user, self.view_perm, self.queryset.all())
        # The page is read from `self.listed` (paginate_queryset): this queryset only gives the
        # filters their model. No rows, so that nothing could ever be answered from it unchecked;
        # building the permission filter here for nothing took about 1 ms of a page of 10.
        return self.listed.queryset.none()

    def paginate_queryset(self, queryset):
        ids = super().paginate_queryset(page_rows(self.filterset, self.listed))
        return None if ids is None else self.page_loaded(self.page_read(ids))

    def page_read(self, ids: list[int]) -> list:
        """The rows with these ids, in their order: by default from the viewset's queryset."""
        return with_rows(ids, self.queryset)

    def page_loaded(self, rows: list) -> list:
        """The page's rows, for a subclass to read more about in bulk."""
        return rows
