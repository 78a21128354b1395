import datetime

import pytest
from django.utils import timezone

from incidents.models import Incident, Intervention, StaffInvolvement
from incidents.signals import incident_submitted


def submit_incident(person, ward, reporter, *, ended_hours_ago=2, staff=()):
    """Create a submitted incident the way the incidents app leaves it, and send its signal."""
    ended = timezone.now() - datetime.timedelta(hours=ended_hours_ago)
    started = ended - datetime.timedelta(minutes=12)
    incident = Incident.objects.create(
        service_user=person,
        ward=ward,
        place="Lounge",
        started_at=started,
        ended_at=ended,
        reason_code="10",
        reason_description="Reason",
        how_force_used="Held by two staff",
        status=Incident.Status.SUBMITTED,
        reported_by=reporter,
        submitted_at=ended,
        submitted_by=reporter,
    )
    Intervention.objects.create(incident=incident, type_code="07", started_at=started, ended_at=ended)
    for user in staff:
        StaffInvolvement.objects.create(
            incident=incident, staff=user, name=user.get_full_name(), job_title=user.staff.job_title
        )
    incident_submitted.send(sender=Incident, incident=incident, by=reporter)
    return incident


@pytest.fixture
def incident(sam, willow, nurse, manager):
    return submit_incident(sam, willow, nurse, staff=[nurse])


@pytest.fixture
def review(incident):
    return incident.review
