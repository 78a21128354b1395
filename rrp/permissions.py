"""The one place that grants, revokes and checks object permissions.

Every app goes through these functions so that the choices django-guardian leaves open are made
once: model-wide ("global") permissions never widen what a person sees, a superuser has no
clinical access by being a superuser, and every grant or revocation is written to PermissionEvent.
"""

from collections.abc import Callable, Iterable
from functools import cache, cached_property

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import EmptyResultSet, PermissionDenied
from django.db import connections, router
from django.db.models import (
    Exists,
    Expression,
    Func,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.signals import m2m_changed, post_migrate
from django.http import Http404
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm
from guardian.utils import get_group_obj_perms_model as _guardian_group_table
from guardian.utils import get_user_obj_perms_model as _guardian_user_table

from rrp import statements
from rrp.models import PermissionEvent

_generation = [0]

# Per model, a field and the values of it that every row a user could be granted has (see `narrow`).
_narrowers: dict[type[Model], tuple[str, Callable[..., list]]] = {}


@cache
def get_user_obj_perms_model(model):
    """guardian's table of grants to users for `model`, found once per model (guardian looks
    through the model's relations each time: about 0.1 ms of a light page asked it several times)."""
    return _guardian_user_table(model)


@cache
def get_group_obj_perms_model(model):
    """guardian's table of grants to groups for `model`, found once per model."""
    return _guardian_group_table(model)


def _codename(perm: str, obj: Model) -> str:
    """Accept "view" or "incidents.view_incident" and return the full permission name."""
    if "." in perm:
        return perm
    meta = obj._meta
    return f"{meta.app_label}.{perm}_{meta.model_name}"


def _record(action, perms, target, obj, by, reason):
    PermissionEvent.objects.bulk_create(
        PermissionEvent(
            action=action,
            permission=_codename(perm, obj),
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            user=None if isinstance(target, Group) else target,
            group=target if isinstance(target, Group) else None,
            actor=by,
            reason=reason[:200],
        )
        for perm in perms
    )


def _rows(perms: list[str], holder, obj: Model) -> tuple[type[Model], dict, list[int]] | None:
    """For a model with direct foreign-key grant tables: the table for `holder` (a user or group),
    the holder's column and the permission ids; None for guardian's generic tables."""
    model = type(obj)
    if not _direct(model):
        return None
    ids = []
    for perm in perms:
        app_label, codename = _codename(perm, obj).split(".", 1)
        pk = _permission_id(model, codename) if app_label == model._meta.app_label else None
        if pk is None:
            raise Permission.DoesNotExist(
                f"{app_label}.{codename} is not a permission on {model._meta.label}"
            )
        ids.append(pk)
    if isinstance(holder, Group):
        return get_group_obj_perms_model(model), {"group": holder}, ids
    return get_user_obj_perms_model(model), {"user": holder}, ids


def grant(perms: Iterable[str], *, to, obj: Model, by=None, reason: str = "") -> None:
    """Give a user or group the permissions on one object, and record it.

    One insert for all the permissions (guardian's assign_perm takes two or three queries for
    each); a permission already held stays as it is."""
    _change(PermissionEvent.Action.GRANT, list(perms), to, obj, by, reason)


def revoke(perms: Iterable[str], *, frm, obj: Model, by=None, reason: str = "") -> None:
    """Take permissions on one object away from a user or group, and record it."""
    _change(PermissionEvent.Action.REVOKE, list(perms), frm, obj, by, reason)


def _change(action, perms: list[str], holder, obj: Model, by, reason: str) -> None:
    rows = _rows(perms, holder, obj)
    granting = action == PermissionEvent.Action.GRANT
    if rows is None:
        for perm in perms:
            (assign_perm if granting else remove_perm)(_codename(perm, obj), holder, obj)
    elif granting:
        table, column, ids = rows
        table.objects.bulk_create(
            [table(permission_id=pk, content_object=obj, **column) for pk in ids], ignore_conflicts=True
        )
    else:
        table, column, ids = rows
        table.objects.filter(content_object=obj, permission_id__in=ids, **column).delete()
    _record(action, perms, holder, obj, by, reason)
    permissions_changed()


def joined_ids(joined: str | None) -> list[int]:
    """The ids in a text of ids read with the user ("3,17"; None for none), in order."""
    return sorted(int(pk) for pk in joined.split(",")) if joined else []


def remember_group_ids(user, joined: str | None) -> None:
    """Keep the ids of the user's groups, read with the user as text ("3,17"; None for none)."""
    user._rrp_group_ids = (_generation[0], joined_ids(joined))


def group_ids(user) -> list[int]:
    """The ids of the user's groups, cached on the user object until permissions change (read with
    the user at sign-in by rrp.backends, or here)."""
    cached = getattr(user, "_rrp_group_ids", None)
    if cached is None or cached[0] != _generation[0]:
        through = user.groups.through.objects.filter(user_id=user.pk)
        cached = (_generation[0], sorted(through.values_list("group_id", flat=True)))
        user._rrp_group_ids = cached
    return cached[1]


_permission_ids: dict[tuple[str, int, str], int] = {}


def _permission_id(model, codename: str) -> int | None:
    """The id of the permission, cached per database (cleared after migrate and flush)."""
    content_type = ContentType.objects.get_for_model(model)
    key = (content_type._state.db or "default", content_type.pk, codename)
    if key not in _permission_ids:
        found = Permission.objects.filter(content_type=content_type, codename=codename).values_list(
            "pk", flat=True
        )
        pk = found.first()
        if pk is None:
            return None
        _permission_ids[key] = pk
    return _permission_ids[key]


def permission_id_of(perm: str, model) -> int | None:
    """The id of `perm` ("view" or "incidents.view_incident") on `model`, or None."""
    return _permission_id(model, _codename(perm, model()).split(".", 1)[1])


def _grants(user, perm: str, model) -> tuple[QuerySet, QuerySet | None] | None:
    """The user's own grants and their groups' grants (None without groups) of `perm` on `model`,
    from its direct foreign-key tables; None when the permission does not exist."""
    permission_id = permission_id_of(perm, model)
    if permission_id is None:
        return None
    return _grant_tables(model, user.pk, permission_id, group_ids(user))


def _grant_tables(model, user_id, permission_id, groups) -> tuple[QuerySet, QuerySet | None]:
    users = get_user_obj_perms_model(model).objects.filter(user_id=user_id, permission_id=permission_id)
    if not groups:
        return users, None
    table = get_group_obj_perms_model(model)
    return users, table.objects.filter(group_id__in=groups, permission_id=permission_id)


def _granted(users: QuerySet, groups: QuerySet | None) -> QuerySet:
    """The granted rows' ids: the groups' grants and the user's own, as one subquery."""
    ids = users.values("content_object_id")
    if groups is not None:
        ids = groups.values("content_object_id").union(ids, all=True)
    return ids


def granted_ids(model, user_id: int, permission_id: int, groups: list[int]) -> QuerySet:
    """The ids of `model`'s rows granted permission `permission_id` to the user `user_id` or to
    one of `groups`, as `visible()` filters a model that is not `narrow`ed (`pk__in` this), for a
    model with direct foreign-key grant tables.

    Every value is an argument, so that a statement built on it can be compiled once and run with
    each user's values (rrp.statements.values; incidents.permissions.may_record_anyone)."""
    return _granted(*_grant_tables(model, user_id, permission_id, groups))


class _ProbeEach(Exists):
    """`EXISTS (... OFFSET 0)`: the OFFSET keeps PostgreSQL from hashing every grant first.

    PostgreSQL answers a correlated EXISTS either by probing the grant index for each row it
    reads or by hashing all the user's grants before the first row; it picks by the rows it
    expects to read, not the page it will stop at. A recovery lead's first page hashed 100,000
    grants to show 25 rows (47 ms; probing: 0.1 ms). An EXISTS with an OFFSET cannot be hashed.
    """

    template = "EXISTS(%(subquery)s OFFSET 0)"


def visible(user, perm: str, queryset: QuerySet, *, probe_each: bool = False) -> QuerySet:
    """Return the rows of `queryset` on which `user` holds `perm` as an object permission.

    `probe_each`: the caller reads only the first rows of a narrowed model's list (a first page),
    so check each row read against the grant index rather than hashing all grants first.

    For models with direct foreign-key permission tables the filter is one
    `pk IN (group grants UNION ALL user grants)` subquery, which PostgreSQL runs as a join from
    the (few) granted ids. guardian's own shape, `pk IN (user grants) OR pk IN (group grants)`,
    cannot be a join: it reads every row of the table and tests both sets, which at a million
    incidents costs a full scan per list and per count (see benchmarks/README.md).

    The user's group ids and the permission id are written into the SQL as values (fetched
    first, cached), not as joins to auth_user_groups and auth_permission: the planner then
    estimates the granted rows from the grant table's own statistics for those groups (a join
    hid them: 2,066 estimated for 66,645 real, which chose a scan of all reviews).
    An `EXISTS (group grant) OR EXISTS (user grant)` filter was measured too (benchmarks/README.md):
    it cannot become a join, so PostgreSQL walks the list's ordering index testing each row,
    quick when the user sees a large share of the table and a scan of the whole table when they
    see little or nothing (a person's own reviews, a permission nobody in their groups holds).
    That shape is used where a model is `narrow`ed and the user is in groups: the narrowing
    (for incidents, the user's wards) bounds the walk to the rows they could have been granted,
    nearly all of which they were.
    """
    if not user.is_authenticated:
        return queryset.none()
    model = queryset.model
    full = _codename(perm, model())
    if not _direct(model):
        return get_objects_for_user(
            user, full, klass=queryset, accept_global_perms=False, with_superuser=False
        )
    permission_id = permission_id_of(full, model)
    if permission_id is None:
        return queryset.none()
    groups = group_ids(user)
    narrowing = _narrowing_values(model, user) if groups and model in _narrowers else None
    return visible_from(queryset, user.pk, permission_id, groups, narrowing, probe_each=probe_each)


def visible_from(queryset, user_id, permission_id, groups, narrowing=None, *, probe_each=False) -> QuerySet:
    """`visible()`'s filter for a model with direct foreign-key grant tables, with every value
    given: the user's id, the permission's id, the user's group ids and, for a `narrow`ed model
    when the user is in groups, the narrowing values (`narrowing_values`; else None).

    So that a statement built on it can be compiled once and run with each user's values
    (rrp.statements.values; rrp.listing's first pages)."""
    model = queryset.model
    users, by_groups = _grant_tables(model, user_id, permission_id, groups)
    if by_groups is not None and narrowing is not None:
        # Rows on the user's wards (an indexed filter), each checked against the grants.
        on_row = {"content_object_id": OuterRef("pk")}
        # Two EXISTS joined by OR stay a filter on the rows read in list order (a lone EXISTS
        # would become a join, which PostgreSQL estimates badly here and sorts after).
        exists = _ProbeEach if probe_each else Exists
        granted = exists(by_groups.filter(**on_row)) | exists(users.filter(**on_row))
        return queryset.filter(_narrowing(model, narrowing)).filter(granted)
    return queryset.filter(pk__in=_granted(users, by_groups))


def visible_args(user, perm: str, model) -> tuple | None:
    """The values `visible_from` takes for `user` and `perm` on `model` (user id, permission id,
    group ids, and the narrowing values when `visible()` narrows), or None where `visible()` is not
    built from them (a model without direct grant tables, a permission that does not exist)."""
    if not user.is_authenticated or not _direct(model):
        return None
    permission_id = permission_id_of(perm, model)
    if permission_id is None:
        return None
    narrowing = narrowing_values(model, user)
    args = (user.pk, permission_id, group_ids(user))
    return args if narrowing is None else (*args, narrowing)


def _narrowing_values(model, user) -> list:
    return _narrowers[model][1](user)


def narrowing_values(model, user) -> list | None:
    """What `visible()` narrows `model`'s rows to for `user` (see `narrow`), or None when it does
    not narrow them (a model not `narrow`ed, or a user in no groups)."""
    if model not in _narrowers or not user.is_authenticated or not group_ids(user):
        return None
    return _narrowing_values(model, user)


def _narrowing(model, values) -> Q:
    return Q(**{f"{_narrowers[model][0]}__in": values})


def visible_rows(user, perm: str, model) -> list[Model]:
    """The rows of `visible(user, perm, model.objects.all())` in the model's ordering, for a
    model that is not `narrow`ed and of which a user is granted few rows (wards, for the select
    boxes of wards on every list's filters: `visible_choices`).

    One statement compiled once (rrp.statements.values), its answer kept on the user object until
    any grant or group membership changes: building `visible()`'s queryset and compiling it for a
    select box took about 1 ms of the incident list and the people list (benchmarks/README.md,
    changes 49 and 56)."""
    if not user.is_authenticated:
        return []
    if not _direct(model) or model in _narrowers:
        return list(visible(user, perm, model.objects.all()))

    def read():
        permission_id = permission_id_of(perm, model)
        if permission_id is None:
            return []
        names = statements.columns_of(model)

        def build(user_id, permission_id, groups):
            granted = granted_ids(model, user_id, permission_id, groups)
            return model.objects.filter(pk__in=granted).values_list(*names)

        key_sql = f"visible_rows:{model._meta.label}"
        rows = statements.values(model, key_sql, build, user.pk, permission_id, group_ids(user))
        return statements.instances(model, rows)

    return kept(user, "_rrp_visible_rows", (model, perm), read)


def visible_ids(user, perm: str, model) -> list[int]:
    """The ids of `visible_rows(user, perm, model)`, sorted."""
    return sorted(row.pk for row in visible_rows(user, perm, model))


def visible_choices(user, perm: str, model) -> QuerySet:
    """`visible(user, perm, model.objects.all())` for a select box's choices: read, as the choices
    are, from `visible_rows` (no statement compiled), and checking a chosen row with the ids of
    those rows (`VisibleIds`), read only when the box is shown or a row is chosen: a list's filter
    with a select box of wards costs no query on a request that does neither (the API's lists)."""
    choices = model.objects.filter(pk__in=VisibleIds(user, perm, model))
    return statements.read_by(choices, lambda: visible_rows(user, perm, model))


class VisibleIds(Expression):
    """`visible_ids(user, perm, model)` as the right-hand side of a `pk__in` filter, read only
    when a statement using it is compiled (`visible_choices`)."""

    def __init__(self, user, perm: str, model):
        super().__init__(output_field=IntegerField())
        self.user, self.perm, self.model = user, perm, model

    def as_sql(self, compiler, connection):
        ids = visible_ids(self.user, self.perm, self.model)
        if not ids:
            raise EmptyResultSet
        return ", ".join(["%s"] * len(ids)), ids


class Listing:
    """The rows of a queryset on which a user holds a permission, for a paged list.

    Each part is worked out when first asked for, as some cost a query:

    `rows` is `visible()`; `first_rows` the same rows checked one by one as they are read
    (`probe_each`), for the first pages.

    `count` is how many rows there are before any other filter, counted from the grant rows
    when every grant the user holds comes from one source (one of their groups, or the user
    alone): guardian's tables hold each (group or user, permission, row) once, and a grant's
    foreign key means its row exists. A ward nurse's grants all come from the ward's team:
    counting them reads one index, where counting the visible incidents checks each one. With
    grants from two sources a row may be granted twice: None.

    `every_row`, for a `narrow`ed model, is the narrowed rows with no check of grants at all, when
    they number exactly that count: each granted row is one of them, and there are as many, so
    every one is granted. A recovery lead sees every incident on the division's wards, and their
    page 320 hashed 100,000 grants to skip 8,000 rows (benchmarks/README.md). Otherwise None.
    The two counts are two statements: like any page read in several queries, a grant revoked
    while the page is being read shows from the next request.
    """

    def __init__(self, user, perm: str, queryset: QuerySet):
        self.user, self.perm, self.queryset = user, perm, queryset

    @cached_property
    def rows(self) -> QuerySet:
        return visible(self.user, self.perm, self.queryset)

    @cached_property
    def first_rows(self) -> QuerySet:
        return visible(self.user, self.perm, self.queryset, probe_each=True)

    @cached_property
    def count(self) -> int | None:
        if not self.user.is_authenticated:
            return 0
        model = self.queryset.model
        if not _direct(model):
            return None
        permission_id = permission_id_of(self.perm, model)
        if permission_id is None:
            return 0
        user_table, group_table = get_user_obj_perms_model(model), get_group_obj_perms_model(model)

        def build(user_id, permission_id, groups):
            # Each source counted by its own scalar subquery, all in one statement: a plain count
            # of an index range (a GROUP BY over the lead's 100,000 grant rows took 1 ms more).
            sources = [_counted(user_table.objects.filter(user_id=user_id, permission_id=permission_id))]
            for group_id in groups:
                sources.append(
                    _counted(group_table.objects.filter(group_id=group_id, permission_id=permission_id))
                )
            return get_user_model().objects.filter(pk=user_id).order_by().values_list(*sources)

        # The same statement on every request, compiled once (rrp.statements.values).
        groups = group_ids(self.user)
        rows = statements.values(
            model, f"listing_count:{model._meta.label}", build, self.user.pk, permission_id, groups
        )
        if not rows:  # the account was removed while the page was being read
            return None
        counts = rows[0]
        held = [n for n in counts if n]
        return None if len(held) > 1 else sum(held)

    @cached_property
    def every_row(self) -> QuerySet | None:
        model = self.queryset.model
        if model not in _narrowers or not self.user.is_authenticated or not group_ids(self.user):
            return None
        if self.count is None:
            return None
        narrowed = self.queryset.filter(_narrowing(model, _narrowing_values(model, self.user)))
        return narrowed if narrowed.order_by().count() == self.count else None


def _counted(queryset: QuerySet) -> Subquery:
    """`SELECT COUNT(*) ...` of the queryset, as a scalar subquery."""
    count = Func(Value(1), function="COUNT", output_field=IntegerField())
    return Subquery(queryset.order_by().annotate(n=count).values("n"))


def listing(user, perm: str, queryset: QuerySet) -> Listing:
    """The rows of `queryset` on which `user` holds `perm`, for a paged list (see `Listing`)."""
    return Listing(user, perm, queryset)


def narrow(model: type[Model], field: str, values_for: Callable[..., list]) -> None:
    """Add `<field> IN values_for(user)` to every `visible()` filter of `model` for a user in
    groups: it changes no answer, only the plan.

    Every row on which the user could hold any grant must have one of `values_for(user)` (for
    incidents: on one of the wards of the user's groups, or of the incidents granted to them
    alone), and `field` should be indexed. The planner can then read a list in order from that
    index, checking each row against the grants, instead of fetching every granted row to sort
    it (incidents.permissions, benchmarks/README.md).
    """
    _narrowers[model] = (field, values_for)


def holds_any(user, perm: str, model) -> bool:
    """True when `user` holds `perm` on at least one row of `model` (one query, two index lookups).

    For "is there anything to show here" links: asking whether any row is visible walks the user's
    wards' rows checking each one's grants, which for a permission nobody in the user's groups
    holds reads every one of them (a recovery lead's "review panel" link: 100,000 reviews).
    """
    if not user.is_authenticated:
        return False
    if not _direct(model):
        return visible(user, perm, model.objects.all()).exists()
    grants = _grants(user, perm, model)
    if grants is None:
        return False
    users, groups = grants
    held = Exists(users)
    if groups is not None:
        held |= Exists(groups)
    return get_user_model().objects.filter(pk=user.pk).filter(held).exists()


def granted_to_user(user, perm: str | None, model) -> QuerySet:
    """The ids of `model` rows on which `user` holds `perm` (any permission when None) by a grant
    to them, not to a group.

    For models with direct foreign-key permission tables (the clinical records).
    """
    if perm is None:
        table = get_user_obj_perms_model(model)
        return table.objects.filter(user_id=user.pk).values("content_object_id")
    grants = _grants(user, perm, model)
    if grants is None:
        return get_user_obj_perms_model(model).objects.none().values("content_object_id")
    return grants[0].values("content_object_id")


def _checker(user) -> ObjectPermissionChecker:
    # For models whose grants are in guardian's generic tables (none of ours today).
    cached = getattr(user, "_rrp_checker", None)
    if cached is None or cached[0] != _generation[0]:
        cached = (_generation[0], ObjectPermissionChecker(user))
        user._rrp_checker = cached
    return cached[1]


def _held(user, model, pks) -> dict:
    """The permission codenames `user` holds on each of `model`'s rows `pks`, as a dict from pk.

    Read in one query for the user's and their groups' grants together (guardian's checker takes
    two), and kept on the user object until any grant or group membership changes, so the
    questions one page asks about one record (may they see it, change it, sign it off) cost one
    query between them. The statement is written here from the grant tables' columns, with the
    user's group ids (read with the user) as values: compiling the same question as a queryset
    joined to the groups and permissions took longer than running it (benchmarks/README.md,
    change 43).
    """
    cached = getattr(user, "_rrp_held", None)
    if cached is None or cached[0] != _generation[0]:
        cached = (_generation[0], {})
        user._rrp_held = cached
    held = cached[1].setdefault(model, {})
    missing = sorted({pk for pk in pks if pk not in held})
    if missing:
        for pk in missing:
            held[pk] = set()
        rows = _grant_rows(user, model, missing)
        codenames = _codenames(rows)
        for pk, permission_id in rows:
            held[pk].add(codenames[permission_id])
    return held


def _grant_rows(user, model, pks: list) -> list[tuple]:
    """(row id, permission id) of every grant to `user` or their groups on these rows of `model`."""
    connection = connections[router.db_for_read(model)]
    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(pks))
    parts, params = [], []
    for table, holder, ids in (
        (get_user_obj_perms_model(model), "user", [user.pk]),
        (get_group_obj_perms_model(model), "group", group_ids(user)),
    ):
        if not ids:
            continue
        meta = table._meta
        row, permission, who = (
            meta.get_field(name).column for name in ("content_object", "permission", holder)
        )
        parts.append(
            f"SELECT {quote(row)}, {quote(permission)} FROM {quote(meta.db_table)} "  # noqa: S608 (names quoted)
            f"WHERE {quote(who)} IN ({', '.join(['%s'] * len(ids))}) AND {quote(row)} IN ({marks})"
        )
        params += [*ids, *pks]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return cursor.fetchall()


_codenames_by_id: dict[str, dict[int, str]] = {}


def _codenames(rows) -> dict[int, str]:
    """Every permission's codename by id, cached per database (as `_permission_id`) and read again
    when a grant in `rows` names a permission made since."""
    db = router.db_for_read(Permission)
    if db not in _codenames_by_id or any(pk not in _codenames_by_id[db] for _row, pk in rows):
        _codenames_by_id[db] = dict(Permission.objects.using(db).values_list("pk", "codename"))
    return _codenames_by_id[db]


def _direct(model) -> bool:
    """True when the model's grants are in direct foreign-key tables (all the clinical records)."""
    user_table, group_table = get_user_obj_perms_model(model), get_group_obj_perms_model(model)
    return not (user_table.objects.is_generic() or group_table.objects.is_generic())


def has(user, perm: str, obj: Model) -> bool:
    """Return True when `user` holds `perm` on `obj` as an object permission.

    Superusers administer reference data and hold no clinical access by being superusers
    (guardian's checker would answer yes to everything for them).
    """
    if not user.is_authenticated or not user.is_active or user.is_superuser:
        return False
    codename = _codename(perm, obj).split(".", 1)[1]
    if _direct(type(obj)):
        return codename in _held(user, type(obj), [obj.pk])[obj.pk]
    return _checker(user).has_perm(codename, obj)


def prefetch(user, objects) -> None:
    """Load `user`'s permissions on many objects in one query per model, for list pages."""
    if not user.is_authenticated or user.is_superuser or not objects:
        return
    by_model = {}
    for obj in objects:
        by_model.setdefault(type(obj), []).append(obj)
    for model, rows in by_model.items():
        if _direct(model):
            _held(user, model, [obj.pk for obj in rows])
        else:
            _checker(user).prefetch_perms(rows)


def generation() -> int:
    """A number that changes whenever any grant or group membership changes (for caches)."""
    return _generation[0]


def kept(user, name: str, key, compute):
    """`compute()`, kept on the user object (one request's) under `name` and `key` until any
    grant or group membership changes."""
    cached = getattr(user, name, None)
    if cached is None or cached[0] != _generation[0]:
        cached = (_generation[0], {})
        setattr(user, name, cached)
    if key not in cached[1]:
        cached[1][key] = compute()
    return cached[1][key]


def permissions_changed() -> None:
    """Invalidate cached permission answers (call after changing group membership)."""
    _generation[0] += 1


def _membership_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        permissions_changed()


def _migrated(**kwargs):
    # flush and migrate recreate permissions with new ids (tests do both).
    _permission_ids.clear()
    _codenames_by_id.clear()


m2m_changed.connect(_membership_changed, sender=get_user_model().groups.through)
post_migrate.connect(_migrated)


def get_or_404(user, queryset: QuerySet, pk, perm: str | None = None):
    """Return the object if `user` may view it, else 404; 403 if they may view but lack `perm`.

    The 404 keeps the existence of a record from anyone who may not see it.
    """
    try:
        obj = queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    return checked_or_404(user, obj, perm)


def checked_or_404(user, obj: Model | None, perm: str | None = None):
    """`obj` (read already; None when there is no such record) if `user` may view it, else 404;
    403 if they may view but lack `perm` (as `get_or_404`)."""
    if obj is None or not has(user, "view", obj):
        raise Http404
    if perm and perm != "view" and not has(user, perm, obj):
        raise PermissionDenied
    return obj


def can(user, perm: str, obj: Model) -> bool:
    """Alias of `has` for templates' context flags (can_edit and so on)."""
    return has(user, perm, obj)
