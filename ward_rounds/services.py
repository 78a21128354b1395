"""Every write to ward rounds, and every grant and revocation of their access."""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from rrp import permissions
from rrp.concurrency import StaleEdit, bump, check_version
from rrp.models import LONDON, CarerLink, ServiceUser, StaffProfile, Ward
from ward_rounds.models import (
    Action,
    AgendaItem,
    Appointment,
    InvalidAppointmentTransition,
    Outcome,
    Preparation,
    WardRound,
)

TEAM_PERMS = ["view", "change", "contribute", "record_outcome", "see_draft"]
LEAD_PERMS = ["view", "see_draft"]
HISTORY_PERMS = ["view", "see_draft"]  # a new ward's team reading the person's earlier rounds
PERSON_PERMS = ["view", "contribute"]


def _save(obj, by, reason=""):
    obj._history_user = by
    if reason:
        obj._change_reason = reason
    obj.full_clean()
    obj.save()
    return obj


def _local_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(LONDON).date()


def active_ward_round_carers(person: ServiceUser):
    """Return the carer links through which this person shares their ward rounds now."""
    return [
        link
        for link in CarerLink.objects.filter(service_user=person, shares_ward_rounds=True).select_related(
            "carer"
        )
        if link.is_active
    ]


def ward_peer_workers(ward: Ward):
    """Return the peer support workers assigned to a ward (whom the person may invite)."""
    return User.objects.filter(
        staff__role=StaffProfile.Role.PEER_WORKER, staff__assignments__ward=ward, is_active=True
    ).order_by("first_name", "last_name")


@transaction.atomic
def ward_round_create(
    *,
    ward: Ward,
    starts_at: datetime.datetime,
    purpose: str,
    by: User,
    location: str = "",
    led_by: str = "",
    recording_past: bool = False,
) -> WardRound:
    """Create a ward-round session; the ward's team runs it and the division's leads can see it.

    `recording_past` is for entering rounds that already happened (paper records, the demo).
    """
    if not recording_past and starts_at < timezone.now():
        raise ValidationError({"starts_at": "A ward round cannot be arranged in the past."})
    session = _save(
        WardRound(
            ward=ward, starts_at=starts_at, purpose=purpose, location=location, led_by=led_by, created_by=by
        ),
        by,
    )
    permissions.grant(
        ["view", "change"], to=ward.staff_group, obj=session, by=by, reason="ward round created"
    )
    permissions.grant(["view"], to=ward.division.leads_group, obj=session, by=by, reason="ward round created")
    return session


def _grant_appointment(appointment: Appointment, by, reason: str) -> None:
    ward = appointment.ward
    permissions.grant(TEAM_PERMS, to=ward.staff_group, obj=appointment, by=by, reason=reason)
    permissions.grant(LEAD_PERMS, to=ward.division.leads_group, obj=appointment, by=by, reason=reason)
    person = appointment.service_user
    if person.user_id:
        permissions.grant(
            PERSON_PERMS, to=person.user, obj=appointment, by=by, reason=f"{reason}: own appointment"
        )
    for link in active_ward_round_carers(person):
        permissions.grant(
            PERSON_PERMS, to=link.carer, obj=appointment, by=by, reason=f"{reason}: carer with consent"
        )
    if appointment.peer_worker_id:
        permissions.grant(
            PERSON_PERMS,
            to=appointment.peer_worker,
            obj=appointment,
            by=by,
            reason=f"{reason}: invited by the person",
        )


@transaction.atomic
def appointment_book(
    *,
    ward_round: WardRound,
    service_user: ServiceUser,
    scheduled_at: datetime.datetime,
    by: User,
    recording_past: bool = False,
    **attendance,
) -> Appointment:
    """Book a person into a ward round; their preparation opens at once."""
    # Lock the session so two people booking the same person at once cannot both succeed.
    WardRound.objects.select_for_update().get(pk=ward_round.pk)
    errors = {}
    if not recording_past and scheduled_at < timezone.now():
        errors["scheduled_at"] = "This time has already passed. Choose a time in the future."
    elif (
        _local_date(scheduled_at) != _local_date(ward_round.starts_at) or scheduled_at < ward_round.starts_at
    ):
        errors["scheduled_at"] = (
            f"Choose a time on {timezone.localtime(ward_round.starts_at):%A %d %B %Y} "
            f"from {timezone.localtime(ward_round.starts_at):%H:%M}, when this ward round is held."
        )
    admission = service_user.admission_at(scheduled_at) if recording_past else service_user.current_admission
    if admission is None or admission.ward_id != ward_round.ward_id:
        errors["service_user"] = (
            f"{service_user} is not on {ward_round.ward}, so cannot be booked into its ward round."
        )
    peer = attendance.get("peer_worker")
    if peer is not None and not ward_peer_workers(ward_round.ward).filter(pk=peer.pk).exists():
        errors["peer_worker"] = "Choose a peer support worker of this ward."
    if errors:
        raise ValidationError(errors)
    appointment = _save(
        Appointment(
            ward_round=ward_round,
            service_user=service_user,
            ward=ward_round.ward,
            scheduled_at=scheduled_at,
            booked_by=by,
            **attendance,
        ),
        by,
    )
    _save(Preparation(appointment=appointment), by, "preparation opened")
    _grant_appointment(appointment, by, "appointment booked")
    return appointment


@transaction.atomic
def appointment_update_attendance(*, appointment: Appointment, by: User, version, **fields) -> Appointment:
    """Change who will attend (agreed with the person), inviting or un-inviting a peer worker."""
    if not (permissions.has(by, "change", appointment) or _is_the_person(appointment, by)):
        raise PermissionDenied
    check_version(appointment, version)
    old_peer = appointment.peer_worker
    new_peer = fields.get("peer_worker", old_peer)
    if new_peer is not None and not ward_peer_workers(appointment.ward).filter(pk=new_peer.pk).exists():
        raise ValidationError({"peer_worker": "Choose a peer support worker of this ward."})
    for name, value in fields.items():
        setattr(appointment, name, value)
    bump(appointment)
    _save(appointment, by, "attendance changed")
    if old_peer != new_peer:
        if old_peer is not None:
            permissions.revoke(PERSON_PERMS, frm=old_peer, obj=appointment, by=by, reason="no longer invited")
        if new_peer is not None:
            permissions.grant(
                PERSON_PERMS, to=new_peer, obj=appointment, by=by, reason="invited by the person"
            )
    return appointment


def _transition(appointment: Appointment, new: str, by) -> None:
    try:
        appointment.transition_to(new, by=by)
    except InvalidAppointmentTransition as exc:
        raise ValidationError(str(exc)) from exc


def _require(by, perm, appointment):
    if not permissions.has(by, perm, appointment):
        raise PermissionDenied


@transaction.atomic
def appointment_record_delay(
    *, appointment: Appointment, by: User, expected_at: datetime.datetime, delay_note: str = ""
) -> Appointment:
    """Tell the person and their carer the ward round is running late."""
    _require(by, "record_outcome", appointment)
    if appointment.status != Appointment.Status.BOOKED:
        raise ValidationError("A delay can only be recorded before the appointment starts.")
    if expected_at <= appointment.scheduled_at:
        raise ValidationError({"expected_at": "The new time must be later than the time booked."})
    appointment.expected_at = expected_at
    appointment.delay_note = delay_note
    bump(appointment)
    return _save(appointment, by, "running late")


@transaction.atomic
def appointment_start(*, appointment: Appointment, by: User, started_at: datetime.datetime) -> Appointment:
    _require(by, "record_outcome", appointment)
    if started_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"started_at": "The start time cannot be in the future."})
    _transition(appointment, Appointment.Status.STARTED, by)
    appointment.started_at = started_at
    bump(appointment)
    return _save(appointment, by, "started")


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, by: User, reason: str) -> Appointment:
    _require(by, "change", appointment)
    return _cancel(appointment, by, reason)


def _cancel(appointment: Appointment, by, reason: str) -> Appointment:
    _transition(appointment, Appointment.Status.CANCELLED, by)
    appointment.cancelled_reason = reason
    bump(appointment)
    return _save(appointment, by, f"cancelled: {reason}")


@transaction.atomic
def appointment_share_summary(*, appointment: Appointment, by: User, summary: str, version) -> Appointment:
    """Finish the ward round and share its summary and outcomes with the person (and consented carer)."""
    _require(by, "record_outcome", appointment)
    check_version(appointment, version)
    if appointment.status == Appointment.Status.BOOKED:
        raise ValidationError("Record when the ward round started before sharing its summary.")
    if appointment.status == Appointment.Status.STARTED:
        _transition(appointment, Appointment.Status.COMPLETED, by)
    if not summary.strip():
        raise ValidationError({"summary": "Write a summary the person can read."})
    first_share = appointment.summary_shared_at is None
    appointment.summary = summary
    appointment.summary_shared_at = appointment.summary_shared_at or timezone.now()
    appointment.summary_shared_by = by
    if not first_share:
        appointment.summary_read_at = None  # changed since they read it: it is new to them again
    bump(appointment)
    return _save(appointment, by, "summary shared" if first_share else "summary changed")


@transaction.atomic
def summary_mark_read(*, appointment: Appointment, by: User) -> Appointment:
    if not _is_the_person(appointment, by) or not appointment.is_shared:
        raise PermissionDenied
    if appointment.summary_read_at is None:
        appointment.summary_read_at = timezone.now()
        _save(appointment, by, "summary read")
    return appointment


@transaction.atomic
def preparation_save(*, preparation: Preparation, by: User, version, **fields) -> Preparation:
    """Save the person's preparation (the person, or a peer worker they invited, writing for them)."""
    appointment = preparation.appointment
    if not (_is_the_person(appointment, by) or _is_invited_peer(appointment, by)):
        raise PermissionDenied
    if not appointment.is_open:
        raise ValidationError("This ward round has finished, so the preparation can no longer change.")
    check_version(preparation, version)
    for name in Preparation.TEXT_FIELDS:
        if name in fields:
            setattr(preparation, name, fields[name])
    preparation.updated_at = timezone.now()
    preparation.updated_by = by
    bump(preparation)
    return _save(preparation, by)


def _is_the_person(appointment: Appointment, user) -> bool:
    return user.is_authenticated and appointment.service_user.user_id == user.pk and user.is_active


def _is_invited_peer(appointment: Appointment, user) -> bool:
    return appointment.peer_worker_id == user.pk and permissions.has(user, "contribute", appointment)


def author_role_for(appointment: Appointment, user) -> str | None:
    """Return the role in which `user` adds items to this agenda, or None if they may not."""
    if not permissions.has(user, "contribute", appointment):
        return None
    if _is_the_person(appointment, user):
        return AgendaItem.AuthorRole.PERSON
    if permissions.has(user, "record_outcome", appointment):
        return AgendaItem.AuthorRole.STAFF
    if appointment.peer_worker_id == user.pk:
        return AgendaItem.AuthorRole.PEER
    if any(link.carer_id == user.pk for link in active_ward_round_carers(appointment.service_user)):
        return AgendaItem.AuthorRole.CARER
    return None


@transaction.atomic
def item_add(
    *, appointment: Appointment, by: User, text: str, kind: str = AgendaItem.Kind.TALK
) -> AgendaItem:
    role = author_role_for(appointment, by)
    if role is None:
        raise PermissionDenied
    if not appointment.is_open:
        raise ValidationError("This ward round has finished, so nothing more can be added to its agenda.")
    position = 0
    if role == AgendaItem.AuthorRole.PERSON:
        last = appointment.items.filter(author_role=role).aggregate(m=Max("position"))["m"]
        position = (last or 0) + 1
    item = AgendaItem(
        appointment=appointment, kind=kind, text=text, author=by, author_role=role, position=position
    )
    return _save(item, by, "added")


def can_edit_item(user, item: AgendaItem) -> bool:
    """Only an item's author changes its words, while the agenda is open and they still have access."""
    return (
        item.author_id == user.pk
        and not item.moved_out
        and item.appointment.is_open
        and permissions.has(user, "contribute", item.appointment)
    )


def can_order_item(user, item: AgendaItem) -> bool:
    """The person orders their own items."""
    return (
        item.by_the_person
        and not item.moved_out
        and item.appointment.is_open
        and _is_the_person(item.appointment, user)
    )


@transaction.atomic
def item_edit(*, item: AgendaItem, by: User, text: str, kind: str, version) -> AgendaItem:
    if not can_edit_item(by, item):
        raise PermissionDenied
    check_version(item, version)
    item.text = text
    item.kind = kind
    bump(item)
    return _save(item, by, "changed")


@transaction.atomic
def item_move(*, item: AgendaItem, by: User, direction: str) -> AgendaItem:
    """Move one of the person's own items up or down their list (positions renumbered 1..n)."""
    if not can_order_item(by, item):
        raise PermissionDenied
    if direction not in ("up", "down"):
        raise ValidationError("Choose up or down.")
    own = list(
        item.appointment.items.select_for_update()
        .filter(author_role=AgendaItem.AuthorRole.PERSON, moved_out=False)
        .order_by("position", "created_at", "id")
    )
    index = next(i for i, other in enumerate(own) if other.pk == item.pk)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(own):
        own[index], own[target] = own[target], own[index]
    for number, other in enumerate(own, start=1):
        if other.position != number:
            other.position = number
            bump(other)
            _save(other, by, "reordered by the person")
    item.refresh_from_db()
    return item


@transaction.atomic
def item_move_out(*, item: AgendaItem, by: User, handled_where: str) -> AgendaItem:
    """Take an item off the agenda because it is better handled elsewhere, saying where."""
    _require(by, "record_outcome", item.appointment)
    if item.moved_out:
        raise ValidationError("This item has already been moved out of the ward round.")
    if hasattr(item, "outcome"):
        raise ValidationError("This item already has an outcome from the ward round.")
    if not handled_where.strip():
        raise ValidationError({"handled_where": "Say where it will be handled, so the person knows."})
    item.moved_out = True
    item.handled_where = handled_where
    item.moved_out_by = by
    item.moved_out_at = timezone.now()
    bump(item)
    return _save(item, by, "better handled outside the ward round")


@transaction.atomic
def item_bring_back(*, item: AgendaItem, by: User) -> AgendaItem:
    _require(by, "record_outcome", item.appointment)
    if not item.appointment.is_open:
        raise ValidationError("This ward round has finished.")
    item.moved_out = False
    item.moved_out_by = None
    item.moved_out_at = None
    bump(item)
    return _save(item, by, "put back on the agenda")


@transaction.atomic
def outcome_record(
    *,
    item: AgendaItem,
    by: User,
    decision: str,
    person_agrees: str = Outcome.View.NOT_GIVEN,
    person_view: str = "",
    version=None,
) -> Outcome:
    """Record (or correct) what was decided about an item and what the person thinks of it."""
    appointment = item.appointment
    _require(by, "record_outcome", appointment)
    if appointment.status in (Appointment.Status.BOOKED, Appointment.Status.CANCELLED):
        raise ValidationError("Record when the ward round started before recording outcomes.")
    if item.moved_out:
        raise ValidationError("This item was moved out of the ward round, so it has no outcome here.")
    # Lock the item so two people recording its first outcome at once cannot both create one.
    AgendaItem.objects.select_for_update().get(pk=item.pk)
    outcome = Outcome.objects.filter(item=item).first()
    if outcome is None:
        outcome = Outcome(item=item, recorded_by=by)
        reason = "recorded"
    elif version in (None, ""):
        # They opened a blank form while someone else recorded one: show both, lose neither.
        raise StaleEdit(outcome)
    else:
        check_version(outcome, version)
        bump(outcome)
        reason = "changed"
    outcome.decision = decision
    outcome.person_agrees = person_agrees
    outcome.person_view = person_view
    return _save(outcome, by, reason)


def action_owner_choices(appointment: Appointment):
    """People who may own an action: the ward's team, the person, and a consented carer."""
    ids = set(appointment.ward.staff_group.user_set.values_list("pk", flat=True))
    if appointment.service_user.user_id:
        ids.add(appointment.service_user.user_id)
    ids.update(link.carer_id for link in active_ward_round_carers(appointment.service_user))
    if appointment.peer_worker_id:
        ids.add(appointment.peer_worker_id)
    return User.objects.filter(pk__in=ids, is_active=True).order_by("first_name", "last_name")


@transaction.atomic
def action_add(*, outcome: Outcome, by: User, description: str, owner: User, due: datetime.date) -> Action:
    appointment = outcome.item.appointment
    _require(by, "record_outcome", appointment)
    if not action_owner_choices(appointment).filter(pk=owner.pk).exists():
        raise ValidationError({"owner": "Choose someone from the ward team, the person or their carer."})
    return _save(
        Action(outcome=outcome, description=description, owner=owner, due=due, created_by=by), by, "added"
    )


@transaction.atomic
def action_done(*, action: Action, by: User) -> Action:
    if not (action.owner_id == by.pk or permissions.has(by, "record_outcome", action.appointment)):
        raise PermissionDenied
    if action.done_at is None:
        action.done_at = timezone.now()
        action.done_by = by
        _save(action, by, "done")
    return action


@transaction.atomic
def appointments_follow_transfer(*, service_user: ServiceUser, from_ward: Ward, to_ward: Ward, by) -> None:
    """Cancel future rounds on the old ward and give the new ward's team the person's history.

    The old ward's team keeps what happened on their ward, and loses the history of other wards
    it was given while the person was with them.
    """
    reason = f"moved to {to_ward}"
    appointments = list(
        Appointment.objects.filter(service_user=service_user).select_related("ward__division")
    )
    for appointment in appointments:
        if appointment.ward_id == from_ward.pk and appointment.status == Appointment.Status.BOOKED:
            _cancel(appointment, by, f"{service_user} moved to {to_ward}")
    for appointment in appointments:
        if appointment.ward_id != from_ward.pk:
            permissions.revoke(
                HISTORY_PERMS, frm=from_ward.staff_group, obj=appointment, by=by, reason=reason
            )
            if appointment.ward.division_id != from_ward.division_id:
                permissions.revoke(
                    HISTORY_PERMS, frm=from_ward.division.leads_group, obj=appointment, by=by, reason=reason
                )
    for appointment in appointments:
        if appointment.ward_id != to_ward.pk:
            permissions.grant(HISTORY_PERMS, to=to_ward.staff_group, obj=appointment, by=by, reason=reason)
            permissions.grant(
                HISTORY_PERMS, to=to_ward.division.leads_group, obj=appointment, by=by, reason=reason
            )


@transaction.atomic
def carer_access_sync(*, link: CarerLink, by) -> None:
    """Give or take away a carer's access to the person's ward rounds to match their consent now."""
    appointments = Appointment.objects.filter(service_user=link.service_user)
    if link.is_active and link.shares_ward_rounds:
        for appointment in appointments:
            permissions.grant(
                PERSON_PERMS, to=link.carer, obj=appointment, by=by, reason="carer consent given"
            )
    else:
        for appointment in permissions.visible(link.carer, "view", appointments):
            permissions.revoke(
                PERSON_PERMS, frm=link.carer, obj=appointment, by=by, reason="carer consent withdrawn"
            )
