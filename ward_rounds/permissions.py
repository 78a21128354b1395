"""Ward-round access: sessions and appointments by object permission, children through their appointment."""

from django.http import Http404

from rrp import permissions
from ward_rounds.models import Action, AgendaItem, Appointment, Outcome, WardRound


def sessions_visible_to(user):
    return permissions.visible(user, "view", WardRound.objects.select_related("ward"))


def appointments_visible_to(user):
    return permissions.visible(
        user, "view", Appointment.objects.select_related("service_user", "ward", "ward_round")
    )


def get_session_or_404(user, pk, perm=None) -> WardRound:
    return permissions.get_or_404(user, WardRound.objects.select_related("ward__division"), pk, perm)


def get_appointment_or_404(user, pk, perm=None) -> Appointment:
    return permissions.get_or_404(
        user,
        Appointment.objects.select_related("service_user", "ward__division", "ward_round", "peer_worker"),
        pk,
        perm,
    )


def _child_or_404(user, queryset, pk, path):
    try:
        obj = queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    appointment = obj
    for name in path:
        appointment = getattr(appointment, name)
    if not permissions.has(user, "view", appointment):
        raise Http404
    if (
        path[-1:] == ("appointment",)
        and isinstance(obj, (Outcome, Action))
        and not outcomes_visible(user, appointment)
    ):
        raise Http404
    return obj


def get_item_or_404(user, pk) -> AgendaItem:
    return _child_or_404(
        user,
        AgendaItem.objects.select_related("appointment__service_user", "appointment__ward", "author"),
        pk,
        ("appointment",),
    )


def get_action_or_404(user, pk) -> Action:
    return _child_or_404(
        user,
        Action.objects.select_related("outcome__item__appointment__service_user", "owner"),
        pk,
        ("outcome", "item", "appointment"),
    )


def outcomes_visible(user, appointment: Appointment) -> bool:
    """Staff see outcomes as they are written; the person, carer and peer worker once shared."""
    return appointment.is_shared or permissions.has(user, "see_draft", appointment)


def items_visible_to(user):
    return AgendaItem.objects.filter(appointment__in=appointments_visible_to(user).values("pk"))


def outcomes_visible_to(user):
    """Outcomes of appointments the user may view, drafts only for those who may see drafts."""
    visible = appointments_visible_to(user)
    drafts = permissions.visible(user, "see_draft", Appointment.objects.all())
    return Outcome.objects.filter(item__appointment__in=visible.values("pk")).filter(
        item__appointment__in=drafts.values("pk")
    ) | Outcome.objects.filter(
        item__appointment__in=visible.values("pk"), item__appointment__summary_shared_at__isnull=False
    )
