"""The incident list's table rows, written in Python.

A template loop over a page of 25 incidents (a link reversed for each, two dates, the status
include and a loop over each incident's interventions) was about a quarter of the list page's
time at a million incidents (benchmarks/README.md). The HTML is the loop's, byte for byte
(tests/incidents/test_rows.py renders both). The date is written as the `date` filter writes
"j M Y, H:i", and an intervention's type as `get_type_code_display` gives it, without their
general machinery (about 0.6 ms of a page of 25: benchmarks/README.md, change 52).
"""

from django.conf import settings
from django.utils.dates import MONTHS_3
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from incidents.models import Incident, Intervention
from rrp.links import record_url

_TYPE_LABELS = dict(Intervention._meta.get_field("type_code").flatchoices)

_CELL = (
    '<td role="cell" class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" '
    'aria-hidden="true">{heading} </span>{value}</td>'
)


_TAGS = {
    Incident.Status.DRAFT: ("yellow", "Draft"),
    Incident.Status.SUBMITTED: ("blue", "Awaiting sign-off"),
    Incident.Status.SIGNED_OFF: ("green", "Signed off"),
}


def status_tag(incident: Incident) -> SafeString:
    """The incident's status as an NHS tag (the list's rows and the incident's page)."""
    colour, label = ("grey", "Entered in error") if incident.entered_in_error_at else _TAGS[incident.status]
    return mark_safe(f'<strong class="nhsuk-tag nhsuk-tag--{colour}">{label}</strong>')  # noqa: S308 (fixed text)


def _when(incident: Incident) -> str:
    if incident.started_at:
        at = template_localtime(incident.started_at)
        month = str(MONTHS_3[at.month]).title()  # the date filter's "M"
        return escape(f"{at.day} {month} {at.year:04d}, {at.hour:02d}:{at.minute:02d}")
    return f"Draft {incident.pk}"


def _interventions(interventions) -> str:
    grouped = settings.USE_THOUSAND_SEPARATOR  # else localize() writes a number as str() does
    items = [
        f"{escape(_TYPE_LABELS.get(item.type_code, item.type_code))} "
        f"({escape(localize(item.duration_minutes) if grouped else item.duration_minutes)} min)"
        for item in interventions
    ]
    return "; ".join(items) if items else "None yet"


def _row(incident: Incident, interventions) -> str:
    link = f'<a href="{escape(record_url("incidents:detail", incident.pk))}">{_when(incident)}</a>'
    cells = (
        ("When", link),
        ("Person", escape(incident.service_user.display_name)),
        ("Ward", escape(incident.ward.name)),
        ("Interventions", _interventions(interventions)),
        ("Status", status_tag(incident) + "\n"),  # as the list's template wrote it
    )
    body = "\n    ".join(_CELL.format(heading=heading, value=value) for heading, value in cells)
    return f'\n  <tr role="row" class="nhsuk-table__row">\n    {body}\n  </tr>\n  '


def rows_html(incidents, interventions: dict | None = None) -> SafeString:
    """The list's table rows for `incidents` (with person and ward loaded), with their
    interventions from `interventions` (by incident id: rrp.statements.children_of) or else
    prefetched on each incident."""
    rows = (
        _row(incident, incident.interventions.all() if interventions is None else interventions[incident.pk])
        for incident in incidents
    )
    return mark_safe("".join(rows))  # noqa: S308 (every value escaped)
