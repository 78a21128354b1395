"""Every write to an incident: create, save as you go, submit, amend, sign off, mark entered in error.

Child rows (interventions, staff, others, notifications, observations) are passed as lists of dicts;
a dict with an "id" updates that row, one without creates a row, and rows left out are removed
(the removal stays in history). After submission every change needs a reason.
"""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from incidents import rules
from incidents.models import (
    Incident,
    Intervention,
    InvalidIncidentTransition,
    NonStaffInvolvement,
    Notification,
    Observation,
    StaffInvolvement,
)
from incidents.signals import incident_submitted
from rrp import bulk, permissions
from rrp.concurrency import bump, check_version
from rrp.models import ServiceUser, local_date

EDITABLE_FIELDS = [
    "place",
    "started_at",
    "ended_at",
    "reason_code",
    "reason_description",
    "how_force_used",
    "deescalation",
    "deescalation_notes",
    "outcome",
    "death_or_serious_injury",
    "physical_harm",
    "psychological_harm",
    "police_requested_at",
    "police_arrived_at",
    "police_used_force",
    "care_plan_people_told",
    "immediate_debrief_offered",
]

CHILDREN = {
    "interventions": Intervention,
    "staff_involved": StaffInvolvement,
    "others_involved": NonStaffInvolvement,
    "notifications": Notification,
    "observations": Observation,
}

CHARACTERISTICS = [
    "sex",
    "gender_reassignment",
    "ethnicity",
    "religion",
    "sexual_orientation",
    "marital_status",
    "pregnancy",
    "disability",
    "learning_disability",
    "autism",
    "mental_disorder",
]


def _copy_characteristics(incident: Incident) -> None:
    """Keep the person's characteristics as they were at the time (s.6(5)(j)-(l))."""
    person = incident.service_user
    for name in CHARACTERISTICS:
        setattr(incident, name, getattr(person, name) or "")
    when = incident.started_at or timezone.now()
    incident.age_at_incident = person.age_on(local_date(when))


def _save(obj, by, reason=""):
    obj._history_user = by
    if reason:
        obj._change_reason = reason
    obj.full_clean()
    obj.save()
    return obj


def _prefixed(exc: ValidationError, section: str, index: int) -> ValidationError:
    if hasattr(exc, "error_dict"):
        return ValidationError({f"{section}.{index}.{k}": v for k, v in exc.message_dict.items()})
    return ValidationError({f"{section}.{index}": exc.messages})


def _sync_children(incident: Incident, children: dict, by, reason: str) -> None:
    errors = {}
    for section, rows in children.items():
        model = CHILDREN[section]
        existing = {row.pk: row for row in model.objects.filter(incident=incident)}
        kept = set()
        for index, data in enumerate(rows):
            data = dict(data)
            pk = data.pop("id", None)
            pk = getattr(pk, "pk", pk)
            row = existing.get(pk) if pk else None
            if row is None:
                row = model(incident=incident)
            changed = row.pk is None
            for name, value in data.items():
                if getattr(row, name) != value:
                    setattr(row, name, value)
                    changed = True
            if row.pk:
                kept.add(row.pk)
            if not changed:
                continue
            try:
                _save(row, by, reason)
            except ValidationError as exc:
                errors.update(_prefixed(exc, section, index).message_dict)
        for pk, row in existing.items():
            if pk not in kept:
                row._history_user = by
                row._change_reason = reason or "removed from the draft"
                row.delete()
    if errors:
        raise ValidationError(errors)


def _place_on_ward(incident: Incident, by) -> None:
    """Put the incident on the ward of the person's admission at the time (or now, for a new draft)."""
    person = incident.service_user
    admission = person.admission_at(incident.started_at) if incident.started_at else person.current_admission
    if admission is None:
        field = "started_at" if incident.started_at else "service_user"
        raise ValidationError({field: f"{person} was not admitted to a ward at that time."})
    if not by.groups.filter(pk=admission.ward.staff_group_id).exists():
        raise ValidationError(
            {"started_at": f"At that time {person} was on {admission.ward}, which is not one of your wards."}
        )
    incident.ward = admission.ward
    incident.admission = admission


@transaction.atomic
@bulk.deferred()
def incident_create(
    *,
    service_user: ServiceUser,
    by: User,
    form_token=None,
    children: dict | None = None,
    **fields,
) -> Incident:
    """Start an incident (a draft) for a person on one of `by`'s wards, and give the ward's team access.

    A repeated request with the same form token returns the incident the first one created.
    """
    if form_token:
        already = Incident.objects.filter(form_token=form_token).first()
        if already is not None:
            return already
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be set." for name in unknown})
    incident = Incident(service_user=service_user, reported_by=by, **fields)
    if form_token:
        incident.form_token = form_token
    _place_on_ward(incident, by)
    _copy_characteristics(incident)
    try:
        with transaction.atomic():
            _save(incident, by)
    except IntegrityError:
        # Two clicks raced past the check above: the first one's incident is the one.
        if form_token and Incident.objects.filter(form_token=form_token).exists():
            return Incident.objects.get(form_token=form_token)
        raise
    ward = incident.ward
    permissions.grant(
        ["view", "change"], to=ward.staff_group, obj=incident, by=by, reason="incident recorded"
    )
    permissions.grant(
        ["incidents.sign_off_incident", "incidents.mark_error_incident"],
        to=ward.managers_group,
        obj=incident,
        by=by,
        reason="incident recorded",
    )
    permissions.grant(["view"], to=ward.division.leads_group, obj=incident, by=by, reason="incident recorded")
    if children:
        _sync_children(incident, children, by, "")
    return incident


@transaction.atomic
@bulk.deferred()
def incident_update(
    *,
    incident: Incident,
    by: User,
    version,
    reason: str = "",
    children: dict | None = None,
    **fields,
) -> Incident:
    """Save changes: freely while a draft, with a reason once submitted. Refuses an outdated version."""
    check_version(incident, version)
    incident = Incident.objects.select_related("service_user", "ward").get(pk=incident.pk)
    if incident.entered_in_error_at:
        raise ValidationError(
            {"__all__": "This incident was marked as entered in error and cannot be changed."}
        )
    reason = (reason or "").strip()
    if incident.status != Incident.Status.DRAFT and not reason:
        raise ValidationError({"change_reason": "Give a reason for changing a submitted incident."})
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be changed." for name in unknown})
    for name, value in fields.items():
        setattr(incident, name, value)
    if incident.status == Incident.Status.DRAFT and incident.started_at:
        _copy_characteristics(incident)
    bump(incident)
    _save(incident, by, reason)
    if children:
        _sync_children(incident, children, by, reason)
    return incident


def problems_for(incident: Incident) -> list[rules.Problem]:
    return rules.submission_problems(
        incident,
        list(incident.interventions.all()),
        list(incident.staff_involved.all()),
        list(incident.notifications.all()),
    )


@transaction.atomic
@bulk.deferred()
def incident_submit(*, incident: Incident, by: User, version=None) -> Incident:
    """Submit a complete draft: the person can then read it and a post-incident review starts."""
    if version is not None:
        check_version(incident, version)
    incident = Incident.objects.select_for_update().select_related("service_user", "ward").get(pk=incident.pk)
    if incident.status != Incident.Status.DRAFT:
        return incident  # a double click on "Submit" changes nothing
    problems = problems_for(incident)
    if problems:
        errors = {}
        for problem in problems:
            errors.setdefault(problem.key, []).append(problem.message)
        raise ValidationError(errors)
    _copy_characteristics(incident)
    try:
        incident.transition_to(Incident.Status.SUBMITTED, by=by)
    except InvalidIncidentTransition as exc:
        raise ValidationError({"__all__": str(exc)}) from exc
    bump(incident)
    _save(incident, by, "submitted")
    person = incident.service_user
    if person.user_id:
        permissions.grant(["view"], to=person.user, obj=incident, by=by, reason="own incident, submitted")
    incident_submitted.send(sender=Incident, incident=incident, by=by)
    return incident


@transaction.atomic
@bulk.deferred()
def incident_sign_off(*, incident: Incident, by: User, version=None) -> Incident:
    if version is not None:
        check_version(incident, version)
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.entered_in_error_at:
        raise ValidationError({"__all__": "An incident entered in error cannot be signed off."})
    try:
        incident.transition_to(Incident.Status.SIGNED_OFF, by=by)
    except InvalidIncidentTransition as exc:
        raise ValidationError({"__all__": str(exc)}) from exc
    bump(incident)
    return _save(incident, by, "signed off")


@transaction.atomic
@bulk.deferred()
def incident_mark_error(*, incident: Incident, by: User, reason: str, version=None) -> Incident:
    """Take an incident out of statistics with a reason; it stays in the record and its history."""
    if version is not None:
        check_version(incident, version)
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why this incident was entered in error."})
    if incident.entered_in_error_at:
        raise ValidationError({"__all__": "This incident is already marked as entered in error."})
    incident.entered_in_error_at = timezone.now()
    incident.entered_in_error_by = by
    incident.entered_in_error_reason = reason
    bump(incident)
    return _save(incident, by, f"entered in error: {reason}")
