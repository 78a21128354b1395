import datetime

import pytest
from django.utils import timezone

from ward_rounds import services


def tomorrow_at(hour: int, minute: int = 0) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def session(willow, nurse):
    return services.ward_round_create(
        ward=willow,
        starts_at=tomorrow_at(10),
        purpose="To review care, leave and medication with each person.",
        location="Willow meeting room",
        by=nurse,
    )


@pytest.fixture
def appointment(session, sam, carer, nurse):
    return services.appointment_book(
        ward_round=session, service_user=sam, scheduled_at=tomorrow_at(10, 30), by=nurse
    )


@pytest.fixture
def kai_appointment(session, kai, nurse):
    return services.appointment_book(
        ward_round=session, service_user=kai, scheduled_at=tomorrow_at(11), by=nurse
    )


def started(appointment, nurse):
    return services.appointment_start(appointment=appointment, by=nurse, started_at=timezone.now())
