"""Who may see trend charts: the one scoping rule every trends page, CSV and API call uses."""

from rrp import permissions, roles, statements
from rrp.models import Ward

STAFF_ROLES = ("ward_staff", "ward_manager")


def wards_for_trends(user):
    """Return the wards whose trends `user` may see (personas.md: "trend charts").

    Ward staff and ward managers see their own wards; a recovery lead sees every ward of the
    division they cover. Everybody else (service users, carers, peer workers, administrators)
    sees none.
    """
    chosen = _chosen_by(user)
    return Ward.objects.none() if chosen is None else _wards(*chosen)


def _chosen_by(user) -> tuple[str, object] | None:
    """How `user`'s wards are chosen: ("ward", their ward ids) or ("division", the id of the
    division a recovery lead covers); None for no wards."""
    role = roles.role_of(user)
    if role in STAFF_ROLES:
        return "ward", roles.staff_ward_ids(user)
    staff = getattr(user, "staff", None) if role == "recovery_lead" else None
    if staff is None or staff.division_id is None:
        return None
    return "division", staff.division_id


def _wards(how: str, value):
    # The wards of roles.staff_wards and roles.lead_wards, from the values read with the user.
    wards = Ward.objects.filter(pk__in=value) if how == "ward" else Ward.objects.filter(division_id=value)
    # Neither way of choosing the wards joins anything that could repeat a ward: no DISTINCT.
    return wards.select_related("division").order_by("division__name", "name")


def trend_wards(user) -> list[Ward]:
    """The rows of `wards_for_trends(user)`, each with its division: one statement compiled once
    (rrp.statements.values), kept on the user object (one request's) until permissions change.

    For the trends pages' select boxes and the wards they cover (trends.filters): compiling the
    wards' and divisions' querysets was about 2 ms of the annual statistics' 14 (benchmarks/
    README.md, change 57)."""

    def read():
        chosen = _chosen_by(user)
        if chosen is None:
            return []
        how, value = chosen
        names = statements.columns_of(Ward, ("division",))
        rows = statements.values(
            Ward, f"trend_wards:{how}", lambda value: _wards(how, value).values_list(*names), value
        )
        return statements.instances(Ward, rows, ("division",))

    return permissions.kept(user, "_rrp_trend_wards", None, read)


def may_see_trends(user) -> bool:
    """True when `user` may see the trends of at least one ward.

    The menu asks on every page and each trends page asks again: the answer is kept on the user
    object (one request's) until permissions change, so a recovery lead's page asks the database
    once, and ward staff never (their wards are read with the user)."""

    def ask():
        if roles.role_of(user) in STAFF_ROLES:
            return bool(roles.staff_ward_ids(user))
        return bool(trend_wards(user))

    return permissions.kept(user, "_rrp_may_see_trends", None, ask)
