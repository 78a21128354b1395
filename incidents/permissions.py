"""Who may see and change which incidents: every incident page and the API go through these."""

from django.contrib.auth import get_user_model
from django.db.models import Q

from incidents.models import Incident
from rrp import permissions, statements
from rrp.models import ServiceUser, Ward

# The only groups incidents are granted to (incidents.services): the ward's team and managers,
# the division's recovery leads. Peer workers' groups hold no incident grants.
WARD_GROUPS = ("staff_group", "managers_group", "division__leads_group")


def incidents_visible_to(user):
    """Return the incidents this user may view (drafts only to the ward's team)."""
    return permissions.visible(user, "view", Incident.objects.all())


def incidents_listed_for(user) -> permissions.Listing:
    """The incidents this user may view, for a paged list (see `permissions.listing`)."""
    return permissions.listing(user, "view", Incident.objects.all())


def possible_wards(user) -> list[int]:
    """Every ward on which `user` may hold a grant on an incident (a superset; one query, cached).

    The wards whose groups, or whose division's groups, the user is in, and the wards of the
    incidents granted to the user alone (their own incidents, or ones they support a review of).

    Every `visible()` filter of incidents is narrowed to these wards (`permissions.narrow`, from
    incidents.apps). It changes no answer, only the plan. Grants on an incident go to its ward's
    and division's groups and to single people (incidents.services, never by hand), so every
    incident granted to the user is on one of them. With it PostgreSQL reads a list in order
    straight from the (ward, started_at) index, checking each row against the grants, instead of
    fetching every granted incident to sort them: a ward nurse's list at a million incidents
    took 67 ms without it and 8 ms without any permission filter (benchmarks/README.md).
    """
    return wards_of_grants(user, Incident, WARD_GROUPS)


def wards_of_grants(user, model, ward_groups) -> list[int]:
    """The wards of the `model` rows (which have a `ward`) on which `user` may hold any grant.

    The wards whose groups named in `ward_groups` (paths from the ward) the user is in, and the
    wards of the rows granted to the user alone. One query, kept on the user object until any
    grant or group membership changes.
    """

    def build(user_id, groups):
        alone = permissions.granted_to_user(get_user_model()(pk=user_id), None, model)
        wards = model.objects.filter(pk__in=alone).order_by().values_list("ward_id")
        if groups:
            ours = Q()
            for name in ward_groups:
                ours |= Q(**{f"{name}__in": groups})
            wards = Ward.objects.filter(ours).order_by().values_list("pk").union(wards)
        return wards

    def read():
        # The same statement on every request, compiled once (rrp.statements.values).
        key = f"wards_of_grants:{model._meta.label}:{','.join(ward_groups)}"
        rows = statements.values(Ward, key, build, user.pk, permissions.group_ids(user))
        return sorted({ward for (ward,) in rows})

    return permissions.kept(user, "_rrp_possible_wards", model, read)


def get_incident_or_404(user, pk: int, perm: str | None = None) -> Incident:
    """404 when the user may not see the incident; 403 when they may see it but lack `perm`.

    Read with its person, ward, division and admission by one statement compiled once
    (rrp.statements.record): compiling the queryset was about 2 ms of the incident's page
    (benchmarks/README.md, change 58)."""
    incident = statements.record(Incident, pk, ("service_user", "ward", "ward__division", "admission"))
    return permissions.checked_or_404(user, incident, perm)


def is_subject(user, incident: Incident) -> bool:
    """True when `user` is the person force was used on: they get their own view of it.

    Compared by the person's id, so the incident's person need not be loaded (the sign-in loads
    the user's own person record with the user)."""
    person = getattr(user, "service_user", None) if user.is_authenticated else None
    return person is not None and person.pk == incident.service_user_id


def recordable_people(user):
    """People on this member of staff's wards now, for whom they may record an incident."""
    visible = permissions.visible(user, "change", ServiceUser.objects.all())
    return _on_teams_wards(visible, user.groups.all()).order_by("family_name", "given_name").distinct()


def _on_teams_wards(people, groups):
    """Those of `people` admitted now to a ward whose team is one of `groups`."""
    return people.filter(admissions__end__isnull=True, admissions__ward__staff_group__in=groups)


def may_record_anyone(user) -> bool:
    """Whether `recordable_people(user)` holds anyone (the incident list's "Record an incident").

    The same question as one statement compiled once (rrp.statements.values): building and
    compiling `recordable_people(user).exists()` took longer than running it, about 1.5 ms of
    the incident list's 17 (benchmarks/README.md, change 48)."""
    if not user.is_authenticated:
        return False
    groups = permissions.group_ids(user)
    permission_id = permissions.permission_id_of("change", ServiceUser)
    if not groups or permission_id is None:
        return False  # only the team of a person's ward may record for them

    def build(user_id, permission_id, groups):
        granted = permissions.granted_ids(ServiceUser, user_id, permission_id, groups)
        people = _on_teams_wards(ServiceUser.objects.filter(pk__in=granted), groups)
        return people.order_by().values_list("pk")[:1]

    return bool(statements.values(ServiceUser, "may_record_anyone", build, user.pk, permission_id, groups))
