"""What kind of person a user is, for navigation, home pages and the demo."""

from rrp import permissions
from rrp.models import CarerLink, ServiceUser, StaffProfile, WardAssignment

ADMIN = "admin"
SERVICE_USER = "service_user"
CARER = "carer"


def role_of(user) -> str | None:
    """Return a StaffProfile.Role value, "service_user", "carer", "admin" or None."""
    if not user.is_authenticated:
        return None
    cached = getattr(user, "_rrp_role", False)
    if cached is not False:
        return cached
    role = None
    # The sign-in backend (rrp.backends) loads the staff profile and service-user record with the
    # user; on a user loaded otherwise each is one query, as before.
    if user.is_superuser:
        role = ADMIN
    elif getattr(user, "staff", None) is not None and user.staff.role:
        role = user.staff.role
    elif getattr(user, "service_user", None) is not None:
        role = SERVICE_USER
    elif CarerLink.objects.filter(carer=user).exists():
        role = CARER
    user._rrp_role = role
    return role


# Django works out an enum's `.values` each time it is asked (every page's menu asks several times).
_STAFF_ROLES = frozenset(StaffProfile.Role.values)


def is_staff_role(role: str | None) -> bool:
    return role in _STAFF_ROLES


def remember_ward_ids(user, joined: str | None) -> None:
    """Keep the ids of the wards a member of staff is assigned to, read with the user (rrp.backends)."""
    user._rrp_ward_ids = (permissions.generation(), permissions.joined_ids(joined))


def staff_ward_ids(user) -> list[int]:
    """The ids of the wards a member of staff is assigned to, read with the user at sign-in (or
    here), until any assignment or group membership changes (rrp.services.staff_assign)."""
    cached = getattr(user, "_rrp_ward_ids", None)
    if cached is None or cached[0] != permissions.generation():
        ids = WardAssignment.objects.filter(staff__user=user).values_list("ward_id", flat=True)
        cached = (permissions.generation(), sorted(ids))
        user._rrp_ward_ids = cached
    return cached[1]


def staff_wards(user):
    """Return the wards a member of staff is assigned to (a queryset)."""
    from rrp.models import Ward

    return Ward.objects.filter(pk__in=staff_ward_ids(user))


def lead_wards(user):
    """Return the wards of the division a recovery lead covers (none for anyone else).

    Read from the staff profile loaded with the user (rrp.backends): a filter on the ward's own
    division, where joining the wards through the division to its staff profiles cost the planner
    about 0.8 ms a query, and the trends pages ask three or four such queries."""
    from rrp.models import Ward

    staff = getattr(user, "staff", None) if user.is_authenticated else None
    if staff is None or staff.role != StaffProfile.Role.RECOVERY_LEAD or staff.division_id is None:
        return Ward.objects.none()
    return Ward.objects.filter(division_id=staff.division_id)


def cared_for(user):
    """Return the service users who have an active consent for this carer."""
    return ServiceUser.objects.filter(
        carer_links__carer=user,
        carer_links__consented_at__isnull=False,
        carer_links__withdrawn_at__isnull=True,
    )
