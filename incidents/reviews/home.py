"""What reviews put on the home page and in the menu."""

from django.urls import reverse
from django.utils import timezone

from incidents.models import StaffInvolvement
from incidents.reviews.models import Account, Review, ReviewAction
from incidents.reviews.permissions import reviews_visible_to
from rrp import permissions
from rrp.hooks import Panel, PanelItem
from rrp.links import url

STAFF_ROLES = ("ward_staff", "ward_manager", "recovery_lead")


def nav_items(user, role):
    if role in (*STAFF_ROLES, "peer_worker"):
        return [("Reviews", url("reviews:list"))]
    if role == "service_user":
        return [("My reviews", url("reviews:list"))]
    return []


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%-d %b %Y, %H:%M}"


def _title(review: Review, show_name: bool) -> str:
    started = review.incident.started_at
    date = f"{timezone.localtime(started):%-d %b}" if started else "undated"
    if show_name:
        return f"{review.incident.service_user.display_name}, {review.incident.ward} ({date})"
    return f"Incident on {review.incident.ward} ({date})"


def _fetch(reviews, limit: int) -> list[Review]:
    """The reviews of a panel: their ids first, from the reviews alone, then those few rows with
    what the panel prints. Joining the incident, person, ward and staff before the sort and limit
    made the database join every review the user may see (hundreds of milliseconds at scale)."""
    ids = list(reviews.values_list("pk", flat=True)[:limit])
    shown = Review.objects.select_related("incident__ward", "incident__service_user").in_bulk(ids)
    return [shown[pk] for pk in ids if pk in shown]


def attention_panels(request, role):
    user = request.user
    panels = []
    if role in ("ward_staff", "ward_manager"):
        open_reviews = _fetch(
            reviews_visible_to(user)
            .live()
            .filter(due_at__lte=timezone.now() + timezone.timedelta(hours=48))
            .order_by("due_at"),
            10,
        )
        panels.append(
            Panel(
                "Reviews due or overdue",
                [
                    PanelItem(_title(r, True), r.get_absolute_url(), f"Due {_when(r.due_at)}", r.is_overdue)
                    for r in open_reviews
                ],
                empty="No reviews are due in the next two days.",
                link=("All reviews", reverse("reviews:list")),
            )
        )
        written = Account.objects.filter(author=user, kind=Account.Kind.STAFF, status=Account.Status.SHARED)
        involved = StaffInvolvement.objects.filter(staff=user).values("incident_id")
        to_write = _fetch(
            reviews_visible_to(user)
            .live()
            .filter(incident_id__in=involved)
            .exclude(pk__in=written.values("review"))
            .order_by("due_at"),
            10,
        )
        panels.append(
            Panel(
                "Your accounts to write",
                [
                    PanelItem(
                        _title(r, True),
                        reverse("reviews:account_staff", args=[r.pk]),
                        f"Review due {_when(r.due_at)}",
                        r.is_overdue,
                    )
                    for r in to_write
                ],
                empty="You have no review accounts to write.",
            )
        )
    if role == "service_user":
        mine = list(
            reviews_visible_to(user)
            .live()
            .filter(incident__service_user__user=user)
            .exclude(participation=Review.Participation.DECLINED)
            .exclude(accounts__kind=Account.Kind.PERSON, accounts__status=Account.Status.SHARED)
            .order_by("due_at")
        )
        panels.append(
            Panel(
                "Tell us what happened from your side",
                [
                    PanelItem(
                        _title(r, False),
                        r.get_absolute_url(),
                        "In your own words. You can also say no, or ask someone to support you.",
                    )
                    for r in mine
                ],
                empty="There is no review waiting for your account.",
                link=("My reviews", reverse("reviews:list")),
            )
        )
        to_agree = list(
            reviews_visible_to(user)
            .live()
            .filter(incident__service_user__user=user, person_agreement="")
            .exclude(summary="")
        )
        if to_agree:
            panels.append(
                Panel(
                    "Summaries waiting for your view",
                    [PanelItem(_title(r, False), f"{r.get_absolute_url()}#summary") for r in to_agree],
                )
            )
    if role in (*STAFF_ROLES, "peer_worker"):
        supporting = list(reviews_visible_to(user).live().filter(supporter=user))
        if supporting:
            panels.append(
                Panel(
                    "Reviews where you are supporting someone",
                    [
                        PanelItem(_title(r, True), r.get_absolute_url(), f"Due {_when(r.due_at)}")
                        for r in supporting
                    ],
                )
            )
        actions = list(
            ReviewAction.objects.filter(owner=user, status=ReviewAction.Status.OPEN)
            .select_related("review")
            .order_by("due_date")[:10]
        )
        permissions.prefetch(user, [a.review for a in actions])
        panels.append(
            Panel(
                "Review actions you own",
                [
                    PanelItem(
                        f"{a.get_kind_display()}: {a.description[:80]}",
                        a.get_absolute_url(),
                        f"Due {a.due_date:%-d %b %Y}",
                        a.is_overdue,
                    )
                    for a in actions
                    if permissions.has(user, "view", a.review)
                ],
                empty="You own no open review actions.",
            )
        )
    if role == "peer_worker":
        count = (
            permissions.visible(user, "panel", Review.objects.closed())
            .exclude(panel_learning__isnull=False)
            .count()
        )
        panels.append(
            Panel(
                "Review panel",
                [
                    PanelItem(
                        f"{count} closed reviews without the panel's learning yet",
                        reverse("reviews:panel_list"),
                    )
                ]
                if count
                else [],
                empty="The panel is up to date.",
                link=("Open the review panel", reverse("reviews:panel_list")),
            )
        )
    return panels


class _PersonReviews:
    template = "reviews/_person_summary.html"

    def __init__(self, rows, list_url):
        self.rows = rows
        self.list_url = list_url


def person_summaries(request, person):
    """The person's recent reviews, on their page (staff) and wherever their summaries are shown."""
    reviews = list(
        reviews_visible_to(request.user)
        .filter(incident__service_user=person)
        .order_by("-incident__started_at")[:5]
    )
    if not reviews:
        return []
    show_name = not (person.user_id and person.user_id == request.user.pk)
    return [_PersonReviews([(r, _title(r, show_name)) for r in reviews], reverse("reviews:list"))]
