"""The Trends menu item, and one-line signals on the home page of managers and leads."""

from django.urls import reverse

from rrp.hooks import Panel, PanelItem
from rrp.links import url
from trends import dashboard
from trends.filters import default_options
from trends.permissions import may_see_trends, trend_wards

ROLES = ("ward_staff", "ward_manager", "recovery_lead")


def nav_items(user, role):
    if role in ROLES and may_see_trends(user):
        return [("Trends", url("trends:dashboard"))]
    return []


def attention_panels(request, role):
    """Each ward's latest SPC signal, in one line ("Willow: special cause improvement since May 2026")."""
    if role not in ("ward_manager", "recovery_lead"):
        return []
    wards = trend_wards(request.user)
    if not wards:
        return []
    built = dashboard.build(wards, default_options(), only="rate")
    url = reverse("trends:dashboard")
    items = [
        PanelItem(text=s.summary, url=f"{url}?ward={s.extra['ward'].pk}#{s.key}") for s in built["rates"]
    ]
    return [Panel("Restrictive practice trends", items, link=("See all trends", url))]
