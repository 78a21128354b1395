"""What blanket rules add to the header menu and the home page."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from blanket_rules import permissions as rule_perms
from blanket_rules.models import BlanketRule, BlanketRuleReview, Challenge
from rrp import permissions, roles
from rrp.hooks import Panel, PanelItem
from rrp.links import url

STAFF_ROLES = ("ward_staff", "ward_manager", "recovery_lead", "peer_worker")


def nav_items(user, role):
    if role in STAFF_ROLES:
        return [("Blanket rules", url("blanket_rules:rule_list"))]
    if role in (roles.SERVICE_USER, roles.CARER):
        return [("Ward rules", url("blanket_rules:notice_board"))]
    return []


def _day(moment) -> str:
    return f"{timezone.localtime(moment):%-d %B %Y}"


def _due(challenge) -> str:
    return f"{challenge.challenger_name}. Reply due by {challenge.response_due:%-d %B %Y}"


def _review_items(reviews):
    return [
        PanelItem(
            text=f"Review of “{review.rule}”",
            url=review.get_absolute_url(),
            detail=f"Due by {review.due_date:%-d %B %Y}",
            overdue=review.overdue,
        )
        for review in reviews
    ]


def attention_panels(request, role):
    user = request.user
    register = ("See the register", reverse("blanket_rules:rule_list"))
    if role == "ward_manager":
        decidable = permissions.visible(
            user, "blanket_rules.decide_challenge", Challenge.objects.awaiting_decision()
        )
        challenges = decidable.select_related("rule", "service_user", "raised_by").order_by("response_due")[
            :10
        ]
        rules = permissions.visible(user, "change", BlanketRule.objects.in_force())
        soon = timezone.localdate() + timezone.timedelta(days=30)
        reviews = (
            BlanketRuleReview.objects.scheduled()
            .filter(rule__in=rules, due_date__lte=soon)
            .select_related("rule")
            .order_by("due_date")[:10]
        )
        proposed = permissions.visible(
            user, "change", BlanketRule.objects.filter(status=BlanketRule.Status.PROPOSED)
        )
        panels = [
            Panel(
                "Challenges to ward rules awaiting your decision",
                [
                    PanelItem(f"“{c.rule}”", c.get_absolute_url(), _due(c), overdue=c.overdue)
                    for c in challenges
                ],
                empty="No challenges are waiting for a decision.",
                link=("All challenges", reverse("blanket_rules:challenge_list")),
            ),
            Panel(
                "Blanket rule reviews due",
                _review_items(reviews)
                + [
                    PanelItem(f"Proposed rule to authorise: “{r}”", r.get_absolute_url())
                    for r in proposed[:5]
                ],
                empty="No reviews are due in the next 30 days.",
                link=register,
            ),
        ]
        return panels
    if role == "recovery_lead":
        rules = rule_perms.rules_visible_to(user).in_force()
        overdue = BlanketRuleReview.objects.overdue().filter(rule__in=rules).select_related("rule")
        look_again = permissions.visible(
            user, "blanket_rules.reconsider_challenge", Challenge.objects.look_again_requested()
        ).select_related("rule", "service_user", "raised_by", "ward")
        return [
            Panel(
                "Overdue blanket rule reviews in your division",
                _review_items(overdue.order_by("due_date")[:10]),
                empty="No blanket rule reviews are overdue.",
                link=register,
            ),
            Panel(
                "Requests to look again at a challenge decision",
                [
                    PanelItem(
                        f"“{c.rule}” on {c.ward}",
                        c.get_absolute_url(),
                        f"{c.challenger_name} asked on {_day(c.look_again_requested_at)}",
                    )
                    for c in look_again[:10]
                ],
                empty="Nobody has asked you to look again at a decision.",
            ),
        ]
    if role in (roles.SERVICE_USER, roles.CARER):
        wards = list(rule_perms.notice_board_wards(user))
        board = reverse("blanket_rules:notice_board")
        items = []
        for ward in wards:
            count = BlanketRule.objects.in_force().filter(wards=ward).count()
            items.append(
                PanelItem(
                    f"{count} rule{'s' if count != 1 else ''} in force on {ward.name}",
                    f"{board}?ward={ward.pk}",
                    "What they are, why, and when they are next reviewed",
                )
            )
        mine = rule_perms.challenges_visible_to(user).select_related("rule").order_by("-raised_at")[:5]
        for challenge in mine:
            if challenge.decision and challenge.status != Challenge.Status.AWAITING_DECISION:
                detail = f"{challenge.get_status_display()}: {challenge.get_decision_display().lower()}"
            else:
                detail = f"Waiting for a reply, due by {challenge.response_due:%-d %B %Y}"
            items.append(
                PanelItem(f"Your challenge to “{challenge.rule}”", challenge.get_absolute_url(), detail)
            )
        return [
            Panel(
                "Rules on your ward",
                items,
                empty="You are not on a ward at the moment."
                if role == roles.SERVICE_USER
                else "No ward rules to show.",
                link=("Challenge a rule", reverse("blanket_rules:challenge_create")),
            )
        ]
    return []


@dataclass
class PersonChallenges:
    """The person's challenges to ward rules, for their page (only those the viewer may see)."""

    challenges: list
    template: str = "blanket_rules/_person_summary.html"


def person_summaries(request, person):
    challenges = list(
        rule_perms.challenges_visible_to(request.user)
        .filter(service_user=person)
        .select_related("rule")
        .order_by("-raised_at")[:5]
    )
    return [PersonChallenges(challenges)] if challenges else []
