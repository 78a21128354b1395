"""Sign-in backend: Django's ModelBackend, loading what every page asks of the signed-in person."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connections
from django.db.models import CharField
from django.db.models.expressions import RawSQL

from rrp import permissions

# The user's group ids as one text ("3,17"), by a subquery in the user's own query. Written as SQL
# because compiling the same subquery through the ORM took about 1,500 Python calls a request,
# more than the separate query it replaces.
_GROUP_IDS = {
    "postgresql": "SELECT STRING_AGG(group_id::text, ',') FROM auth_user_groups WHERE user_id = auth_user.id",
    "sqlite": "SELECT GROUP_CONCAT(group_id) FROM auth_user_groups WHERE user_id = auth_user.id",
}


def _group_ids(using: str):
    return RawSQL(_GROUP_IDS[connections[using].vendor], [], output_field=CharField())  # noqa: S611 (constant SQL)


class UserBackend(ModelBackend):
    """Load the user with their staff profile or service-user record, and the ids of their
    groups, in the same query.

    Every page's menu needs the person's role (rrp.roles.role_of), which read the staff profile
    and service-user record in queries of their own on every request; every permission check
    needs the user's groups (rrp.permissions.group_ids), another query on nearly every page.
    """

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            users = user_model._default_manager.select_related("staff", "service_user")
            user = users.annotate(rrp_group_ids=_group_ids(users.db)).get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        permissions.remember_group_ids(user, user.rrp_group_ids)
        return user if self.user_can_authenticate(user) else None
