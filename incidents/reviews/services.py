"""Every write to a post incident review, with its authorship rules and its grants."""

import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from incidents.models import Incident
from incidents.reviews.models import (
    Account,
    Debrief,
    InvalidReviewTransition,
    LearningPoint,
    PanelLearning,
    PathwayEntry,
    Review,
    ReviewAction,
)
from incidents.reviews.signals import review_action_created
from rrp import bulk, permissions
from rrp.concurrency import StaleEdit, bump, check_version
from rrp.models import CarerLink


def _save(obj, by, reason=""):
    obj._history_user = by
    if reason:
        obj._change_reason = reason
    obj.full_clean()
    obj.save()
    return obj


def _locked(review: Review) -> Review:
    return Review.objects.select_for_update().select_related("incident__ward__division").get(pk=review.pk)


def _require_open(review: Review) -> None:
    # Read the status from the database: the caller's copy may be older than a close.
    if review.is_closed or Review.objects.filter(pk=review.pk, status=Review.Status.CLOSED).exists():
        raise ValidationError("This review is closed, so it can no longer be changed.")


def person_user(review: Review):
    return review.incident.service_user.user


def is_person(user, review: Review) -> bool:
    return user is not None and user.pk is not None and person_user(review) == user


def is_person_side(user, review: Review) -> bool:
    """The person, or the supporter they invited, while the invitation stands."""
    return is_person(user, review) or (review.supporter_id is not None and review.supporter_id == user.pk)


def due_at_for(incident: Incident) -> datetime.datetime:
    moment = incident.ended_at or incident.started_at or incident.submitted_at or timezone.now()
    return moment + datetime.timedelta(hours=settings.RRP_REVIEW_DUE_HOURS)


@transaction.atomic
@bulk.deferred()
def review_create_for_incident(*, incident: Incident, by: User | None = None) -> Review:
    """Create the review of a submitted incident (once) and share it with the ward's team and the person."""
    existing = Review.objects.filter(incident=incident).first()
    if existing:
        return existing
    review = Review(incident=incident, ward_id=incident.ward_id, due_at=due_at_for(incident))
    review = _save(review, by, "incident submitted")
    ward = incident.ward
    reason = "review created"
    permissions.grant(["view", "change"], to=ward.staff_group, obj=review, by=by, reason=reason)
    permissions.grant(["close"], to=ward.managers_group, obj=review, by=by, reason=reason)
    permissions.grant(["view"], to=ward.division.leads_group, obj=review, by=by, reason=reason)
    person = incident.service_user.user
    if person is not None:
        permissions.grant(["view", "contribute"], to=person, obj=review, by=by, reason="own review")
    return review


@transaction.atomic
@bulk.deferred()
def debrief_record(*, review: Review, by: User, **fields) -> Debrief:
    """Record (or correct) the immediate debrief; it stays separate from the fuller review."""
    debrief = Debrief.objects.filter(review=review).first() or Debrief(review=review, recorded_by=by)
    for name, value in fields.items():
        setattr(debrief, name, value)
    return _save(debrief, by)


@transaction.atomic
@bulk.deferred()
def participation_record(*, review: Review, by: User, participation: str, reason: str = "") -> Review:
    """The person says whether they take part; a decline keeps its reason (MHSDS not-held reason)."""
    review = _locked(review)
    _require_open(review)
    if participation == Review.Participation.DECLINED:
        if not reason.strip():
            raise ValidationError({"reason": "Say why the person does not want to take part."})
        review.not_held_reason = reason.strip()
    elif participation == Review.Participation.TAKING_PART:
        review.not_held_reason = ""
    else:
        raise ValidationError({"participation": "Choose whether the person is taking part."})
    review.participation = participation
    return _save(review, by, f"person {review.get_participation_display().lower()}")


def supporter_candidates(review: Review):
    """People the person may invite: the division's peer workers and their own carers."""
    incident = review.incident
    carers = CarerLink.objects.filter(service_user=incident.service_user, withdrawn_at__isnull=True)
    return (
        User.objects.filter(is_active=True)
        .filter(Q(groups__pk=incident.ward.division.peers_group_id) | Q(pk__in=carers.values("carer")))
        .distinct()
        .order_by("first_name", "last_name")
    )


def _supporter_kind(review: Review, user: User) -> str:
    if user.groups.filter(pk=review.incident.ward.division.peers_group_id).exists():
        return Review.SupporterKind.PEER_WORKER
    return Review.SupporterKind.CARER


@transaction.atomic
@bulk.deferred()
def supporter_invite(*, review: Review, supporter: User, by: User) -> Review:
    """The person invites a supporter, who may then see this review and its incident and help write."""
    review = _locked(review)
    _require_open(review)
    if not is_person(by, review):
        raise PermissionDenied("Only the person can invite someone to support them.")
    if not supporter_candidates(review).filter(pk=supporter.pk).exists():
        raise ValidationError({"supporter": "Choose a peer support worker or one of your carers."})
    if review.supporter_id:
        _revoke_supporter(review, by, "supporter changed")
    review.supporter = supporter
    review.supporter_kind = _supporter_kind(review, supporter)
    if review.participation == Review.Participation.INVITED:
        review.participation = Review.Participation.TAKING_PART
    _save(review, by, "supporter invited")
    reason = "invited by the person to support them"
    permissions.grant(["view", "contribute"], to=supporter, obj=review, by=by, reason=reason)
    permissions.grant(["incidents.view_incident"], to=supporter, obj=review.incident, by=by, reason=reason)
    return review


def _revoke_supporter(review: Review, by, reason: str) -> None:
    supporter = review.supporter
    permissions.revoke(["view", "contribute"], frm=supporter, obj=review, by=by, reason=reason)
    permissions.revoke(["incidents.view_incident"], frm=supporter, obj=review.incident, by=by, reason=reason)


@transaction.atomic
@bulk.deferred()
def supporter_withdraw(*, review: Review, by: User) -> Review:
    review = _locked(review)
    if not is_person(by, review):
        raise PermissionDenied("Only the person can withdraw their invitation.")
    if review.supporter_id is None:
        raise ValidationError("Nobody is supporting you on this review.")
    return _end_support(review, by, "the person withdrew the invitation")


def _end_support(review: Review, by, reason: str) -> Review:
    _revoke_supporter(review, by, reason)
    review.supporter = None
    review.supporter_kind = ""
    return _save(review, by, reason)


@transaction.atomic
@bulk.deferred()
def supporters_end_for_carer(*, carer: User, service_user, by: User | None = None) -> int:
    """A carer whose link to the person was withdrawn stops supporting them on open reviews."""
    reviews = Review.objects.open().filter(incident__service_user=service_user, supporter=carer)
    count = 0
    for review in reviews.select_for_update():
        _end_support(review, by, "the person withdrew consent for this carer")
        count += 1
    return count


def involved_staff_ids(review: Review) -> set[int]:
    return set(review.incident.staff_involved.exclude(staff=None).values_list("staff_id", flat=True))


def facilitator_candidates(review: Review):
    """Ward staff of the division (this ward's team first) who were not involved in the incident."""
    division = review.incident.ward.division
    groups = [w.staff_group_id for w in division.wards.all()]
    return (
        User.objects.filter(groups__pk__in=groups, is_active=True)
        .exclude(pk__in=involved_staff_ids(review))
        .distinct()
        .order_by("first_name", "last_name")
    )


@transaction.atomic
@bulk.deferred()
def facilitator_assign(*, review: Review, facilitator: User, by: User) -> Review:
    """Choose the facilitator; one from another ward of the division is given this review only."""
    review = _locked(review)
    _require_open(review)
    if facilitator.pk in involved_staff_ids(review):
        raise ValidationError({"facilitator": "The facilitator must not have been involved in the incident."})
    if not facilitator_candidates(review).filter(pk=facilitator.pk).exists():
        raise ValidationError({"facilitator": "Choose a member of staff from one of the division's wards."})
    previous = review.facilitator
    ward_team = review.incident.ward.staff_group_id
    if previous is not None and previous != facilitator and not previous.groups.filter(pk=ward_team).exists():
        permissions.revoke(["view", "change"], frm=previous, obj=review, by=by, reason="facilitator changed")
    review.facilitator = facilitator
    review.facilitator_agreed_at = None
    _save(review, by, "facilitator assigned")
    if not facilitator.groups.filter(pk=ward_team).exists():
        permissions.grant(
            ["view", "change"], to=facilitator, obj=review, by=by, reason="facilitating the review"
        )
    return review


def person_account(review: Review) -> Account | None:
    return review.accounts.filter(kind=Account.Kind.PERSON).first()


@transaction.atomic
@bulk.deferred()
def account_save(
    *,
    review: Review,
    by: User,
    kind: str,
    what_happened: str,
    what_would_have_helped: str = "",
    share: bool = False,
    version=None,
) -> Account:
    """Save the person's or a staff member's own account, as a draft or shared with the review.

    The person's account is theirs: only they, or the supporter they invited, may write it.
    A staff account is its author's own. `version` is the one the writer started from (None for new).
    """
    review = _locked(review)
    _require_open(review)
    if kind == Account.Kind.PERSON:
        if not is_person_side(by, review):
            raise PermissionDenied("Only the person, or the supporter they invited, can write their account.")
        author = person_user(review)
    elif kind == Account.Kind.STAFF:
        if is_person_side(by, review) or not permissions.has(by, "change", review):
            raise PermissionDenied("Only members of the ward's team write staff accounts.")
        author = by
    else:
        raise ValidationError({"kind": "Unknown kind of account."})
    account = review.accounts.filter(kind=kind, author=author).first()
    if account is None:
        if version not in (None, ""):
            raise ValidationError("This account no longer exists.")
        account = Account(review=review, kind=kind, author=author)
    else:
        if version in (None, ""):
            raise StaleEdit(account)
        check_version(account, version)
        bump(account)
    if share and not what_happened.strip():
        raise ValidationError({"what_happened": "Write what happened before sharing your account."})
    account.what_happened = what_happened
    account.what_would_have_helped = what_would_have_helped
    account.last_written_by = by
    account.updated_at = timezone.now()
    account.written_with_support = kind == Account.Kind.PERSON and (
        account.written_with_support or not is_person(by, review)
    )
    if share:
        account.status = Account.Status.SHARED
    if kind == Account.Kind.PERSON and review.participation == Review.Participation.INVITED:
        review.participation = Review.Participation.TAKING_PART
        _save(review, by, "person started their account")
    return _save(account, by, "shared" if share else "draft saved")


def side_of(user, review: Review) -> str:
    return PathwayEntry.Side.PERSON if is_person_side(user, review) else PathwayEntry.Side.STAFF


def _require_writer(review: Review, by) -> None:
    if not (is_person_side(by, review) or permissions.has(by, "change", review)):
        raise PermissionDenied("You can see this review but not add to it.")


@transaction.atomic
@bulk.deferred()
def pathway_add(
    *, review: Review, by: User, phase: str, text: str, happened_at: datetime.datetime | None = None
) -> PathwayEntry:
    _require_open(review)
    _require_writer(review, by)
    entry = PathwayEntry(
        review=review, phase=phase, text=text, happened_at=happened_at, side=side_of(by, review), added_by=by
    )
    return _save(entry, by)


@transaction.atomic
@bulk.deferred()
def learning_add(*, review: Review, by: User, text: str, view: str = "") -> LearningPoint:
    """Propose a lesson; the proposing side agrees with it, the other side is asked."""
    _require_open(review)
    _require_writer(review, by)
    side = side_of(by, review)
    point = LearningPoint(review=review, text=text, side=side, proposed_by=by)
    if side == PathwayEntry.Side.PERSON:
        point.person_response, point.person_view = LearningPoint.Response.AGREED, view
    else:
        point.staff_response, point.staff_view = LearningPoint.Response.AGREED, view
    return _save(point, by)


@transaction.atomic
@bulk.deferred()
def learning_respond(*, point: LearningPoint, by: User, response: str, view: str = "") -> LearningPoint:
    """Record one side's agreement or disagreement; a disagreement keeps that side's view beside the other."""
    review = point.review
    _require_open(review)
    _require_writer(review, by)
    if response == LearningPoint.Response.DISAGREED and not view.strip():
        raise ValidationError({"view": "Say what you think instead, so both views are kept."})
    if side_of(by, review) == PathwayEntry.Side.PERSON:
        point.person_response, point.person_view = response, view
    else:
        point.staff_response, point.staff_view = response, view
    return _save(point, by)


@transaction.atomic
@bulk.deferred()
def action_create(
    *,
    review: Review,
    by: User,
    kind: str,
    description: str,
    owner: User,
    due_date: datetime.date,
) -> ReviewAction:
    _require_open(review)
    if not permissions.has(by, "change", review) or is_person_side(by, review):
        raise PermissionDenied("Actions are agreed with the person and recorded by the ward's team.")
    if not User.objects.filter(pk=owner.pk, groups=review.incident.ward.staff_group).exists():
        raise ValidationError({"owner": "The owner must be a member of this ward's team."})
    action = _save(
        ReviewAction(
            review=review, kind=kind, description=description, owner=owner, due_date=due_date, created_by=by
        ),
        by,
    )
    review_action_created.send(sender=ReviewAction, action=action, by=by)
    return action


@transaction.atomic
@bulk.deferred()
def action_update(*, action: ReviewAction, by: User, version, at=None, **fields) -> ReviewAction:
    check_version(action, version)
    previous = action.status
    for name, value in fields.items():
        setattr(action, name, value)
    if action.status != ReviewAction.Status.OPEN and previous == ReviewAction.Status.OPEN:
        action.completed_at = at or timezone.now()
    elif action.status == ReviewAction.Status.OPEN:
        action.completed_at = None
    bump(action)
    return _save(action, by)


@transaction.atomic
@bulk.deferred()
def meeting_record(*, review: Review, by: User, held_at: datetime.datetime) -> Review:
    review = _locked(review)
    _require_open(review)
    if held_at > timezone.now():
        raise ValidationError({"held_at": "The meeting cannot be in the future."})
    if review.incident.started_at and held_at < review.incident.started_at:
        raise ValidationError({"held_at": "The meeting must be after the incident."})
    review.held_at = held_at
    return _save(review, by, "review meeting recorded")


@transaction.atomic
@bulk.deferred()
def summary_save(*, review: Review, by: User, summary: str, version) -> Review:
    """Write the summary; a changed summary has to be agreed again by both."""
    check_version(review, version)
    review = _locked(review)
    _require_open(review)
    if summary != review.summary:
        review.person_agreement, review.person_agreement_note, review.person_agreed_at = "", "", None
        review.facilitator_agreed_at = None
    review.summary = summary
    bump(review)
    return _save(review, by, "summary written")


@transaction.atomic
@bulk.deferred()
def summary_agree(*, review: Review, by: User, agreement: str = "agreed", note: str = "", at=None) -> Review:
    """The person agrees or disagrees with the summary; the facilitator agrees it."""
    review = _locked(review)
    _require_open(review)
    if not review.summary.strip():
        raise ValidationError("There is no summary to agree yet.")
    now = at or timezone.now()
    if is_person(by, review):
        if agreement not in (Review.Agreement.AGREED, Review.Agreement.DISAGREED):
            raise ValidationError({"agreement": "Choose whether you agree with the summary."})
        if agreement == Review.Agreement.DISAGREED and not note.strip():
            raise ValidationError({"note": "Say what you disagree with, so your view is kept."})
        review.person_agreement, review.person_agreement_note, review.person_agreed_at = agreement, note, now
        if review.participation == Review.Participation.INVITED:
            review.participation = Review.Participation.TAKING_PART
    elif review.facilitator_id == by.pk:
        review.facilitator_agreed_at = now
    else:
        raise PermissionDenied("Only the person and the facilitator agree the summary.")
    return _save(review, by, "summary agreed" if agreement == "agreed" else "summary disagreed")


# What `review_missing` asks of a review's other rows, as annotations (`load_missing_facts`).
def _missing_facts() -> dict:
    shared = Account.objects.filter(review=OuterRef("pk"), status=Account.Status.SHARED)
    return {
        "has_debrief": Exists(Debrief.objects.filter(review=OuterRef("pk"))),
        "person_shared": Exists(shared.filter(kind=Account.Kind.PERSON)),
        "staff_shared": Exists(shared.filter(kind=Account.Kind.STAFF)),
        "has_pathway": Exists(PathwayEntry.objects.filter(review=OuterRef("pk"))),
    }


def load_missing_facts(reviews) -> None:
    """Read what `review_missing` needs for the open ones of `reviews` in one query, not four each
    (an API page of open reviews); closed reviews need none."""
    open_ids = [review.pk for review in reviews if not review.is_closed]
    if not open_ids:
        return
    asked = _missing_facts()
    facts = Review.objects.filter(pk__in=open_ids).annotate(**asked).values("pk", *asked)
    by_id = {row.pop("pk"): row for row in facts}
    for review in reviews:
        if review.pk in by_id:
            review._missing_facts = by_id[review.pk]


def review_missing(review: Review) -> list[str]:
    """Return, in plain words, what must still be done before the review can close."""
    facts = getattr(review, "_missing_facts", None)

    def fact(name, ask) -> bool:
        return facts[name] if facts is not None else ask()

    missing = []
    if not fact(
        "has_debrief", lambda: hasattr(review, "debrief") or Debrief.objects.filter(review=review).exists()
    ):
        missing.append("Record the immediate debrief.")
    if review.facilitator_id is None:
        missing.append("Choose a facilitator who was not involved in the incident.")
    if review.participation == Review.Participation.INVITED:
        missing.append("The person has not yet said whether they want to take part.")
    # A person without a sign-in takes part through the meeting; their words reach the summary there.
    has_login = review.incident.service_user.user_id is not None
    if not review.person_declined:
        if has_login and not fact(
            "person_shared", lambda: review.accounts.shared().filter(kind=Account.Kind.PERSON).exists()
        ):
            missing.append("The person's own account has not been shared yet (or their decline recorded).")
        if review.held_at is None:
            missing.append("Record when the review meeting with the person was held.")
    if not fact("staff_shared", lambda: review.accounts.shared().filter(kind=Account.Kind.STAFF).exists()):
        missing.append("At least one member of staff must share their account.")
    if not fact("has_pathway", lambda: review.pathway.exists()):
        missing.append("Add at least one step to the pathway.")
    if not review.summary.strip():
        missing.append("Write the summary of the review.")
    elif has_login and not review.person_declined and not review.person_agreement:
        missing.append("The person has not yet agreed or disagreed with the summary.")
    if review.summary.strip() and review.facilitator_id and review.facilitator_agreed_at is None:
        missing.append("The facilitator has not agreed the summary yet.")
    return missing


@transaction.atomic
@bulk.deferred()
def review_close(*, review: Review, by: User, at=None) -> Review:
    """Close the review: derive the MHSDS flags, end the supporter's access, open it to the panel."""
    review = _locked(review)
    missing = review_missing(review)
    if missing:
        raise ValidationError(missing)
    try:
        review.transition_to(Review.Status.CLOSED, by=by)
    except InvalidReviewTransition as exc:
        raise ValidationError(str(exc)) from exc
    review.closed_at, review.closed_by = at or timezone.now(), by
    review.held_with_service_user = not review.person_declined and review.held_at is not None
    review.held_with_staff = review.accounts.shared().filter(kind=Account.Kind.STAFF).exists()
    if review.supporter_id:
        _revoke_supporter(review, by, "review closed")
    _save(review, by, "closed")
    division = review.incident.ward.division
    permissions.grant(["panel"], to=division.peers_group, obj=review, by=by, reason="closed: review panel")
    return review


@transaction.atomic
@bulk.deferred()
def panel_learning_add(*, review: Review, by: User, text: str) -> PanelLearning:
    if not review.is_closed or not permissions.has(by, "panel", review):
        raise PermissionDenied("The panel looks at closed reviews of its own division.")
    return _save(PanelLearning(review=review, text=text, written_by=by), by)
