"""Services for the organisation, people and admissions: the only code that grants their access."""

import datetime

from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rrp import permissions
from rrp.models import (
    Admission,
    CarerLink,
    Division,
    ServiceUser,
    StaffProfile,
    Trust,
    Ward,
    WardAssignment,
)
from rrp.signals import carer_consent_changed, service_user_transferred


def _save(obj, by, reason=""):
    obj._history_user = by
    if reason:
        obj._change_reason = reason
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def division_create(*, trust: Trust, name: str, by: User | None = None) -> Division:
    division = Division(trust=trust, name=name)
    division.leads_group = Group.objects.create(name=f"division:{name}:leads")
    division.peers_group = Group.objects.create(name=f"division:{name}:peers")
    return _save(division, by)


@transaction.atomic
def ward_create(*, division: Division, name: str, by: User | None = None, **fields) -> Ward:
    """Create a ward with its teams' groups and give those teams (and the division's leads) sight of it."""
    ward = Ward(division=division, name=name, **fields)
    ward.staff_group = Group.objects.create(name=f"ward:{division.pk}:{name}:staff")
    ward.managers_group = Group.objects.create(name=f"ward:{division.pk}:{name}:managers")
    ward.peers_group = Group.objects.create(name=f"ward:{division.pk}:{name}:peers")
    _save(ward, by)
    for group in (ward.staff_group, ward.peers_group, division.leads_group):
        permissions.grant(["view"], to=group, obj=ward, by=by, reason="ward created")
    permissions.grant(["change"], to=ward.managers_group, obj=ward, by=by, reason="ward created")
    return ward


@transaction.atomic
def staff_create(
    *,
    user: User,
    job_title: str,
    role: str,
    wards=(),
    division: Division | None = None,
    by: User | None = None,
) -> StaffProfile:
    profile = _save(StaffProfile(user=user, job_title=job_title, role=role, division=division), by)
    for ward in wards:
        staff_assign(staff=profile, ward=ward, by=by)
    if role == StaffProfile.Role.RECOVERY_LEAD and division:
        user.groups.add(division.leads_group)
    if role == StaffProfile.Role.PEER_WORKER and division:
        user.groups.add(division.peers_group)
    permissions.permissions_changed()
    return profile


@transaction.atomic
def staff_assign(*, staff: StaffProfile, ward: Ward, by: User | None = None) -> WardAssignment:
    """Put a member of staff on a ward's team; their role decides which of its groups they join."""
    assignment, _ = WardAssignment.objects.get_or_create(staff=staff, ward=ward)
    user = staff.user
    if staff.role == StaffProfile.Role.PEER_WORKER:
        user.groups.add(ward.peers_group)
    else:
        user.groups.add(ward.staff_group)
    if staff.role == StaffProfile.Role.WARD_MANAGER:
        user.groups.add(ward.managers_group)
    permissions.permissions_changed()
    return assignment


@transaction.atomic
def service_user_create(*, by: User | None = None, **fields) -> ServiceUser:
    person = _save(ServiceUser(**fields), by)
    if person.user_id:
        permissions.grant(["view"], to=person.user, obj=person, by=by, reason="own record")
    return person


def _team_groups(ward: Ward):
    return [ward.staff_group, ward.division.leads_group]


def _grant_ward_access(person: ServiceUser, ward: Ward, by, reason):
    permissions.grant(["view", "change"], to=ward.staff_group, obj=person, by=by, reason=reason)
    permissions.grant(["view"], to=ward.division.leads_group, obj=person, by=by, reason=reason)
    if person.user_id:
        permissions.grant(["view"], to=person.user, obj=ward, by=by, reason=reason)


def _revoke_ward_access(person: ServiceUser, ward: Ward, by, reason):
    permissions.revoke(["view", "change"], frm=ward.staff_group, obj=person, by=by, reason=reason)
    permissions.revoke(["view"], frm=ward.division.leads_group, obj=person, by=by, reason=reason)
    if person.user_id:
        permissions.revoke(["view"], frm=person.user, obj=ward, by=by, reason=reason)


def _grant_admission(admission: Admission, by, reason):
    for group in _team_groups(admission.ward):
        permissions.grant(["view"], to=group, obj=admission, by=by, reason=reason)
    permissions.grant(["change"], to=admission.ward.staff_group, obj=admission, by=by, reason=reason)
    if admission.service_user.user_id:
        permissions.grant(["view"], to=admission.service_user.user, obj=admission, by=by, reason=reason)


@transaction.atomic
def admission_create(
    *,
    service_user: ServiceUser,
    ward: Ward,
    start: datetime.datetime,
    by: User | None = None,
    end: datetime.datetime | None = None,
) -> Admission:
    """Admit a person to a ward; the ward's team can then see the person while they are there."""
    admission = _save(Admission(service_user=service_user, ward=ward, start=start, end=end), by)
    _grant_admission(admission, by, "admission")
    if end is None:
        _grant_ward_access(service_user, ward, by, "admitted to ward")
    return admission


@transaction.atomic
def admission_discharge(*, admission: Admission, end: datetime.datetime, by: User | None = None) -> Admission:
    if admission.end is not None:
        raise ValidationError({"end": "This admission has already ended."})
    if end > timezone.now():
        raise ValidationError({"end": "The discharge date cannot be in the future."})
    admission.end = end
    return _save(admission, by, "discharged")


@transaction.atomic
def admission_transfer(
    *, admission: Admission, to_ward: Ward, at: datetime.datetime, by: User | None = None
) -> Admission:
    """End one admission and start the next on another ward, moving live access with the person.

    Records of events on the old ward (incidents) keep their old ward's access; the person's
    profile and live records (safety plan, ward rounds) move to the new ward's team.
    """
    admission = Admission.objects.select_for_update().get(pk=admission.pk)
    if admission.end is not None:
        raise ValidationError({"ward": "This admission has already ended, so it cannot be transferred."})
    if to_ward.pk == admission.ward_id:
        raise ValidationError({"ward": "The person is already on this ward. Choose a different ward."})
    if at <= admission.start:
        raise ValidationError({"at": "The transfer must be after the person was admitted."})
    if at > timezone.now():
        raise ValidationError({"at": "The transfer time cannot be in the future."})
    from_ward = admission.ward
    admission.end = at
    admission.ended_by_transfer = True
    _save(admission, by, f"transferred to {to_ward}")
    person = admission.service_user
    new = _save(Admission(service_user=person, ward=to_ward, start=at), by, f"transferred from {from_ward}")
    _grant_admission(new, by, "transfer")
    _revoke_ward_access(person, from_ward, by, f"transferred to {to_ward}")
    _grant_ward_access(person, to_ward, by, f"transferred from {from_ward}")
    service_user_transferred.send(
        sender=Admission, service_user=person, from_ward=from_ward, to_ward=to_ward, by=by
    )
    return new


@transaction.atomic
def carer_link_create(
    *,
    carer: User,
    service_user: ServiceUser,
    relationship: str,
    shares_safety_plan: bool = False,
    shares_ward_rounds: bool = False,
    by: User | None = None,
) -> CarerLink:
    """Record a carer and what the person has agreed to share with them."""
    link = CarerLink(
        carer=carer,
        service_user=service_user,
        relationship=relationship,
        shares_safety_plan=shares_safety_plan,
        shares_ward_rounds=shares_ward_rounds,
        consented_at=timezone.now() if (shares_safety_plan or shares_ward_rounds) else None,
    )
    return _save(link, by)


@transaction.atomic
def carer_consent_withdraw(*, link: CarerLink, by: User | None = None) -> CarerLink:
    link.withdrawn_at = timezone.now()
    link.shares_safety_plan = False
    link.shares_ward_rounds = False
    _save(link, by, "consent withdrawn")
    carer_consent_changed.send(sender=CarerLink, link=link, by=by)
    return link
