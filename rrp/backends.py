"""Sign-in backend: Django's ModelBackend, loading what every page asks of the signed-in person."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connections
from django.db.models import CharField
from django.db.models.expressions import RawSQL

from rrp import permissions, roles

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


def _ids(using: str, name: str):
    column, rows = _IDS[name]
    joined = _JOINED[connections[using].vendor].format(column=column)
    return RawSQL(f"SELECT {joined} FROM {rows}", [], output_field=CharField())  # noqa: S608, S611 (constant SQL)


class UserBackend(ModelBackend):
    """Load the user with their staff profile or service-user record, the ids of their groups and
    the ids of the wards they work on, in the same query.

    Every page's menu needs the person's role (rrp.roles.role_of), which read the staff profile
    and service-user record in queries of their own on every request; every permission check
    needs the user's groups (rrp.permissions.group_ids), and the menu of a member of staff their
    wards (rrp.roles.staff_ward_ids): a query each on nearly every page.
    """

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            users = user_model._default_manager.select_related("staff", "service_user")
            user = users.annotate(**{name: _ids(users.db, name) for name in _IDS}).get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        permissions.remember_group_ids(user, user.rrp_group_ids)
        roles.remember_ward_ids(user, user.rrp_ward_ids)
        return user if self.user_can_authenticate(user) else None
