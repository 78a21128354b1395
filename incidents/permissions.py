"""Who may see and change which incidents: every incident page and the API go through these."""

from incidents.models import Incident
from rrp import permissions
from rrp.models import ServiceUser


def incidents_visible_to(user):
    """Return the incidents this user may view (drafts only to the ward's team)."""
    return permissions.visible(user, "view", Incident.objects.all())


def get_incident_or_404(user, pk, perm: str | None = None) -> Incident:
    """404 when the user may not see the incident; 403 when they may see it but lack `perm`."""
    queryset = Incident.objects.select_related("service_user", "ward__division", "admission")
    return permissions.get_or_404(user, queryset, pk, perm)


def is_subject(user, incident: Incident) -> bool:
    """True when `user` is the person force was used on: they get their own view of it."""
    return user.is_authenticated and incident.service_user.user_id == user.pk


def recordable_people(user):
    """People on this member of staff's wards now, for whom they may record an incident."""
    return (
        permissions.visible(user, "change", ServiceUser.objects.all())
        .filter(admissions__end__isnull=True, admissions__ward__staff_group__in=user.groups.all())
        .order_by("family_name", "given_name")
        .distinct()
    )
