"""The named cast every test can use: a small copy of the demo organisation.

wards: willow and oak (Forensic Services), cedar (Local Partnerships).
staff: nurse (Willow), nurse_cedar (Cedar), manager (Willow), lead (Forensic), peer (Willow).
people: sam (Willow), kai (Willow), lou (Cedar), with user accounts; carer (Sam's, consented).
"""

import datetime

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from rrp import services
from rrp.models import Trust


def pytest_collection_modifyitems(items):
    """Start the seeded-demo test first: the longest test, started last, leaves one xdist worker idle."""
    items.sort(key=lambda item: item.path.name != "test_seed_demo.py")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username, first="", last="", **extra):
    user = User.objects.create_user(
        username=username,
        password="pw-Correct-Horse-1",
        first_name=first or username,
        last_name=last or "Test",
        **extra,
    )
    return user


@pytest.fixture
def org(db):
    admin = make_user("admin", is_superuser=True, is_staff=True)
    trust = Trust.objects.create(name="Test Trust")
    forensic = services.division_create(trust=trust, name="Forensic Services", by=admin)
    local = services.division_create(trust=trust, name="Local Partnerships", by=admin)
    return {
        "admin": admin,
        "forensic": forensic,
        "local": local,
        "willow": services.ward_create(division=forensic, name="Willow", beds=16, by=admin),
        "oak": services.ward_create(division=forensic, name="Oak", beds=14, by=admin),
        "cedar": services.ward_create(division=local, name="Cedar", beds=18, by=admin),
    }


@pytest.fixture
def admin(org):
    return org["admin"]


@pytest.fixture
def willow(org):
    return org["willow"]


@pytest.fixture
def oak(org):
    return org["oak"]


@pytest.fixture
def cedar(org):
    return org["cedar"]


def make_staff(username, role, wards=(), division=None, title="Registered nurse"):
    user = make_user(username)
    services.staff_create(user=user, job_title=title, role=role, wards=wards, division=division)
    return user


@pytest.fixture
def nurse(org):
    return make_staff("nurse.ash", "ward_staff", [org["willow"]])


@pytest.fixture
def nurse_cedar(org):
    return make_staff("nurse.bea", "ward_staff", [org["cedar"]])


@pytest.fixture
def nurse_oak(org):
    return make_staff("nurse.fay", "ward_staff", [org["oak"]])


@pytest.fixture
def manager(org):
    return make_staff("manager.cal", "ward_manager", [org["willow"]], title="Ward manager")


@pytest.fixture
def lead(org):
    return make_staff("lead.dee", "recovery_lead", [], org["forensic"], title="Recovery lead")


@pytest.fixture
def peer(org):
    return make_staff("peer.jo", "peer_worker", [org["willow"]], org["forensic"], title="Peer support worker")


def make_person(username, ward, *, days_ago=100, nhs_number=None, **fields):
    user = make_user(username) if username else None
    person = services.service_user_create(
        user=user,
        nhs_number=nhs_number or next_nhs_number(),
        given_name=(username or "Anon").title(),
        family_name="Test",
        date_of_birth=datetime.date(1990, 1, 1),
        **fields,
    )
    services.admission_create(
        service_user=person, ward=ward, start=timezone.now() - datetime.timedelta(days=days_ago)
    )
    return person


_counter = [0]


def next_nhs_number() -> str:
    from rrp.nhs_number import is_valid_nhs_number

    while True:
        _counter[0] += 1
        base = f"999{_counter[0]:06d}"
        for check in range(10):
            if is_valid_nhs_number(base + str(check)):
                return base + str(check)


@pytest.fixture
def sam(org):
    return make_person("sam", org["willow"])


@pytest.fixture
def kai(org):
    return make_person("kai", org["willow"])


@pytest.fixture
def lou(org):
    return make_person("lou", org["cedar"])


@pytest.fixture
def carer(sam):
    user = make_user("carer.pat", "Pat")
    services.carer_link_create(
        carer=user, service_user=sam, relationship="Mother", shares_safety_plan=True, shares_ward_rounds=True
    )
    return user


@pytest.fixture
def outsider(org):
    """A nurse on another division's ward: sees nothing of Willow."""
    return make_staff("nurse.out", "ward_staff", [org["cedar"]])
