"""Who may see trend charts: the one scoping rule every trends page, CSV and API call uses."""

from rrp import permissions, roles
from rrp.models import Ward


def wards_for_trends(user):
    """Return the wards whose trends `user` may see (personas.md: "trend charts").

    Ward staff and ward managers see their own wards; a recovery lead sees every ward of the
    division they cover. Everybody else (service users, carers, peer workers, administrators)
    sees none.
    """
    role = roles.role_of(user)
    if role in ("ward_staff", "ward_manager"):
        wards = roles.staff_wards(user)
    elif role == "recovery_lead":
        wards = roles.lead_wards(user)
    else:
        return Ward.objects.none()
    # Neither way of choosing the wards joins anything that could repeat a ward: no DISTINCT.
    return wards.select_related("division").order_by("division__name", "name")


def may_see_trends(user) -> bool:
    """True when `user` may see the trends of at least one ward.

    The menu asks on every page and each trends page asks again: the answer is kept on the user
    object (one request's) until permissions change, so a recovery lead's page asks the database
    once, and ward staff never (their wards are read with the user)."""
    cached = getattr(user, "_rrp_may_see_trends", None)
    if cached is not None and cached[0] == permissions.generation():
        return cached[1]
    if roles.role_of(user) in ("ward_staff", "ward_manager"):
        answer = bool(roles.staff_ward_ids(user))
    else:
        answer = wards_for_trends(user).exists()
    user._rrp_may_see_trends = (permissions.generation(), answer)
    return answer
