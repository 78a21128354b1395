"""One timeline of an incident and its rows: who changed what, when, why, before and after."""

from incidents.models import (
    Incident,
    Intervention,
    NonStaffInvolvement,
    Notification,
    Observation,
    StaffInvolvement,
)
from rrp.history import history_rows

ROW_KINDS = [
    (Intervention, "intervention"),
    (StaffInvolvement, "member of staff"),
    (NonStaffInvolvement, "person not on the staff"),
    (Notification, "person told"),
    (Observation, "observations"),
]


def timeline(incident: Incident) -> list:
    """Return history rows for the incident and every row it has had (removed ones too), newest first."""
    rows = history_rows(incident)
    for model, label in ROW_KINDS:
        latest = {}
        for record in model.history.filter(incident_id=incident.pk).order_by("id", "history_date"):
            latest[record.id] = record
        for pk, record in latest.items():
            name = f"{label}: {record.instance}"
            for row in history_rows(model(pk=pk)):
                row.kind = f"{row.kind} ({name})"
                rows.append(row)
    rows.sort(key=lambda row: row.when, reverse=True)
    return rows
