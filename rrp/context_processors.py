from rrp import roles
from rrp.hooks import collect
from rrp.links import url


def navigation(request):
    """Header menu items that fit the signed-in person's role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_role": None}
    role = roles.role_of(user)
    items = [("Home", url("home"))]
    if roles.is_staff_role(role) and role != "peer_worker":
        items.append(("People", url("service_user_list")))
    items.extend(collect("home", "nav_items", user, role))
    path = request.path
    nav = [
        {"label": label, "url": link, "current": link == path or (link != "/" and path.startswith(link))}
        for label, link in items
    ]
    return {"nav_items": nav, "user_role": role}
