"""Who may see and do what with blanket rules, reviews and challenges (shared/personas.md).

Rules and challenges carry object permissions granted to the ward teams' groups. A service user's
sight of a ward's notice board follows the ward they are on now, and a consented carer's follows
the cared-for person's current ward: those two are worked out here, never granted per rule.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from blanket_rules.models import BlanketRule, BlanketRuleReview, Challenge
from rrp import permissions, roles
from rrp.models import ServiceUser, Ward

# What patients and carers see of the register: rules in force, and lifted ones for "what changed".
PUBLIC_STATUSES = (*BlanketRule.IN_FORCE_STATUSES, BlanketRule.Status.LIFTED)


def people_for(user):
    """Return the service users this user may act for as a patient or carer (themself, cared-for)."""
    role = roles.role_of(user)
    if role == roles.SERVICE_USER:
        return ServiceUser.objects.filter(user=user)
    if role == roles.CARER:
        return roles.cared_for(user)
    return ServiceUser.objects.none()


def notice_board_wards(user):
    """Return the wards whose notice board this user may read as a patient or carer."""
    people = people_for(user)
    return Ward.objects.filter(admissions__service_user__in=people, admissions__end__isnull=True).distinct()


def is_patient_or_carer(user) -> bool:
    return roles.role_of(user) in (roles.SERVICE_USER, roles.CARER)


def rules_visible_to(user):
    """Return the rules this user may view."""
    if not user.is_authenticated:
        return BlanketRule.objects.none()
    if is_patient_or_carer(user):
        return BlanketRule.objects.filter(
            status__in=PUBLIC_STATUSES, pk__in=BlanketRule.objects.filter(wards__in=notice_board_wards(user))
        )
    return permissions.visible(user, "view", BlanketRule.objects.all())


def get_rule_or_404(user, pk, perm: str | None = None) -> BlanketRule:
    """Return the rule if `user` may view it, else 404; 403 if they may view it but lack `perm`."""
    try:
        rule = rules_visible_to(user).get(pk=pk)
    except (BlanketRule.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if perm and perm != "view" and not permissions.has(user, perm, rule):
        raise PermissionDenied
    return rule


def can_propose(user) -> bool:
    return roles.role_of(user) in ("ward_staff", "ward_manager") and roles.staff_wards(user).exists()


def proposable_wards(user):
    """Wards on which this member of staff may propose a rule."""
    if roles.role_of(user) not in ("ward_staff", "ward_manager"):
        return Ward.objects.none()
    return roles.staff_wards(user).select_related("division")


def can_challenge(user, rule: BlanketRule) -> bool:
    """Anyone who may see a rule may challenge it, except the recovery lead who hears appeals."""
    return (
        roles.role_of(user)
        in (
            roles.SERVICE_USER,
            roles.CARER,
            "peer_worker",
            "ward_staff",
            "ward_manager",
        )
        and rules_visible_to(user).filter(pk=rule.pk).exists()
    )


def challengeable_rules(user):
    return rules_visible_to(user).in_force()


def challenge_people(user, rule: BlanketRule | None = None):
    """People a challenge may be raised for: self, cared-for, or (peer workers) people on their ward."""
    role = roles.role_of(user)
    if role in (roles.SERVICE_USER, roles.CARER):
        return people_for(user)
    if role in ("peer_worker", "ward_staff", "ward_manager"):
        wards = roles.staff_wards(user)
        if rule is not None:
            wards = wards.filter(pk__in=rule.wards.values("pk"))
        return ServiceUser.objects.filter(admissions__ward__in=wards, admissions__end__isnull=True).distinct()
    return ServiceUser.objects.none()


def challenges_visible_to(user):
    if not user.is_authenticated:
        return Challenge.objects.none()
    return permissions.visible(user, "view", Challenge.objects.all())


def get_challenge_or_404(user, pk, perm: str | None = None) -> Challenge:
    return permissions.get_or_404(
        user, Challenge.objects.select_related("rule", "ward", "service_user", "raised_by"), pk, perm
    )


def can_ask_look_again(user, challenge: Challenge) -> bool:
    """The person who raised it, or the person it is about, may ask the recovery lead to look again."""
    if challenge.status != Challenge.Status.DECIDED:
        return False
    if challenge.raised_by_id == user.pk:
        return True
    return bool(challenge.service_user_id and challenge.service_user.user_id == user.pk)


def reviews_visible_to(user):
    """Reviews are guarded through their rule; patients and carers see reviews of rules they can see."""
    return BlanketRuleReview.objects.filter(rule__in=rules_visible_to(user))


def get_review_or_404(user, pk, perm: str | None = None) -> BlanketRuleReview:
    try:
        review = reviews_visible_to(user).select_related("rule").get(pk=pk)
    except (BlanketRuleReview.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if perm and perm != "view" and not permissions.has(user, perm, review.rule):
        raise PermissionDenied
    return review
