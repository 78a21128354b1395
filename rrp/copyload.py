"""Write many new rows and their history quickly: `COPY` on PostgreSQL, `bulk_create` elsewhere.

`create_with_history(objs, model)` does what `simple_history.utils.bulk_create_with_history`
does (insert the rows, then one "Created" history row each, with the history user, date and
change reason read from `_history_user`, `_history_date` and `_change_reason` as
`bulk_history_create` reads them) and gives every object its primary key. On PostgreSQL it takes
the ids from the table's own sequence and streams the rows and their history rows with `COPY`,
which skips the ORM's SQL building and parameter quoting, most of a bulk insert's cost. The rows
are the same either way; `tests/rrp/test_copyload.py` compares them column by column.

For the volume generator (`seed_demo --scale`) only: no signals are sent, as with `bulk_create`.
"""

import enum

from django.db import connections, models, router, transaction
from django.utils import timezone
from simple_history.utils import (
    bulk_create_with_history,
    get_change_reason_from_object,
    get_history_manager_for_model,
)

# Fields whose Python value psycopg can write as it is; any other field is prepared by Django
# (text fields are written by `_writer` below).
_PLAIN = (
    models.AutoField,
    models.BigAutoField,
    models.BooleanField,
    models.DateField,  # and DateTimeField (aware datetimes; psycopg writes them with their offset)
    models.DecimalField,
    models.ForeignKey,
    models.IntegerField,  # and the other integer fields
    models.UUIDField,
)


def _writer(field, connection):
    """How to turn an object's attribute into what COPY writes for `field`."""
    attname = field.attname
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)
    if isinstance(field, (models.CharField, models.TextField)):
        # Choices are str enums: write their value, never psycopg's idea of an enum.
        def plain_text(obj):
            value = getattr(obj, attname)
            return value.value if isinstance(value, enum.Enum) else value

        return plain_text
    if isinstance(field, _PLAIN):
        return lambda obj: getattr(obj, attname)
    return lambda obj: field.get_db_prep_save(getattr(obj, attname), connection)


def _copy(cursor, table, columns, rows) -> None:
    quote = cursor.db.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _new_ids(cursor, model, count: int) -> list[int]:
    pk = model._meta.pk.column
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
        [model._meta.db_table, pk, count],
    )
    return [row[0] for row in cursor.fetchall()]


def create_with_history(objs, model, *, batch_size=1000, default_user=None, default_change_reason=None):
    """Insert the unsaved `objs` of `model` with a "Created" history row each; return `objs`."""
    if not objs:
        return objs
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        bulk_create_with_history(
            objs,
            model,
            batch_size=batch_size,
            default_user=default_user,
            default_change_reason=default_change_reason,
        )
        return objs
    history = get_history_manager_for_model(model).model
    fields = list(model._meta.concrete_fields)
    writers = [_writer(field, connection) for field in fields]
    tracked = history.tracked_fields
    tracked_writers = [_writer(field, connection) for field in tracked]
    now = timezone.now()
    with transaction.atomic(using=alias, savepoint=False), connection.cursor() as cursor:
        for obj, pk in zip(objs, _new_ids(cursor, model, len(objs)), strict=True):
            obj._prepare_related_fields_for_save(operation_name="create_with_history")
            obj.pk = pk
            obj._state.adding, obj._state.db = False, alias
        rows = ([write(obj) for write in writers] for obj in objs)
        _copy(cursor, model._meta.db_table, [field.column for field in fields], rows)
        columns = [f.column for f in tracked]
        columns += ["history_date", "history_user_id", "history_change_reason", "history_type"]
        relation = hasattr(history, "history_relation")
        if relation:
            columns.append("history_relation_id")

        def history_rows():
            for obj in objs:
                user = getattr(obj, "_history_user", default_user)
                row = [w(obj) for w in tracked_writers]
                row += [
                    getattr(obj, "_history_date", now),
                    user.pk if user is not None else None,
                    get_change_reason_from_object(obj) or default_change_reason,
                    "+",
                ]
                if relation:
                    row.append(obj.pk)
                yield row

        _copy(cursor, history._meta.db_table, columns, history_rows())
    return objs
