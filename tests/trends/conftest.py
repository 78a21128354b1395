import datetime

import pytest

from incidents.models import Incident, Intervention
from rrp import services
from rrp.models import LONDON
from tests.conftest import make_user, next_nhs_number


def at(y, m, d, h=12, minute=0):
    return datetime.datetime(y, m, d, h, minute, tzinfo=LONDON)


def patient(ward=None, start=None, end=None, **fields):
    """A service user (no account), admitted to `ward` from `start` to `end` when given."""
    person = services.service_user_create(
        nhs_number=next_nhs_number(),
        given_name=fields.pop("given_name", "Pat"),
        family_name="Test",
        date_of_birth=fields.pop("date_of_birth", datetime.date(1990, 1, 1)),
        **fields,
    )
    if ward is not None:
        services.admission_create(service_user=person, ward=ward, start=start, end=end)
    return person


def incident(ward, person, started_at, types=(("07", 5),), *, status="submitted", error=False, **fields):
    """A counted incident with one intervention per (type code, minutes), starting together."""
    reporter = fields.pop("reported_by", None) or _reporter()
    snapshot = {
        name: getattr(person, name)
        for name in ("sex", "ethnicity", "religion", "learning_disability", "autism", "disability")
    }
    snapshot["age_at_incident"] = person.age_on(started_at.date())
    made = Incident.objects.create(
        service_user=person,
        ward=ward,
        started_at=started_at,
        ended_at=started_at + datetime.timedelta(minutes=max(m for _t, m in types) if types else 1),
        status=status,
        reported_by=reporter,
        entered_in_error_at=started_at + datetime.timedelta(days=1) if error else None,
        **{**snapshot, **fields},
    )
    for code, minutes in types:
        Intervention.objects.create(
            incident=made,
            type_code=code,
            started_at=started_at,
            ended_at=started_at + datetime.timedelta(minutes=minutes),
        )
    return made


def _reporter():
    from django.contrib.auth.models import User

    return User.objects.filter(username="reporter").first() or make_user("reporter")


@pytest.fixture
def march_on_willow(willow):
    """Willow in March 2025, worked by hand.

    Bed days: A from 1 to 11 March (10 nights), B from 16 March to 5 April (16 nights in March,
    4 in April): 26 in March, 4 in April, none in May.
    Interventions in March: an incident with prone restraint (12 min) and rapid tranquillisation,
    and an incident with standing restraint (5 min): 3. A draft and an incident entered in error
    also have interventions, and do not count. Rate for March: 3 / 26 x 1000 = 115.4.
    """
    a = patient(willow, at(2025, 3, 1, 10), at(2025, 3, 11, 15), sex="male", ethnicity="M")
    b = patient(willow, at(2025, 3, 16, 9), at(2025, 4, 5, 11), sex="male", ethnicity="A")
    incident(willow, a, at(2025, 3, 3, 14), (("01", 12), ("14", 1)), reason_code="10", physical_harm="low")
    incident(willow, b, at(2025, 3, 20, 2), (("07", 5),), reason_code="17")
    incident(willow, b, at(2025, 3, 21, 2), (("07", 5),), status="draft")
    incident(willow, b, at(2025, 3, 22, 2), (("05", 90),), error=True)
    return {"a": a, "b": b}
