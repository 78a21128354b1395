"""Reads that have the same shape on every request, as SQL built once per database connection.

Django compiles a queryset to SQL each time it runs. For the two reads that come before anything a
page does, its session and the signed-in user with their staff profile or person record, compiling
took longer than running them: about 0.3 ms and 0.7 ms of a page with no records' 2.6 ms, where
the statements themselves take 0.1 and 0.3 (benchmarks/README.md, change 42). The same holds for
a record's rows and history (`select`, `children`, change 44), a page of rows with what
`select_related` and `prefetch_related` would read with them (`by_ids`, change 47), and querysets
whose only varying parts are ids (`values`, change 47).

The statements here are built from the models' own fields, so a field added by a migration is read
with no change here, and each row becomes model instances as the ORM makes them: every value goes
through its field's and the database's converters, and the related rows are cached on each other
as `select_related` and `prefetch_related` cache them. tests/rrp/test_statements.py compares both
ways field by field. Use them for reads whose shape is fixed; a read whose filters vary with the
request stays a queryset.
"""

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable
from django.utils import timezone


class Columns:
    """A model's concrete columns for one connection: their SQL, and how a row of them becomes an
    instance (`instance(values)`)."""

    def __init__(self, model: type[Model], connection):
        self.model, self.connection = model, connection
        table = model._meta.db_table
        fields = model._meta.concrete_fields
        quote = connection.ops.quote_name
        self.names = [field.attname for field in fields]
        self.sql = ", ".join(f"{quote(table)}.{quote(field.column)}" for field in fields)
        self.converters = []
        for index, field in enumerate(fields):
            column = field.get_col(table)
            found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
            if found:
                self.converters.append((index, found, column))

    def __len__(self) -> int:
        return len(self.names)

    def instance(self, values) -> Model:
        values = list(values)
        for index, converters, column in self.converters:
            for converter in converters:
                values[index] = converter(values[index], column, self.connection)
        return self.model.from_db(self.connection.alias, self.names, values)


def _cached(connection, key: str, build):
    """`build(connection)`, kept on the connection object (each thread has its own)."""
    cache = connection.__dict__.setdefault("_rrp_statements", {})
    if key not in cache:
        cache[key] = build(connection)
    return cache[key]


def session_data(model: type[Model], session_key: str) -> str | None:
    """The data of the unexpired session with this key, or None: what Django's database session
    store reads with `Session.objects.get(session_key=..., expire_date__gt=now)`."""
    connection = connections[router.db_for_read(model)]

    def build(connection):
        quote = connection.ops.quote_name
        meta = model._meta
        data, key, expires = (
            quote(meta.get_field(name).column) for name in ("session_data", "session_key", "expire_date")
        )
        # Names from the model, quoted; the values are parameters.
        return f"SELECT {data} FROM {quote(meta.db_table)} WHERE {key} = %s AND {expires} > %s"  # noqa: S608

    sql = _cached(connection, f"session:{model._meta.label}", build)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(sql, [session_key, now])
        row = cursor.fetchone()
    return None if row is None else row[0]


class UserStatement:
    """The user with the rows of their reverse one-to-one relations `related` (each None when the
    user has none) and `extra` scalar subqueries written in SQL over the user's table, in one
    statement."""

    def __init__(self, user_model: type[Model], related: tuple[str, ...], extra: dict[str, str], connection):
        quote = connection.ops.quote_name
        meta = user_model._meta
        table = quote(meta.db_table)
        self.user = Columns(user_model, connection)
        self.related = []
        parts, joins = [self.user.sql], []
        for name in related:
            relation = meta.get_field(name)  # a OneToOneRel: relation.field is the other model's key
            columns = Columns(relation.related_model, connection)
            other = quote(relation.related_model._meta.db_table)
            joins.append(
                f" LEFT JOIN {other} ON {other}.{quote(relation.field.column)} = "
                f"{table}.{quote(meta.pk.column)}"
            )
            parts.append(columns.sql)
            self.related.append((relation, columns))
        # Names from the models, quoted; `extra` is the caller's constant SQL; the key is a parameter.
        self.extra = list(extra)
        parts.extend(f"({sql})" for sql in extra.values())
        where = f"{table}.{quote(meta.pk.column)} = %s"
        self.sql = f"SELECT {', '.join(parts)} FROM {table}{''.join(joins)} WHERE {where}"  # noqa: S608
        self.pk = meta.pk
        self.connection = connection

    def get(self, pk) -> tuple[Model, dict] | None:
        """The user with this primary key and the values of `extra` by name, or None."""
        with self.connection.cursor() as cursor:
            cursor.execute(self.sql, [self.pk.get_db_prep_value(pk, self.connection)])
            row = cursor.fetchone()
        if row is None:
            return None
        start = len(self.user)
        user = self.user.instance(row[:start])
        for relation, columns in self.related:
            values = row[start : start + len(columns)]
            start += len(columns)
            other = None if values[0] is None else columns.instance(values)
            # As select_related: user.<name> is cached (None raises DoesNotExist without a
            # query), and the other row's own key to the user is cached too.
            relation.set_cached_value(user, other)
            if other is not None:
                relation.field.set_cached_value(other, user)
        return user, dict(zip(self.extra, row[start:], strict=True))


def user_statement(user_model, related: tuple[str, ...], extra: dict[str, str]) -> UserStatement:
    """The `UserStatement` for the database the user model is read from, built once per connection
    (`extra` is told apart by its names: its SQL must not change while the process runs)."""
    connection = connections[router.db_for_read(user_model)]
    key = f"user:{user_model._meta.label}:{','.join(related)}:{','.join(extra)}"
    return _cached(connection, key, lambda c: UserStatement(user_model, related, extra, c))


class Select:
    """`model.objects.select_related(*related).filter(<where>=value).order_by(*order)[:limit]` (or
    `<where>__in=values`) for a model with a plain default manager, `related` being forward
    foreign keys: one statement built once per connection, its rows made into instances with
    their related rows cached as `select_related` caches them (None where the key is empty)."""

    def __init__(self, model, connection, *, where: str, order=None, related=(), limit=None):
        meta = model._meta
        quote = connection.ops.quote_name
        table = quote(meta.db_table)
        self.columns = Columns(model, connection)
        self.where = meta.get_field(where)
        parts, joins, self.related = [self.columns.sql], [], []
        for name in related:
            field = meta.get_field(name)
            target = field.related_model
            columns = Columns(target, connection)
            other = quote(target._meta.db_table)
            on = f"{other}.{quote(field.target_field.column)} = {table}.{quote(field.column)}"
            joins.append(f" LEFT JOIN {other} ON {on}")
            parts.append(columns.sql)
            self.related.append((field, columns))
        terms = []
        for name in meta.ordering if order is None else order:
            if not isinstance(name, str) or name == "?":
                raise ValueError(f"{meta.label}: an ordering of field names is needed, not {name!r}")
            field = meta.pk if name.lstrip("-") == "pk" else meta.get_field(name.lstrip("-"))
            terms.append(f"{table}.{quote(field.column)}{' DESC' if name.startswith('-') else ''}")
        # Names from the models, quoted; values are parameters.
        self.head = (
            f"SELECT {', '.join(parts)} FROM {table}{''.join(joins)} WHERE {table}.{quote(self.where.column)}"  # noqa: S608
        )
        self.tail = f" ORDER BY {', '.join(terms)}" if terms else ""
        if limit is not None:
            self.tail += f" LIMIT {int(limit)}"
        self.connection = connection

    def rows(self, value) -> list[Model]:
        """The rows whose field is `value`."""
        return self._read(
            f"{self.head} = %s{self.tail}", [self.where.get_db_prep_value(value, self.connection)]
        )

    def rows_in(self, values) -> list[Model]:
        """The rows whose field is one of `values` (none when there are none)."""
        if not values:
            return []
        marks = ", ".join(["%s"] * len(values))
        prepared = [self.where.get_db_prep_value(value, self.connection) for value in values]
        return self._read(f"{self.head} IN ({marks}){self.tail}", prepared)

    def _read(self, sql: str, params: list) -> list[Model]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        found = []
        width = len(self.columns)
        for row in rows:
            obj = self.columns.instance(row[:width])
            start = width
            for field, columns in self.related:
                values = row[start : start + len(columns)]
                start += len(columns)
                field.set_cached_value(obj, None if values[0] is None else columns.instance(values))
            found.append(obj)
        return found


def _statement(model, where: str, order, related, limit) -> Select:
    connection = connections[router.db_for_read(model)]
    key = f"select:{model._meta.label}:{where}:{order}:{related}:{limit}"
    return _cached(
        connection, key, lambda c: Select(model, c, where=where, order=order, related=related, limit=limit)
    )


def select(model, *, where: str, value, order=None, related=(), limit=None) -> list[Model]:
    """The rows of `model` whose field `where` is `value`, as `Select` reads them."""
    return _statement(model, where, order, related, limit).rows(value)


def select_in(model, *, where: str, values, order=None, related=()) -> list[Model]:
    """The rows of `model` whose field `where` is one of `values`, as `Select` reads them."""
    return _statement(model, where, order, related, None).rows_in(values)


def children(parent: Model, related_name: str) -> list[Model]:
    """The rows of `parent.<related_name>.all()` (a reverse foreign key to a model with a plain
    default manager), by a statement built once per connection, each with the parent cached."""
    relation = type(parent)._meta.get_field(related_name)
    field = relation.field
    found = select(
        relation.related_model, where=field.name, value=getattr(parent, field.target_field.attname)
    )
    for child in found:
        field.set_cached_value(child, parent)  # child.<key> is the parent, as the ORM sets it
    return found


def by_ids(model, ids: list, *, related=(), children=()) -> list[Model]:
    """The rows of `model` with these primary keys, in the ids' order (as
    `rrp.listing.with_rows` reads a page), with the forward keys `related` read with them
    (`select_related`) and the reverse foreign keys `children` read as `prefetch_related` reads
    them: one statement for the rows and one for each kind of child, however many rows."""
    found = {
        row.pk: row
        for row in select_in(model, where=model._meta.pk.name, values=ids, order=[], related=related)
    }
    rows = [found[pk] for pk in ids if pk in found]
    for related_name in children:
        _prefetch(rows, related_name)
    return rows


def children_of(parents: list, related_name: str) -> dict:
    """The children of each of `parents` (a reverse foreign key), in the child model's ordering,
    each child's key to its parent cached: a dict from the parent's key (its pk), one statement.

    For a page that reads them from here (the incident list's rows): making each parent's
    `related_name` queryset to hold them, as `by_ids(children=...)` does, was about 0.5 ms of a
    page of 25 (benchmarks/README.md, change 55)."""
    if not parents:
        return {}
    relation = type(parents[0])._meta.get_field(related_name)
    field, model = relation.field, relation.related_model
    key = field.target_field.attname
    mine = {getattr(parent, key): [] for parent in parents}
    for child in select_in(model, where=field.name, values=list(mine)):
        mine[getattr(child, field.attname)].append(child)
    for parent in parents:
        for child in mine[getattr(parent, key)]:
            field.set_cached_value(child, parent)
    return mine


def _prefetch(parents: list, related_name: str) -> None:
    """What `prefetch_related(related_name)` leaves on each parent: its children in the child
    model's ordering, behind `parent.<related_name>.all()`, each child's key to it cached."""
    if not parents:
        return
    relation = type(parents[0])._meta.get_field(related_name)
    key = relation.field.target_field.attname
    mine = children_of(parents, related_name)
    for parent in parents:
        found = mine[getattr(parent, key)]
        # As Django's prefetch leaves it: the related manager's own queryset (so a further
        # .filter() asks the database about this parent's rows), holding the rows read.
        done = getattr(parent, related_name).get_queryset()
        done._result_cache, done._prefetch_done = found, True
        parent.__dict__.setdefault("_prefetched_objects_cache", {})[relation.cache_name] = done


def _paths(model, related) -> list[tuple[list[str], object]]:
    """Each forward key path in `related` ("ward", "ward__division") as (the names before its
    last key, the last key's field); a path's parents must come before it, as in select_related."""
    found = []
    for path in related:
        *parents, last = path.split("__")
        holder = model
        for name in parents:
            holder = holder._meta.get_field(name).related_model
        if parents and "__".join(parents) not in related[: related.index(path)]:
            raise ValueError(f"{path}: read {'__'.join(parents)} before it")
        found.append((parents, holder._meta.get_field(last)))
    return found


def columns_of(model, related=()) -> list[str]:
    """The names to give `values_list()` for rows that `instances(model, rows, related)` makes:
    the model's concrete fields, then those of each forward key path in `related`."""
    names = [field.attname for field in model._meta.concrete_fields]
    for path, (_parents, field) in zip(related, _paths(model, related), strict=True):
        names += [f"{path}__{other.name}" for other in field.related_model._meta.concrete_fields]
    return names


def instances(model, rows, related=()) -> list[Model]:
    """`model` instances from rows of `columns_of(model, related)`, as read by `values()`: each
    value through its field's and the database's converters, as the ORM reads them, and each
    forward key's row cached as `select_related` caches it (None where the key is empty)."""
    connection = connections[router.db_for_read(model)]
    paths = _paths(model, related)
    parts = [
        _cached(connection, f"columns:{each._meta.label}", lambda c, each=each: Columns(each, c))
        for each in [model, *(field.related_model for _parents, field in paths)]
    ]
    found = []
    for row in rows:
        start = len(parts[0])
        obj = parts[0].instance(row[:start])
        for (parents, field), columns in zip(paths, parts[1:], strict=True):
            values = row[start : start + len(columns)]
            start += len(columns)
            holder = obj
            for name in parents:
                holder = getattr(holder, name) if holder is not None else None
            if holder is not None:
                field.set_cached_value(holder, None if values[0] is None else columns.instance(values))
        found.append(obj)
    return found


_BIGINT = 2**63


def record(model, pk: int, related=()) -> Model | None:
    """The row of `model` (by its default manager) whose primary key is `pk`, with the forward
    key paths `related` read with it as `select_related(*related)` reads them, or None: one
    statement compiled once (`values`). A number too big for the column is no row."""
    if not -_BIGINT <= pk < _BIGINT:
        return None
    names = columns_of(model, related)

    def build(pk):
        return model._default_manager.filter(pk=pk).values_list(*names)

    rows = values(model, f"record:{model._meta.label}:{','.join(related)}", build, pk)
    return instances(model, rows, related)[0] if rows else None


class _ReadBy:
    """Mixed into a queryset's class by `read_by`."""

    _reader = None

    def all(self):
        copied = super().all()
        copied._reader = self._reader
        return copied

    def _fetch_all(self):
        if (
            self._result_cache is None
            and self._reader is not None
            and self._iterable_class is ModelIterable
            and not self._prefetch_related_lookups
        ):
            self._result_cache = list(self._reader())
        super()._fetch_all()


_read_by_classes: dict[type, type] = {}


def read_by(queryset: QuerySet, reader) -> QuerySet:
    """`queryset`, whose rows are `reader()` when it is read as it is, or as copied by `.all()`
    (as a select box's choices are read), instead of compiling it. Any other use of it (filtered,
    ordered, counted, sliced) is the queryset's own, compiled as usual. `reader()` must give the
    queryset's rows, in its order (tests/rrp/test_statements.py)."""
    cls = type(queryset)
    if cls not in _read_by_classes:
        _read_by_classes[cls] = type(f"ReadBy{cls.__name__}", (_ReadBy, cls), {})
    read = queryset.all()
    read.__class__ = _read_by_classes[cls]
    read._reader = reader
    return read


# Stand-ins for the values a `values()` statement takes, written where Django would write them:
# negative numbers within a 32-bit integer column's range (Django leaves a value outside its
# column's range out of a statement, as no row could match it).
_STAND_IN = -2_000_000_000


def values(model, key: str, build, *args, limit: int | None = None, offset: int = 0) -> list[tuple]:
    """The rows of the values queryset `build(*args)` (each arg an int, or a list of ints such as
    group ids), with the SQL Django compiles for it kept per connection under `key` and the
    number of values in each list arg.

    The first call builds the queryset with a distinct stand-in for each value and finds where
    Django put each one among the statement's parameters; later calls put their own values there
    and run it, without building or compiling the queryset. So `build` must take every value it
    depends on as an arg: any other value it writes into the statement is kept as it was the
    first time (a ValueError if a stand-in does not come out as a parameter). `model`
    names the database the statement is read from, as the router chooses for it. `limit` and
    `offset` read a slice of the rows (the queryset itself must not be sliced).
    """
    connection = connections[router.db_for_read(model)]
    shape = tuple(len(arg) if isinstance(arg, list | tuple) else None for arg in args)
    cache = connection.__dict__.setdefault("_rrp_statements", {})
    entry = cache.get((key, shape, limit is None))
    if entry is None:
        entry = cache[(key, shape, limit is None)] = _compiled(connection, build, shape, limit is not None)
    sql, slots = entry
    if sql is None:  # Django found the queryset empty without asking (an empty list of ids)
        return []
    given = [value for arg in args for value in (arg if isinstance(arg, list | tuple) else [arg])]
    params = [given[slot] if slot is not None else constant for slot, constant in slots]
    if limit is not None:
        sql = f"{sql} LIMIT %s OFFSET %s"
        params += [int(limit), int(offset)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _compiled(connection, build, shape, sliced: bool) -> tuple[str, list]:
    stand_ins, count = [], 0
    for length in shape:
        if length is None:
            stand_ins.append(_STAND_IN - count)
            count += 1
        else:
            stand_ins.append([_STAND_IN - count - i for i in range(length)])
            count += length
    queryset = build(*stand_ins)
    if sliced and queryset.query.is_sliced:
        raise ValueError("slice the rows with values(limit=, offset=), not the queryset")
    try:
        sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    except EmptyResultSet:
        if 0 not in shape:
            raise ValueError("the statement came out empty for values that are not") from None
        return None, []  # empty because a list of values is: so is every call of this shape
    slots = []
    for param in params:
        slot = (
            _STAND_IN - param if isinstance(param, int) and _STAND_IN - count < param <= _STAND_IN else None
        )
        slots.append((slot, param))
    if {slot for slot, _param in slots if slot is not None} != set(range(count)):
        raise ValueError("every value must be written into the statement as a parameter of its own")
    return sql, slots
