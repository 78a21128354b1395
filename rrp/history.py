"""Turn django-simple-history records into "who changed what, when" rows for any record."""

from dataclasses import dataclass, field


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


def _display(record, field_name: str, value) -> str:
    model_field = record.instance_type._meta.get_field(field_name)
    if value is None or value == "":
        return "(blank)"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation:
        related = getattr(record, field_name, None)
        return str(related) if related is not None else str(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def history_rows(obj, *, exclude=("version",), limit: int = 200) -> list[HistoryRow]:
    """Return the history of `obj`, newest first, with field-by-field differences."""
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")[:limit]
    )
    rows = []
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
            for change in delta.changes:
                row.changes.append(
                    Change(
                        field=record.instance_type._meta.get_field(change.field).verbose_name.capitalize(),
                        old=_display(previous, change.field, change.old),
                        new=_display(record, change.field, change.new),
                    )
                )
        rows.append(row)
    return rows
