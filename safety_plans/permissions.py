"""The scoping rules for safety plans, defined once: a plan's children are guarded through it."""

from rrp import permissions
from safety_plans.models import PlanVersion, Proposal, SafetyPlan, Section


def plans_visible_to(user):
    return permissions.visible(user, "view", SafetyPlan.objects.select_related("service_user", "ward"))


def get_plan_or_404(user, pk, perm: str | None = None) -> SafetyPlan:
    return permissions.get_or_404(
        user, SafetyPlan.objects.select_related("service_user", "ward__division"), pk, perm
    )


def versions_visible_to(user):
    return PlanVersion.objects.filter(plan__in=plans_visible_to(user).values("pk"))


def sections_visible_to(user):
    return Section.objects.filter(plan__in=plans_visible_to(user).values("pk"))


def proposals_visible_to(user):
    return Proposal.objects.filter(plan__in=plans_visible_to(user).values("pk"))
