"""Helpers that build complete incidents through the services, as a nurse would."""

import datetime

from django.utils import timezone

from incidents import services

COMPLETE = {
    "place": "Lounge",
    "reason_code": "10",
    "reason_description": "He hit out at another patient.",
    "how_force_used": "Two staff held his arms in a standing hold.",
    "deescalation": ["talk_down", "space"],
    "deescalation_notes": "Talked with him in the lounge and offered the garden.",
    "outcome": "He calmed down and went to his room.",
    "physical_harm": "none",
    "psychological_harm": "low",
    "care_plan_people_told": "no",
    "immediate_debrief_offered": "yes",
}


def ago(minutes=0, hours=0, days=0):
    return timezone.now() - datetime.timedelta(minutes=minutes, hours=hours, days=days)


def complete_children(start, *, type_code="07", minutes=5, staff_user=None, **intervention):
    return {
        "interventions": [
            {
                "type_code": type_code,
                "started_at": start,
                "ended_at": start + datetime.timedelta(minutes=minutes),
                "in_care_plan": "no",
                **intervention,
            }
        ],
        "staff_involved": [
            {"staff": staff_user, "name": "Ash Patel", "job_title": "Registered nurse", "used_force": True},
            {"name": "Eli Brown", "job_title": "Healthcare assistant", "used_force": True},
        ],
    }


def make_incident(person, by, *, start=None, minutes=5, submit=True, **fields):
    start = start or ago(hours=3)
    incident = services.incident_create(
        service_user=person,
        by=by,
        started_at=start,
        ended_at=start + datetime.timedelta(minutes=minutes + 5),
        children=complete_children(start, minutes=minutes, staff_user=by),
        **{**COMPLETE, **fields},
    )
    if submit:
        incident = services.incident_submit(incident=incident, by=by)
    return incident
