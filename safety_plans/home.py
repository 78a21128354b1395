"""What the safety plans add to navigation, home pages and the person's page."""

import datetime
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone

from rrp import permissions, roles
from rrp.hooks import Panel, PanelItem
from rrp.links import url
from safety_plans import services
from safety_plans.models import Kind, Proposal, SafetyPlan
from safety_plans.permissions import plans_visible_to

DUE_SOON = datetime.timedelta(days=14)


def nav_items(user, role):
    if role == roles.SERVICE_USER:
        return [("My safety plan", url("safety_plans:mine"))]
    if role == roles.CARER:
        return [("Safety plan", url("safety_plans:list"))]
    if roles.is_staff_role(role):
        return [("Safety plans", url("safety_plans:list"))]
    return []


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _due_panel(plans, title: str) -> Panel:
    today = timezone.localdate()
    due = plans.due_by(today + DUE_SOON).order_by("review_by")
    return Panel(
        title,
        [
            PanelItem(
                text=plan.service_user.display_name,
                url=plan.get_absolute_url(),
                detail=f"{plan.ward or 'Not on a ward'}: review by {_day(plan.review_by)}",
                overdue=plan.review_by < today,
            )
            for plan in due[:20]
        ],
        empty="No safety plan is due for review in the next two weeks.",
        link=("All safety plans", reverse("safety_plans:list")),
    )


def _awaiting_staff_panel(plans) -> Panel:
    waiting = [
        p
        for p in plans.exclude(person_agreed_revision=None)
        if p.person_has_agreed and not p.staff_have_agreed
    ]
    return Panel(
        "Safety plans waiting for staff to agree",
        [
            PanelItem(
                p.service_user.display_name, p.get_absolute_url(), "The person has agreed the new draft."
            )
            for p in waiting[:20]
        ],
        empty="No plan is waiting for a member of staff to agree it.",
    )


def attention_panels(request, role):
    user = request.user
    if role in ("ward_staff", "ward_manager"):
        plans = plans_visible_to(user).filter(ward__in=roles.staff_wards(user))
        return [_due_panel(plans, "Safety plans due for review"), _awaiting_staff_panel(plans)]
    if role == "recovery_lead":
        plans = plans_visible_to(user).filter(ward__in=roles.lead_wards(user))
        return [_due_panel(plans, "Safety plans due for review in your division")]
    if role == roles.SERVICE_USER:
        return [_own_panel(user)]
    if role == roles.CARER:
        return [_carer_panel(plan) for plan in plans_visible_to(user).filter(shares__user=user).distinct()]
    return []


def _own_panel(user) -> Panel:
    plan = SafetyPlan.objects.filter(service_user__user=user).first()
    items = []
    if plan is None:
        items.append(PanelItem("Start your safety plan with your team", reverse("safety_plans:mine")))
    else:
        latest = plan.versions.first()
        draft = services.plan_snapshot(plan)
        changed = bool(draft) and (latest is None or not services.same_words(latest.content, draft))
        if changed and not plan.person_has_agreed:
            items.append(
                PanelItem("A draft is waiting for you to agree", plan.get_absolute_url(), "Read it first.")
            )
        pending = plan.proposals.filter(status=Proposal.Status.PENDING).count()
        if pending:
            items.append(
                PanelItem(
                    f"{pending} suggested change{'s' if pending > 1 else ''} to look at",
                    plan.get_absolute_url(),
                )
            )
        if plan.review_by and plan.review_by < timezone.localdate():
            items.append(
                PanelItem("Your plan is due to be looked at again", plan.get_absolute_url(), overdue=True)
            )
    return Panel(
        "Your safety plan",
        items,
        empty="Nothing to do on your safety plan right now.",
        link=("Open your safety plan", reverse("safety_plans:mine")),
    )


def _carer_panel(plan) -> Panel:
    person = plan.service_user
    name = person.preferred_name or person.given_name
    latest = plan.versions.first()
    items = [
        PanelItem(
            f"Version {latest.number}, agreed {_day(timezone.localdate(latest.agreed_at))}"
            if latest
            else "Not agreed yet",
            plan.get_absolute_url(),
        )
    ]
    if not plan.sections.filter(kind=Kind.FAMILY).exclude(text="").exists():
        items.append(
            PanelItem(
                "Write how your family can help",
                reverse("safety_plans:section_edit", args=[plan.pk, Kind.FAMILY]),
            )
        )
    return Panel(f"{name}'s safety plan", items, link=(f"Open {name}'s safety plan", plan.get_absolute_url()))


@dataclass
class PlanSummary:
    """The plan in brief for a nurse at 3 a.m.: what helps, what does not, cautions, who to tell."""

    plan: SafetyPlan
    agreed_at: datetime.datetime | None
    version_number: int | None
    helps: str
    does_not_help: str
    physical_health: str
    crisis_wishes: str
    who_to_tell: list[dict] = field(default_factory=list)
    draft_changed: bool = False
    template: str = "safety_plans/_summary.html"

    @property
    def items(self):
        return [
            ("What helps", self.helps),
            ("What does not help", self.does_not_help),
            ("Physical health and trauma: know before any restrictive intervention", self.physical_health),
            ("Wishes for a crisis and treatments not wanted", self.crisis_wishes),
        ]


def summary_for(plan: SafetyPlan) -> PlanSummary:
    """Summarise the latest agreed version (the draft, clearly marked, when none is agreed yet)."""
    latest = plan.versions.first()
    draft = services.plan_snapshot(plan)
    content = latest.content if latest else draft

    def text(kind):
        part = content.get(kind) or {}
        words = part.get("text", "")
        if part.get("disagreement"):
            words += f"\n(Does not agree: {part['disagreement']})"
        return words.strip()

    who = content.get(Kind.WHO_TO_TELL) or {}
    return PlanSummary(
        plan=plan,
        agreed_at=latest.agreed_at if latest else None,
        version_number=latest.number if latest else None,
        helps=text(Kind.HELPS),
        does_not_help=text(Kind.DOES_NOT_HELP),
        physical_health=text(Kind.PHYSICAL_HEALTH),
        crisis_wishes=text(Kind.CRISIS_WISHES),
        who_to_tell=who.get("contacts", []),
        draft_changed=bool(latest) and not services.same_words(latest.content, draft),
    )


def person_summaries(request, person):
    plan = SafetyPlan.objects.filter(service_user=person).select_related("service_user").first()
    if plan is None or not permissions.has(request.user, "view", plan):
        return []
    return [summary_for(plan)]
