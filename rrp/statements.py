"""The reads every signed-in request makes, as SQL built once per database connection.

Django compiles a queryset to SQL each time it runs. For the two reads that come before anything a
page does, its session and the signed-in user with their staff profile or person record, compiling
took longer than running them: about 0.3 ms and 0.7 ms of a page with no records' 2.6 ms, where
the statements themselves take 0.1 and 0.3 (benchmarks/README.md, change 42).

The statements here are built from the models' own fields, so a field added by a migration is read
with no change here, and each row becomes model instances as the ORM makes them: every value goes
through its field's and the database's converters, and the related rows are cached on each other
as `select_related` caches them. tests/rrp/test_statements.py compares both ways field by field.
"""

from django.db import connections, router
from django.db.models import Model
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
    """`model.objects.select_related(*related).filter(<where>=value).order_by(*order)[:limit]` for a
    model with a plain default manager, `related` being forward foreign keys: one statement built
    once per connection, its rows made into instances with their related rows cached as
    `select_related` caches them (None where the key is empty)."""

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
        # Names from the models, quoted; the value is a parameter.
        where = f"{table}.{quote(self.where.column)} = %s"
        self.sql = f"SELECT {', '.join(parts)} FROM {table}{''.join(joins)} WHERE {where}"  # noqa: S608
        if terms:
            self.sql += f" ORDER BY {', '.join(terms)}"
        if limit is not None:
            self.sql += f" LIMIT {int(limit)}"
        self.connection = connection

    def rows(self, value) -> list[Model]:
        prepared = self.where.get_db_prep_value(value, self.connection)
        with self.connection.cursor() as cursor:
            cursor.execute(self.sql, [prepared])
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


def select(model, *, where: str, value, order=None, related=(), limit=None) -> list[Model]:
    """The rows of `model` whose field `where` is `value`, as `Select` reads them."""
    connection = connections[router.db_for_read(model)]
    key = f"select:{model._meta.label}:{where}:{order}:{related}:{limit}"
    statement = _cached(
        connection, key, lambda c: Select(model, c, where=where, order=order, related=related, limit=limit)
    )
    return statement.rows(value)


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
