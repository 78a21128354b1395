import datetime

import pytest

from rrp import services
from rrp.beddays import occupied_bed_days
from rrp.models import LONDON

pytestmark = pytest.mark.django_db


def at(y, m, d, h=12, minute=0):
    return datetime.datetime(y, m, d, h, minute, tzinfo=LONDON)


def person(nhs):
    return services.service_user_create(
        nhs_number=nhs, given_name="A", family_name="B", date_of_birth=datetime.date(1990, 1, 1)
    )


def test_bed_days_span_the_spring_clock_change_as_whole_days(willow):
    # Clocks go forward at 01:00 UTC on Sunday 29 March 2026: that day has 23 hours but is one bed day.
    p = person("9434765919")
    services.admission_create(
        service_user=p, ward=willow, start=at(2026, 3, 27, 23, 30), end=at(2026, 4, 2, 0, 30)
    )
    days = occupied_bed_days(
        [willow], datetime.date(2026, 3, 1), datetime.date(2026, 4, 1), today=datetime.date(2026, 6, 1)
    )
    # Nights of 27, 28, 29, 30, 31 March; 1 April (left on 2 April).
    assert days[(willow.pk, datetime.date(2026, 3, 1))] == 5
    assert days[(willow.pk, datetime.date(2026, 4, 1))] == 1


def test_late_evening_admission_in_summer_counts_on_the_local_date(willow):
    # 23:30 BST on 31 August is 22:30 UTC: still 31 August in London, so August has one bed day.
    p = person("9434765870")
    services.admission_create(
        service_user=p, ward=willow, start=at(2026, 8, 31, 23, 30), end=at(2026, 9, 3, 9)
    )
    days = occupied_bed_days(
        [willow], datetime.date(2026, 8, 1), datetime.date(2026, 9, 1), today=datetime.date(2026, 10, 1)
    )
    assert days[(willow.pk, datetime.date(2026, 8, 1))] == 1
    assert days[(willow.pk, datetime.date(2026, 9, 1))] == 2


def test_autumn_clock_change_and_ongoing_admission_counts_to_today(willow):
    # Clocks go back on 25 October 2026 (a 25-hour day): still one bed day.
    p = person("9434765862")
    services.admission_create(service_user=p, ward=willow, start=at(2026, 10, 20, 8))
    days = occupied_bed_days(
        [willow], datetime.date(2026, 10, 1), datetime.date(2026, 11, 1), today=datetime.date(2026, 11, 10)
    )
    assert days[(willow.pk, datetime.date(2026, 10, 1))] == 12  # 20..31 October
    assert days[(willow.pk, datetime.date(2026, 11, 1))] == 9  # 1..9 November, not today


def test_two_people_add_up_and_other_wards_are_separate(willow, oak):
    services.admission_create(
        service_user=person("9434765854"), ward=willow, start=at(2026, 1, 1), end=at(2026, 1, 11)
    )
    services.admission_create(
        service_user=person("9434765846"), ward=willow, start=at(2026, 1, 5), end=at(2026, 2, 5)
    )
    services.admission_create(
        service_user=person("9434765838"), ward=oak, start=at(2026, 1, 1), end=at(2026, 1, 3)
    )
    days = occupied_bed_days(
        [willow, oak], datetime.date(2026, 1, 1), datetime.date(2026, 2, 1), today=datetime.date(2026, 6, 1)
    )
    assert days[(willow.pk, datetime.date(2026, 1, 1))] == 10 + 27
    assert days[(willow.pk, datetime.date(2026, 2, 1))] == 4
    assert days[(oak.pk, datetime.date(2026, 1, 1))] == 2
