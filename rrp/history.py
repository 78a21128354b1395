"""Turn django-simple-history records into "who changed what, when" rows for any record."""

from dataclasses import dataclass, field
from functools import cache

from rrp import statements


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryRow:
    when: object
    who: str
    kind: str
    reason: str
    changes: list[Change] = field(default_factory=list)


_KINDS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def _display(model_field, value, related: dict) -> str:
    if value is None or value == "":
        return "(blank)"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation:
        found = related.get((model_field.related_model, value))
        return str(found) if found is not None else str(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def _related(pending) -> dict:
    """The related objects that changed foreign keys point to, one query per related model
    (reading each one from its history record cost a query per change)."""
    wanted: dict = {}
    for model_field, change in pending:
        if model_field.is_relation:
            values = wanted.setdefault(model_field.related_model, set())
            values.update(v for v in (change.old, change.new) if v not in (None, ""))
    found = {}
    for model, values in wanted.items():
        for pk, obj in model._base_manager.in_bulk(values).items():
            found[(model, pk)] = obj
    return found


@cache
def _historical_model(model):
    # Not `obj.history` on every call: simple-history's descriptor builds a new manager class on
    # each access (inspect.getmembers), about a third of a millisecond each time.
    return model.history.model


def history_rows(obj, *, exclude=("version",), limit: int = 200) -> list[HistoryRow]:
    """Return the history of `obj`, newest first, with field-by-field differences."""
    return rows_from_records(
        history_of(obj._meta.model, obj._meta.pk.attname, obj.pk, limit=limit), exclude=exclude
    )


def history_of(model, field: str, value, *, order=("-history_date", "-history_id"), limit=None) -> list:
    """The history records of the `model` objects whose `field` is `value` (the object's own key,
    or its parent's), in `order`, with who made each change: the historical model's rows with
    `select_related("history_user")`, read by a statement built once per connection
    (rrp.statements), as every record page reads at least one history."""
    return statements.select(
        _historical_model(model),
        where=field,
        value=value,
        order=list(order),
        related=("history_user",),
        limit=limit,
    )


def rows_from_records(records, *, exclude=("version",)) -> list[HistoryRow]:
    """The rows of one record's history records, given newest first with `history_user` loaded:
    what `history_rows` does after its query, for callers that fetch many records' history at once."""
    rows = []
    pending = []  # (row, model field, simple-history change), displayed once related objects are loaded
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        user = record.history_user
        row = HistoryRow(
            when=record.history_date,
            who=(user.get_full_name() or user.username) if user else "System",
            kind=_KINDS.get(record.history_type, record.history_type),
            reason=record.history_change_reason or "",
        )
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous, excluded_fields=list(exclude))
            meta = record.instance_type._meta
            pending.extend((row, meta.get_field(change.field), change) for change in delta.changes)
        rows.append(row)
    related = _related((model_field, change) for _row, model_field, change in pending)
    for row, model_field, change in pending:
        row.changes.append(
            Change(
                field=model_field.verbose_name.capitalize(),
                old=_display(model_field, change.old, related),
                new=_display(model_field, change.new, related),
            )
        )
    return rows
