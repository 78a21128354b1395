from django.urls import reverse

from rrp import roles
from rrp.hooks import collect


def navigation(request):
    """Header menu items that fit the signed-in person's role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_role": None}
    role = roles.role_of(user)
    items = [("Home", reverse("home"))]
    if roles.is_staff_role(role) and role != "peer_worker":
        items.append(("People", reverse("service_user_list")))
    items.extend(collect("home", "nav_items", user, role))
    path = request.path
    nav = [
        {"label": label, "url": url, "current": url == path or (url != "/" and path.startswith(url))}
        for label, url in items
    ]
    return {"nav_items": nav, "user_role": role}
