"""Uses of force: one incident, one or more interventions, and what the Act requires recorded."""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from incidents.codes import (
    DEESCALATION_TECHNIQUES,
    GROUP_OF,
    DeathOrSeriousInjury,
    Harm,
    InterventionGroup,
    InterventionType,
    Reason,
    YesNoUnknown,
)
from rrp.concurrency import Versioned
from rrp.links import record_url
from rrp.models import Admission, PersonToNotify, ServiceUser, Ward

User = settings.AUTH_USER_MODEL


class InvalidIncidentTransition(Exception):
    """Raised when an incident is moved to a status its current status does not allow."""


class RecordRetained(Exception):
    """Raised on any attempt to delete an incident inside the statutory retention period."""


def now():
    """The current time, looked up at call time (so a demo or test clock applies to defaults too)."""
    return timezone.now()


def retention_cutoff():
    """Incidents created after this moment must be kept (s.6(6): three years)."""
    years = settings.RRP_RECORD_RETENTION_YEARS
    return timezone.now() - datetime.timedelta(days=round(365.25 * years))


class IncidentQuerySet(models.QuerySet):
    def delete(self):
        if self.filter(created_at__gt=retention_cutoff()).exists():
            raise RecordRetained(
                "Incidents must be kept for "
                f"{settings.RRP_RECORD_RETENTION_YEARS} years and cannot be deleted. "
                "Mark an incident as entered in error instead."
            )
        return super().delete()

    def counted(self):
        """Incidents that count in statistics: submitted or signed off, not entered in error."""
        return self.exclude(status=Incident.Status.DRAFT).filter(entered_in_error_at__isnull=True)

    def for_wards(self, wards):
        return self.filter(ward__in=wards)

    def drafts(self):
        return self.filter(status=Incident.Status.DRAFT)

    def awaiting_sign_off(self):
        return self.filter(status=Incident.Status.SUBMITTED, entered_in_error_at__isnull=True)


class Incident(Versioned):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        SIGNED_OFF = "signed_off", "Signed off"

    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED},
        Status.SUBMITTED: {Status.SIGNED_OFF},
        Status.SIGNED_OFF: set(),
    }

    # Who and where
    service_user = models.ForeignKey(ServiceUser, on_delete=models.PROTECT, related_name="incidents")
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="incidents")
    admission = models.ForeignKey(
        Admission, on_delete=models.PROTECT, related_name="incidents", null=True, blank=True
    )
    place = models.CharField("Where on the ward", max_length=200, blank=True)
    started_at = models.DateTimeField("When it started", null=True, blank=True)
    ended_at = models.DateTimeField("When it ended", null=True, blank=True)

    # Why and how (s.6(5)(a), (f), (o))
    reason_code = models.CharField("Main reason", max_length=2, choices=Reason.choices, blank=True)
    reason_description = models.TextField("Why force was used", blank=True)
    how_force_used = models.TextField("How force was used", blank=True)
    deescalation = models.JSONField(
        "What was tried first",
        default=list,
        blank=True,
        help_text="Codes from DEESCALATION_TECHNIQUES.",
    )
    deescalation_notes = models.TextField("What was tried first, in more detail", blank=True)

    # Outcome (s.6(5)(m), (n)) and harm graded separately (LFPSE)
    outcome = models.TextField("What happened afterwards", blank=True)
    death_or_serious_injury = models.CharField(
        max_length=20, choices=DeathOrSeriousInjury.choices, default=DeathOrSeriousInjury.NEITHER
    )
    physical_harm = models.CharField(max_length=10, choices=Harm.choices, blank=True)
    psychological_harm = models.CharField(max_length=10, choices=Harm.choices, blank=True)

    # People outside the staff team, police (s.6(5)(i); MHSDS MHS516)
    police_requested_at = models.DateTimeField(null=True, blank=True)
    police_arrived_at = models.DateTimeField(null=True, blank=True)
    police_used_force = models.CharField(max_length=10, choices=YesNoUnknown.choices, blank=True)

    # Telling people named in the care plan (s.6(5)(p))
    care_plan_people_told = models.CharField(
        "Were the people named in the care plan told",
        max_length=10,
        choices=YesNoUnknown.choices,
        blank=True,
    )
    immediate_debrief_offered = models.CharField(max_length=10, choices=YesNoUnknown.choices, blank=True)

    # The person's characteristics at the time, copied from their record on submission
    # so that statistics describe the person as they were (s.6(5)(j), (k), (l)).
    age_at_incident = models.PositiveSmallIntegerField(null=True, editable=False)
    sex = models.CharField(max_length=20, blank=True, editable=False)
    gender_reassignment = models.CharField(max_length=20, blank=True, editable=False)
    ethnicity = models.CharField(max_length=2, blank=True, editable=False)
    religion = models.CharField(max_length=20, blank=True, editable=False)
    sexual_orientation = models.CharField(max_length=20, blank=True, editable=False)
    marital_status = models.CharField(max_length=20, blank=True, editable=False)
    pregnancy = models.CharField(max_length=20, blank=True, editable=False)
    disability = models.CharField(max_length=20, blank=True, editable=False)
    learning_disability = models.CharField(max_length=20, blank=True, editable=False)
    autism = models.CharField(max_length=20, blank=True, editable=False)
    mental_disorder = models.CharField(max_length=200, blank=True, editable=False)

    # Workflow
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    reported_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=now, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    signed_off_at = models.DateTimeField(null=True, blank=True, editable=False)
    signed_off_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    entered_in_error_at = models.DateTimeField(null=True, blank=True, editable=False)
    entered_in_error_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_in_error_reason = models.TextField(blank=True)
    # A token from the form, so a double submit creates one incident, not two.
    form_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    history = HistoricalRecords(excluded_fields=["version"])
    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        permissions = [
            ("sign_off_incident", "Can sign off an incident"),
            ("mark_error_incident", "Can mark an incident as entered in error"),
        ]
        indexes = [
            # A ward's list in its order, with the ids its permission check needs (index only).
            models.Index(fields=["ward", "-started_at", "-id"], name="incident_ward_list"),
            models.Index(fields=["service_user", "-started_at"]),
            # Several wards' list in its order (a recovery lead's): read newest first, stop at a page.
            models.Index(fields=["-started_at", "-id", "ward"], name="incident_list_order"),
            models.Index(fields=["status", "ward"]),
            # The wards' counted incident ids straight from the index (trends.monthly.interventions_of).
            models.Index(
                fields=["ward", "status", "entered_in_error_at", "id"], name="incident_ward_counted_ids"
            ),
        ]

    def __str__(self):
        when = timezone.localtime(self.started_at).strftime("%d %b %Y %H:%M") if self.started_at else "draft"
        return f"Incident {self.pk} on {self.ward} ({when})"

    def get_absolute_url(self):
        return record_url("incidents:detail", self.pk)

    @property
    def is_counted(self) -> bool:
        return self.status != self.Status.DRAFT and self.entered_in_error_at is None

    def delete(self, *args, **kwargs):
        if self.created_at and self.created_at > retention_cutoff():
            raise RecordRetained(
                f"Incidents must be kept for {settings.RRP_RECORD_RETENTION_YEARS} years and cannot be "
                "deleted. Mark it as entered in error instead."
            )
        return super().delete(*args, **kwargs)

    def clean(self):
        errors = {}
        soon = timezone.now() + datetime.timedelta(minutes=1)
        for name, what in (
            ("started_at", "The start"),
            ("ended_at", "The end"),
            ("police_requested_at", "The time the police were called"),
            ("police_arrived_at", "The time the police arrived"),
        ):
            value = getattr(self, name)
            if value and value > soon:
                errors[name] = f"{what} cannot be in the future."
        if self.started_at and self.ended_at and self.ended_at <= self.started_at:
            errors.setdefault("ended_at", "The incident must end after it started.")
        if (
            self.police_requested_at
            and self.police_arrived_at
            and self.police_arrived_at < self.police_requested_at
        ):
            errors.setdefault("police_arrived_at", "The police cannot arrive before they were called.")
        if self.started_at and self.service_user_id and self.ward_id and "started_at" not in errors:
            admission = self.service_user.admission_at(self.started_at)
            if admission is None:
                errors["started_at"] = (
                    f"{self.service_user} was not admitted to a ward at that time. Check the date and time."
                )
            elif admission.ward_id != self.ward_id:
                errors["started_at"] = (
                    f"At that time {self.service_user} was on {admission.ward}, not {self.ward}. "
                    "Record it on the ward where it happened."
                )
        if errors:
            raise ValidationError(errors)

    def deescalation_labels(self) -> list[str]:
        labels = dict(DEESCALATION_TECHNIQUES)
        return [labels.get(code, code) for code in self.deescalation]

    def transition_to(self, new: str, *, by) -> None:
        """Move to `new` status if the workflow allows it; the caller saves."""
        if new not in self.TRANSITIONS[self.Status(self.status)]:
            raise InvalidIncidentTransition(
                f"An incident that is {self.get_status_display().lower()} cannot be "
                f"{self.Status(new).label.lower()}."
            )
        now = timezone.now()
        if new == self.Status.SUBMITTED:
            self.submitted_at, self.submitted_by = now, by
        elif new == self.Status.SIGNED_OFF:
            self.signed_off_at, self.signed_off_by = now, by
        self.status = new


class Intervention(models.Model):
    """One type of restrictive intervention within an incident (MHSDS MHS515)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="interventions")
    type_code = models.CharField("Type", max_length=2, choices=InterventionType.choices)
    group = models.CharField(max_length=12, choices=InterventionGroup.choices, editable=False)
    started_at = models.DateTimeField("Started")
    ended_at = models.DateTimeField("Ended")
    # Derived on save so SQL can sum, band and take medians without date arithmetic.
    duration_minutes = models.PositiveIntegerField(editable=False, default=0)
    in_care_plan = models.CharField(
        "Was this part of the person's care plan",
        max_length=10,
        choices=YesNoUnknown.choices,
        default=YesNoUnknown.NOT_KNOWN,
    )
    patient_injured = models.BooleanField("The person was injured", default=False)
    staff_injured = models.BooleanField("A member of staff was injured", default=False)
    other_injured = models.BooleanField("Someone else was injured", default=False)
    prone_reason = models.TextField(
        "Why prone restraint could not be avoided",
        blank=True,
        help_text="Required for prone restraint (Mental Health Act Code of Practice 26.70).",
    )
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [
            models.Index(fields=["type_code", "started_at"]),
            # The dashboard counts the days at either end of a range that are not whole months
            # from the interventions that started on them (trends.monthly).
            models.Index(fields=["started_at"], name="intervention_started"),
        ]

    def __str__(self):
        return f"{self.get_type_code_display()} ({self.duration_minutes} min)"

    def save(self, *args, **kwargs):
        self.group = GROUP_OF[self.type_code]
        if self.started_at and self.ended_at and self.ended_at > self.started_at:
            self.duration_minutes = round((self.ended_at - self.started_at).total_seconds() / 60)
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        soon = timezone.now() + datetime.timedelta(minutes=1)
        if self.started_at and self.started_at > soon:
            errors["started_at"] = "The start cannot be in the future."
        if self.ended_at and self.ended_at > soon:
            errors["ended_at"] = "The end cannot be in the future."
        if self.started_at and self.ended_at and self.ended_at <= self.started_at:
            errors.setdefault("ended_at", "An intervention must end after it started.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_prone(self) -> bool:
        return self.type_code == InterventionType.PRONE

    @property
    def is_rapid_tranquillisation(self) -> bool:
        return self.type_code == InterventionType.RAPID_TRANQUILLISATION

    @property
    def prone_over_ten_minutes(self) -> bool:
        return self.is_prone and self.duration_minutes > 10


class StaffInvolvement(models.Model):
    """A member of staff involved (s.6(5)(h): name and job title of every member who used force)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="staff_involved")
    staff = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=100)
    used_force = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.name}, {self.job_title}"


class NonStaffInvolvement(models.Model):
    """Someone not on the staff who was involved, and why (s.6(5)(i)); for example police."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="others_involved")
    who = models.CharField("Who (role or organisation)", max_length=200)
    reason = models.TextField("Why they were involved")
    used_force = models.BooleanField(default=False)
    history = HistoricalRecords()

    def __str__(self):
        return self.who


class Notification(models.Model):
    """A person named in the care plan who was told (or could not be told) of the use of force."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="notifications")
    person = models.ForeignKey(PersonToNotify, on_delete=models.SET_NULL, null=True, blank=True)
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=100, blank=True)
    told = models.BooleanField(default=True)
    told_at = models.DateTimeField(null=True, blank=True)
    how = models.CharField(max_length=100, blank=True, help_text="For example by phone")
    note = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    def __str__(self):
        return self.name


class Observation(models.Model):
    """Physical health observations after rapid tranquillisation (NICE QS154: at least hourly)."""

    class Consciousness(models.TextChoices):
        ALERT = "A", "Alert"
        VOICE = "V", "Responds to voice"
        PAIN = "P", "Responds to pain"
        UNRESPONSIVE = "U", "Unresponsive"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="observations")
    taken_at = models.DateTimeField()
    pulse = models.PositiveSmallIntegerField("Pulse (beats a minute)", null=True, blank=True)
    blood_pressure = models.CharField(max_length=10, blank=True, help_text="For example 120/80")
    respiratory_rate = models.PositiveSmallIntegerField(null=True, blank=True)
    oxygen_saturation = models.PositiveSmallIntegerField("Oxygen saturation (%)", null=True, blank=True)
    temperature = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    consciousness = models.CharField(max_length=1, choices=Consciousness.choices, blank=True)
    hydration = models.CharField(max_length=200, blank=True)
    side_effects = models.CharField(max_length=300, blank=True)
    refused = models.BooleanField("The person declined observations", default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["taken_at"]

    def __str__(self):
        return f"Observations at {timezone.localtime(self.taken_at):%H:%M}"

    def clean(self):
        if self.taken_at and self.taken_at > timezone.now() + datetime.timedelta(minutes=1):
            raise ValidationError({"taken_at": "Observations cannot be recorded in the future."})


class IncidentUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Incident, on_delete=models.CASCADE)


class IncidentGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Incident, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [
            # Every incident list counts the user's group's grants (rrp.permissions.Listing): a
            # recovery lead's 100,000. This index holds one entry per (group, permission) with
            # its rows deduplicated, about a fifth of the size of the unique index guardian makes.
            models.Index(fields=["group", "permission"], name="incident_group_grant_counts"),
        ]
