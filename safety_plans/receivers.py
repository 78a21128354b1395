"""Reactions to other apps' events: transfers, carer consent and post incident review actions."""

from safety_plans import services
from safety_plans.models import SafetyPlan


def move_plan_with_person(sender, *, service_user, from_ward, to_ward, by=None, **kwargs):
    """The plan is a live record: the new ward's team takes it over, the old one loses it."""
    plan = SafetyPlan.objects.filter(service_user=service_user).first()
    if plan is not None:
        services.plan_move(plan=plan, from_ward=plan.ward or from_ward, to_ward=to_ward, by=by)


def revoke_withdrawn_carer(sender, *, link, by=None, **kwargs):
    if not (link.is_active and link.shares_safety_plan):
        services.carer_access_withdraw(link=link, by=by)


def propose_from_review_action(sender, *, action, by=None, **kwargs):
    """A review action of kind "safety_plan" becomes a proposed change in the person's plan."""
    if getattr(action, "kind", None) != "safety_plan":
        return
    services.proposal_create(
        service_user=_person_of(action),
        text=action.description,
        source_label="Post incident review",
        source_url=action.get_absolute_url(),
        by=by,
    )


def _person_of(action):
    """The person the action is about: on the action itself, or through its review's incident."""
    person = getattr(action, "service_user", None)
    if person is None:
        person = action.review.incident.service_user
    return person
