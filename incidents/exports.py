"""Exports: a streaming CSV of a filtered list, and the MHSDS-shaped MHS505/MHS515 files.

MHSDS column names follow the v5/v6 tables (MHS505 Restrictive Intervention Incident, MHS515
Restrictive Intervention Type; RestrictiveIntIncID and RestrictiveIntTypeID link them). Dates and
times are Europe/London, as providers submit them. Column names other than the two identifiers and
the codes are to verify against the current technical output specification.
"""

import csv
import io
import zipfile

from django.db.models import Prefetch
from django.utils import timezone

from incidents.models import Intervention

CSV_COLUMNS = [
    "Incident",
    "Ward",
    "Person",
    "NHS number",
    "Started",
    "Ended",
    "Status",
    "Entered in error",
    "Reason code",
    "Reason",
    "Intervention types",
    "Restraint minutes",
    "Prone",
    "Anyone injured",
    "Physical harm",
    "Psychological harm",
    "Death or serious injury",
]

MHS505_COLUMNS = [
    "RestrictiveIntIncID",
    "HospProvSpellID",
    "NHSNumber",
    "WardName",
    "StartDateRestrictiveIntInc",
    "StartTimeRestrictiveIntInc",
    "EndDateRestrictiveIntInc",
    "EndTimeRestrictiveIntInc",
    "RestrictiveIntReason",
]

MHS515_COLUMNS = [
    "RestrictiveIntTypeID",
    "RestrictiveIntIncID",
    "RestrictiveIntType",
    "StartDateRestrictiveIntType",
    "StartTimeRestrictiveIntType",
    "EndDateRestrictiveIntType",
    "EndTimeRestrictiveIntType",
    "PatientInjuryInd",
    "StaffInjuryInd",
    "OtherPersonInjuryInd",
]


class _Echo:
    def write(self, value):
        return value


def _local(moment, fmt="%Y-%m-%d %H:%M"):
    return timezone.localtime(moment).strftime(fmt) if moment else ""


def _injured(item) -> bool:
    return item.patient_injured or item.staff_injured or item.other_injured


def _ordered():
    return Intervention.objects.order_by("started_at", "id")


def _yn(flag: bool) -> str:
    return "Y" if flag else "N"


def csv_rows(incidents):
    """Yield CSV lines for `incidents` (already scoped to the user and filtered), a chunk at a time."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    queryset = incidents.select_related("service_user", "ward").prefetch_related(
        Prefetch("interventions", queryset=Intervention.objects.order_by("started_at", "id"))
    )
    for incident in queryset.iterator(chunk_size=500):
        items = list(incident.interventions.all())
        person = incident.service_user
        yield writer.writerow(
            [
                incident.pk,
                incident.ward.name,
                person.display_name,
                person.nhs_number,
                _local(incident.started_at),
                _local(incident.ended_at),
                incident.get_status_display(),
                "Yes" if incident.entered_in_error_at else "No",
                incident.reason_code,
                incident.get_reason_code_display(),
                " ".join(i.type_code for i in items),
                sum(i.duration_minutes for i in items if i.group == "physical"),
                "Yes" if any(i.is_prone for i in items) else "No",
                "Yes"
                if any(i.patient_injured or i.staff_injured or i.other_injured for i in items)
                else "No",
                incident.get_physical_harm_display(),
                incident.get_psychological_harm_display(),
                incident.get_death_or_serious_injury_display(),
            ]
        )


def mhsds_files(incidents) -> dict[str, str]:
    """Return {"MHS505.csv": text, "MHS515.csv": text} for counted incidents in `incidents`."""
    incidents = (
        incidents.counted()
        .select_related("service_user", "ward")
        .prefetch_related(
            Prefetch("interventions", queryset=Intervention.objects.order_by("started_at", "id"))
        )
        .order_by("started_at", "id")
    )
    incidents_out, types_out = io.StringIO(), io.StringIO()
    incident_writer, type_writer = csv.writer(incidents_out), csv.writer(types_out)
    incident_writer.writerow(MHS505_COLUMNS)
    type_writer.writerow(MHS515_COLUMNS)
    for incident in incidents.iterator(chunk_size=500):
        incident_writer.writerow(
            [
                f"RI{incident.pk:08d}",
                f"HPS{incident.admission_id:08d}" if incident.admission_id else "",
                incident.service_user.nhs_number,
                incident.ward.name,
                _local(incident.started_at, "%Y-%m-%d"),
                _local(incident.started_at, "%H:%M:%S"),
                _local(incident.ended_at, "%Y-%m-%d"),
                _local(incident.ended_at, "%H:%M:%S"),
                incident.reason_code,
            ]
        )
        for item in incident.interventions.all():
            type_writer.writerow(
                [
                    f"RT{item.pk:08d}",
                    f"RI{incident.pk:08d}",
                    item.type_code,
                    _local(item.started_at, "%Y-%m-%d"),
                    _local(item.started_at, "%H:%M:%S"),
                    _local(item.ended_at, "%Y-%m-%d"),
                    _local(item.ended_at, "%H:%M:%S"),
                    _yn(item.patient_injured),
                    _yn(item.staff_injured),
                    _yn(item.other_injured),
                ]
            )
    return {"MHS505.csv": incidents_out.getvalue(), "MHS515.csv": types_out.getvalue()}


def mhsds_zip(incidents) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in mhsds_files(incidents).items():
            archive.writestr(name, text)
    return buffer.getvalue()
