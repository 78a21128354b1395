"""Sign-in backend: Django's ModelBackend, loading what every page asks of the signed-in person."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Aggregate, CharField, OuterRef, Subquery

from rrp import permissions


class _Joined(Aggregate):
    """The values as one comma-separated text (GROUP_CONCAT on SQLite, STRING_AGG on PostgreSQL)."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, function="STRING_AGG", template="%(function)s((%(expressions)s)::text, ',')"
        )


def _group_ids():
    through = get_user_model().groups.through.objects.filter(user_id=OuterRef("pk"))
    return Subquery(through.order_by().values("user_id").annotate(ids=_Joined("group_id")).values("ids"))


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
            user = (
                user_model._default_manager.select_related("staff", "service_user")
                .annotate(rrp_group_ids=_group_ids())
                .get(pk=user_id)
            )
        except user_model.DoesNotExist:
            return None
        permissions.remember_group_ids(user, user.rrp_group_ids)
        return user if self.user_can_authenticate(user) else None
