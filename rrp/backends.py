"""Sign-in backend: Django's ModelBackend, loading what every page asks of the signed-in person."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UserBackend(ModelBackend):
    """Load the user with their staff profile or service-user record in the same query.

    Every page's menu needs the person's role (rrp.roles.role_of), which read the staff profile
    and service-user record in queries of their own on every request.
    """

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("staff", "service_user").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
