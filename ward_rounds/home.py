"""What ward rounds add to the home page, the menu and the person's page."""

import datetime
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone

from rrp import permissions, roles
from rrp.hooks import Panel, PanelItem
from rrp.links import url
from ward_rounds.models import Action, Appointment, WardRound
from ward_rounds.permissions import appointments_visible_to

TEAM_ROLES = ("ward_staff", "ward_manager")
UPCOMING_DAYS = 7


def nav_items(user, role):
    link = url("ward_rounds:index")
    if role == roles.SERVICE_USER:
        return [("My ward rounds", link)]
    if role in (*TEAM_ROLES, "recovery_lead", "peer_worker", roles.CARER):
        return [("Ward rounds", link)]
    return []


def _when(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local:%A} {local.day} {local:%B, %H:%M}"


def _day(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local.day} {local:%B}"


def _actions_panel(user, title) -> Panel:
    actions = (
        Action.objects.open().filter(owner=user).select_related("outcome__item__appointment__service_user")
    )
    items = [
        PanelItem(
            text=f"{action.description} (by {action.due.day} {action.due:%B %Y})",
            url=action.outcome.item.get_absolute_url(),
            detail=f"From the ward round of {action.outcome.item.appointment.service_user}, "
            f"{_day(action.outcome.item.appointment.scheduled_at)}",
            overdue=action.is_overdue,
        )
        for action in actions[:10]
    ]
    return Panel(title, items, empty="You have no ward-round actions to do.")


def _upcoming_for(user):
    now = timezone.now()
    return (
        appointments_visible_to(user)
        .filter(status=Appointment.Status.BOOKED, scheduled_at__gte=now - datetime.timedelta(hours=3))
        .order_by("scheduled_at")
    )


def _late_text(appointment) -> str:
    if appointment.running_late:
        return f"Running late: now expected at {timezone.localtime(appointment.expected_at):%H:%M}. "
    return ""


def _person_panels(request) -> list[Panel]:
    user = request.user
    panels = []
    upcoming = _upcoming_for(user).filter(service_user__user=user).select_related("preparation").first()
    next_panel = Panel("Your next ward round", empty="You have no ward round booked at the moment.")
    if upcoming:
        own_items = upcoming.items.filter(author=user).count()
        todo = []
        if not upcoming.preparation.is_started:
            todo.append("write how your week has been and your goals")
        if not own_items:
            todo.append("add what you want to talk about")
        detail = _late_text(upcoming)
        detail += (
            f"Preparation to do: {' and '.join(todo)}."
            if todo
            else f"You have {own_items} {'item' if own_items == 1 else 'items'} on the agenda."
        )
        next_panel.items.append(
            PanelItem(text=_when(upcoming.scheduled_at), url=upcoming.get_absolute_url(), detail=detail)
        )
    panels.append(next_panel)
    unread = (
        appointments_visible_to(user)
        .filter(service_user__user=user, summary_shared_at__isnull=False, summary_read_at__isnull=True)
        .order_by("-scheduled_at")
    )
    panels.append(
        Panel(
            "Ward round outcomes to read",
            [
                PanelItem(
                    text=f"Your ward round of {_day(a.scheduled_at)}: the summary and decisions",
                    url=a.get_absolute_url(),
                )
                for a in unread[:5]
            ],
            empty="You have read every ward round summary.",
        )
    )
    if Action.objects.open().filter(owner=user).exists():
        panels.append(_actions_panel(user, "Things you agreed to do after ward rounds"))
    return panels


def _carer_panels(request) -> list[Panel]:
    user = request.user
    items = []
    seen = set()
    for appointment in _upcoming_for(user).select_related("service_user"):
        if appointment.service_user_id in seen:
            continue
        seen.add(appointment.service_user_id)
        count = appointment.items.on_agenda().count()
        mine = appointment.items.filter(author=user).count()
        items.append(
            PanelItem(
                text=f"{appointment.service_user}'s next ward round: {_when(appointment.scheduled_at)}",
                url=appointment.get_absolute_url(),
                detail=f"{_late_text(appointment)}{count} {'item' if count == 1 else 'items'} on the agenda, "
                f"{mine} from you.",
            )
        )
    panels = [Panel("Ward rounds", items, empty="No ward rounds are booked for the people you support.")]
    if Action.objects.open().filter(owner=user).exists():
        panels.append(_actions_panel(user, "Things you agreed to do after ward rounds"))
    shared = (
        appointments_visible_to(user)
        .filter(summary_shared_at__gte=timezone.now() - datetime.timedelta(days=14))
        .order_by("-summary_shared_at")
    )
    if shared:
        panels.append(
            Panel(
                "Ward round outcomes shared with you",
                [
                    PanelItem(
                        text=f"{a.service_user}, {_day(a.scheduled_at)}",
                        url=a.get_absolute_url(),
                    )
                    for a in shared[:3]
                ],
            )
        )
    return panels


def _team_panels(request, role) -> list[Panel]:
    user = request.user
    now = timezone.now()
    wards = roles.staff_wards(user)
    sessions = (
        permissions.visible(user, "view", WardRound.objects.filter(ward__in=wards))
        .upcoming(now)
        .filter(starts_at__lte=now + datetime.timedelta(days=UPCOMING_DAYS))
        .select_related("ward")
        .order_by("starts_at")
    )
    items = []
    for session in sessions[:5]:
        appointments = session.appointments.active()
        booked = appointments.count()
        late = sum(1 for a in appointments if a.running_late)
        detail = f"{booked} {'person' if booked == 1 else 'people'} booked in"
        if late:
            detail += f"; {late} running late"
        items.append(
            PanelItem(
                text=f"{session.ward} ward round, {_when(session.starts_at)}",
                url=session.get_absolute_url(),
                detail=detail,
            )
        )
    panels = [
        Panel(
            "Upcoming ward rounds on your ward",
            items,
            empty=f"No ward rounds in the next {UPCOMING_DAYS} days.",
            link=("All ward rounds", reverse("ward_rounds:index")),
        ),
        _actions_panel(user, "Your ward-round actions"),
    ]
    return panels


def attention_panels(request, role):
    if role == roles.SERVICE_USER:
        return _person_panels(request)
    if role == roles.CARER:
        return _carer_panels(request)
    if role in TEAM_ROLES:
        return _team_panels(request, role)
    if role in ("recovery_lead", "peer_worker"):
        panels = []
        if role == "peer_worker":
            invited = _upcoming_for(request.user).select_related("service_user")[:5]
            if invited:
                panels.append(
                    Panel(
                        "Ward rounds you are invited to",
                        [
                            PanelItem(f"{a.service_user}, {_when(a.scheduled_at)}", a.get_absolute_url())
                            for a in invited
                        ],
                    )
                )
        if Action.objects.open().filter(owner=request.user).exists():
            panels.append(_actions_panel(request.user, "Your ward-round actions"))
        return panels
    return []


@dataclass
class PersonWardRounds:
    template: str = "ward_rounds/_person_summary.html"
    upcoming: list = field(default_factory=list)
    recent: list = field(default_factory=list)


def person_summaries(request, person):
    visible = appointments_visible_to(request.user).filter(service_user=person)
    if not visible.exists():
        return []
    now = timezone.now()
    return [
        PersonWardRounds(
            upcoming=list(
                visible.filter(status=Appointment.Status.BOOKED, scheduled_at__gte=now).order_by(
                    "scheduled_at"
                )[:3]
            ),
            recent=list(
                visible.filter(scheduled_at__lt=now).exclude(status="cancelled").order_by("-scheduled_at")[:3]
            ),
        )
    ]
