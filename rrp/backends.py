"""Sign-in backend: Django's ModelBackend, loading what every page asks of the signed-in person."""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connections, router

from rrp import permissions, roles
from rrp.statements import user_statement

# Ids read with the user as one text each ("3,17"), by subqueries in the user's own query. Written
# as SQL because compiling the same subqueries through the ORM took about 1,500 Python calls a
# request, more than the separate queries they replace.
_IDS = {
    # The user's groups: every permission check needs them.
    "rrp_group_ids": ("group_id", "auth_user_groups WHERE user_id = auth_user.id"),
    # The wards a member of staff works on: the menu, the home page and most staff pages need them.
    "rrp_ward_ids": (
        "ward_id",
        "rrp_wardassignment WHERE staff_id IN (SELECT id FROM rrp_staffprofile WHERE user_id = auth_user.id)",
    ),
}
_JOINED = {"postgresql": "STRING_AGG({column}::text, ',')", "sqlite": "GROUP_CONCAT({column})"}


@cache
def _extra(vendor: str) -> dict[str, str]:
    """The `_IDS` subqueries in this database's SQL (written once per database vendor)."""
    joined = _JOINED[vendor]
    return {
        name: f"SELECT {joined.format(column=column)} FROM {rows}"  # noqa: S608 (constant SQL)
        for name, (column, rows) in _IDS.items()
    }


# Each user read asks for the same things: the staff profile and the person record.
_RELATED = ("staff", "service_user")


class UserBackend(ModelBackend):
    """Load the user with their staff profile or service-user record, the ids of their groups and
    the ids of the wards they work on, in the same query.

    Every page's menu needs the person's role (rrp.roles.role_of), which read the staff profile
    and service-user record in queries of their own on every request; every permission check
    needs the user's groups (rrp.permissions.group_ids), and the menu of a member of staff their
    wards (rrp.roles.staff_ward_ids): a query each on nearly every page.

    The statement is built once per database connection (rrp.statements): compiling the same
    queryset on every request took twice as long as running it.
    """

    def get_user(self, user_id):
        user_model = get_user_model()
        vendor = connections[router.db_for_read(user_model)].vendor
        found = user_statement(user_model, _RELATED, _extra(vendor)).get(user_id)
        if found is None:
            return None
        user, ids = found
        permissions.remember_group_ids(user, ids["rrp_group_ids"])
        roles.remember_ward_ids(user, ids["rrp_ward_ids"])
        return user if self.user_can_authenticate(user) else None
