"""What incidents add to the menu and to people's home pages."""

from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident
from incidents.permissions import incidents_visible_to
from rrp import permissions
from rrp.hooks import Panel, PanelItem
from rrp.links import url

STAFF_ROLES = ("ward_staff", "ward_manager", "recovery_lead")


def nav_items(user, role):
    if role in STAFF_ROLES:
        return [("Incidents", url("incidents:list"))]
    if role == "service_user":
        return [("My incidents", url("incidents:mine"))]
    return []


def _item(incident: Incident) -> PanelItem:
    when = (
        f"{timezone.localtime(incident.started_at):%d %b %Y, %H:%M}"
        if incident.started_at
        else "time not given yet"
    )
    return PanelItem(
        text=f"{incident.service_user.display_name}, {incident.ward.name}",
        url=incident.get_absolute_url(),
        detail=when,
    )


def attention_panels(request, role):
    if role not in ("ward_staff", "ward_manager"):
        return []
    user = request.user
    panels = []
    drafts = (
        incidents_visible_to(user)
        .drafts()
        .filter(reported_by=user)
        .select_related("service_user", "ward")
        .order_by("-created_at")[:10]
    )
    panels.append(
        Panel(
            "Your draft incidents",
            [_item(i) for i in drafts],
            empty="You have no unfinished incident records.",
            link=("All incidents", reverse("incidents:list")),
        )
    )
    if role == "ward_manager":
        waiting = list(
            incidents_visible_to(user)
            .awaiting_sign_off()
            .select_related("service_user", "ward")
            .order_by("started_at")
        )
        permissions.prefetch(user, waiting)
        waiting = [i for i in waiting if permissions.has(user, "incidents.sign_off_incident", i)]
        panels.append(
            Panel(
                "Incidents to sign off",
                [_item(i) for i in waiting[:10]],
                empty="No incidents are waiting for your sign-off.",
                link=("Show all awaiting sign-off", reverse("incidents:list") + "?status=submitted"),
            )
        )
    return panels
