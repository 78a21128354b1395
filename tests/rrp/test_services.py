import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from rrp import permissions, services
from rrp.models import Admission, PermissionEvent, ServiceUser

pytestmark = pytest.mark.django_db


def test_overlapping_admissions_of_one_person_are_refused(sam, oak):
    with pytest.raises(ValidationError, match="already has an admission"):
        services.admission_create(
            service_user=sam, ward=oak, start=timezone.now() - datetime.timedelta(days=5)
        )
    assert sam.admissions.count() == 1


def test_admission_ending_before_it_starts_is_refused(willow):
    person = services.service_user_create(
        nhs_number="9434765919", given_name="A", family_name="B", date_of_birth=datetime.date(1990, 1, 1)
    )
    now = timezone.now()
    with pytest.raises(ValidationError, match="must be after"):
        services.admission_create(
            service_user=person,
            ward=willow,
            start=now - datetime.timedelta(days=1),
            end=now - datetime.timedelta(days=2),
        )
    assert not Admission.objects.filter(service_user=person).exists()


def test_transfer_to_the_same_ward_is_refused_and_changes_nothing(sam, willow):
    admission = sam.current_admission
    with pytest.raises(ValidationError, match="already on this ward"):
        services.admission_transfer(admission=admission, to_ward=willow, at=timezone.now())
    admission.refresh_from_db()
    assert admission.end is None
    assert sam.admissions.count() == 1


def test_transfer_moves_access_to_the_new_wards_team(kai, oak, nurse, nurse_oak, lead):
    assert permissions.has(nurse, "view", kai)
    assert not permissions.has(nurse_oak, "view", kai)
    old = kai.current_admission
    new = services.admission_transfer(
        admission=old, to_ward=oak, at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert new.ward == oak and kai.current_ward == oak
    assert not permissions.has(nurse, "view", kai)
    assert permissions.has(nurse_oak, "view", kai)
    # The old admission stays visible to the old team; the lead covers both wards.
    assert permissions.has(nurse, "view", old)
    assert permissions.has(lead, "view", kai)
    old.refresh_from_db()
    assert old.ended_by_transfer


def test_every_grant_and_revocation_is_recorded(kai, oak, nurse):
    before = PermissionEvent.objects.count()
    services.admission_transfer(admission=kai.current_admission, to_ward=oak, at=timezone.now())
    events = PermissionEvent.objects.all()[: PermissionEvent.objects.count() - before]
    actions = {(e.action, e.group.name if e.group else e.user.username) for e in events}
    assert ("revoke", oak.division.wards.get(name="Willow").staff_group.name) in actions
    assert ("grant", oak.staff_group.name) in actions


def test_visible_ignores_model_wide_permissions(sam, lou, nurse_cedar):
    from django.contrib.auth.models import Permission

    nurse_cedar.user_permissions.add(Permission.objects.get(codename="view_serviceuser"))
    seen = permissions.visible(nurse_cedar, "view", ServiceUser.objects.all())
    assert list(seen) == [lou]


def test_superuser_has_no_clinical_access_by_being_a_superuser(sam, admin):
    assert not permissions.has(admin, "view", sam)
    assert not permissions.visible(admin, "view", ServiceUser.objects.all()).exists()


def test_history_records_the_acting_user(sam, nurse):
    sam.mental_disorder = "Schizophrenia"
    sam._history_user = nurse
    sam.save()
    assert sam.history.first().history_user == nurse
