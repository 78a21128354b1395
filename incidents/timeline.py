"""One timeline of an incident and its rows: who changed what, when, why, before and after."""

from itertools import groupby

from incidents.models import (
    Incident,
    Intervention,
    NonStaffInvolvement,
    Notification,
    Observation,
    StaffInvolvement,
)
from rrp.history import history_of, history_rows, rows_from_records

ROW_KINDS = [
    (Intervention, "intervention"),
    (StaffInvolvement, "member of staff"),
    (NonStaffInvolvement, "person not on the staff"),
    (Notification, "person told"),
    (Observation, "observations"),
]
LIMIT = 200  # history records shown per row, as rrp.history.history_rows


def timeline(incident: Incident) -> list:
    """Return history rows for the incident and every row it has had (removed ones too), newest first.

    Each kind of row's history is read in one query (not one per row), so the page's queries do
    not grow with the number of interventions, staff or observations.
    """
    rows = history_rows(incident, limit=LIMIT)
    for model, label in ROW_KINDS:
        records = history_of(model, "incident", incident.pk, order=("id", "-history_date", "-history_id"))
        for _pk, group in groupby(records, key=lambda record: record.id):
            newest_first = list(group)[:LIMIT]
            name = f"{label}: {newest_first[0].instance}"
            for row in rows_from_records(newest_first):
                row.kind = f"{row.kind} ({name})"
                rows.append(row)
    rows.sort(key=lambda row: row.when, reverse=True)
    return rows
