"""Who may see and write which part of a review: one place, used by every view and the API."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from incidents.permissions import wards_of_grants
from incidents.reviews.models import Review, ReviewAction
from incidents.reviews.services import is_person, is_person_side
from rrp import permissions

REVIEW_RELATED = (
    "incident__ward__division",
    "incident__service_user__user",
    "facilitator__staff",
    "supporter",
)


# The groups reviews are granted to (reviews.services): the ward's team and managers, the
# division's recovery leads and its review panel (peer workers).
WARD_GROUPS = ("staff_group", "managers_group", "division__leads_group", "division__peers_group")


def possible_wards(user) -> list[int]:
    """The wards where `user` could hold grants on reviews: every `visible()` filter of reviews is
    narrowed to them (`permissions.narrow`, from incidents.reviews.apps).

    As for incidents (`incidents.permissions.possible_wards`): it changes no answer, only the
    plan. A ward nurse's "reviews due" panel read all 10,000 of their ward's review grants to show
    the few open ones; narrowed, it reads the ward's open reviews in due order from their index.
    """
    return wards_of_grants(user, Review, WARD_GROUPS)


def reviews_visible_to(user):
    return permissions.visible(user, "view", Review.objects.select_related(*REVIEW_RELATED))


def get_review_or_404(user, pk, perm: str | None = None) -> Review:
    return permissions.get_or_404(user, Review.objects.select_related(*REVIEW_RELATED), pk, perm)


def get_action_or_404(user, pk) -> ReviewAction:
    try:
        action = ReviewAction.objects.select_related("review__incident__ward", "owner__staff").get(pk=pk)
    except (ReviewAction.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if not permissions.has(user, "view", action.review):
        raise Http404
    return action


def can_write_staff_side(user, review: Review) -> bool:
    return (
        not review.is_closed and not is_person_side(user, review) and permissions.has(user, "change", review)
    )


def can_write_person_side(user, review: Review) -> bool:
    return (
        not review.is_closed and is_person_side(user, review) and permissions.has(user, "contribute", review)
    )


def can_add(user, review: Review) -> bool:
    """Either side may add pathway entries and learning."""
    return can_write_staff_side(user, review) or can_write_person_side(user, review)


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def can_update_action(user, action: ReviewAction) -> bool:
    return action.owner_id == user.pk or can_write_staff_side(user, action.review)


def shows_names(user, review: Review) -> bool:
    """The person and their supporter see staff by job title only, never other people's names."""
    return not is_person_side(user, review)


def person_label(user, review: Review, viewer) -> str:
    """How to name the author of an entry to this viewer."""
    if user is None:
        return "System"
    if is_person(user, review):
        return "You" if user == viewer else review.incident.service_user.display_name
    if review.supporter_id == user.pk:
        kind = review.get_supporter_kind_display().lower()
        if user == viewer:
            return "You (supporter)"
        return (
            f"Supporter ({kind})" if not shows_names(viewer, review) else f"{user.get_full_name()} ({kind})"
        )
    staff = getattr(user, "staff", None)
    title = staff.job_title if staff else "Member of staff"
    if user == viewer:
        return f"You ({title})"
    if shows_names(viewer, review):
        return f"{user.get_full_name() or user.username} ({title})"
    return title
