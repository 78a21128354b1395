"""Ward rounds the person leads: sessions, appointments, an agenda everyone feeds, and outcomes.

Access: a session and each appointment carry their own object permissions (ward team, division
leads, and per-user exceptions: the person, a consented carer, an invited peer worker). Agenda
items, the person's preparation, outcomes and actions are guarded through their appointment.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from rrp.concurrency import Versioned
from rrp.models import ServiceUser, Ward

User = settings.AUTH_USER_MODEL


class InvalidAppointmentTransition(Exception):
    """Raised when an appointment is moved to a status its current status does not allow."""


class WardRoundQuerySet(models.QuerySet):
    def upcoming(self, now=None):
        """Sessions from the start of today (Europe/London) onwards."""
        now = timezone.localtime(now or timezone.now())
        return self.filter(starts_at__gte=now.replace(hour=0, minute=0, second=0, microsecond=0))

    def past(self, now=None):
        return self.filter(starts_at__lt=now or timezone.now())


class WardRound(models.Model):
    """One ward-round session of a ward (for example Tuesday morning's consultant round)."""

    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="ward_rounds")
    starts_at = models.DateTimeField("Date and time the ward round starts")
    location = models.CharField("Where it happens", max_length=200, blank=True)
    purpose = models.TextField(
        "What this ward round is for",
        help_text="Plain words everyone can read, for example 'To review care, leave and medication "
        "with each person, and agree what happens next.'",
    )
    led_by = models.CharField("Who leads it", max_length=200, blank=True, help_text="Name and job title")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    objects = WardRoundQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["ward", "starts_at"])]

    def __str__(self):
        return f"{self.ward} ward round, {timezone.localtime(self.starts_at):%a %d %b %Y %H:%M}"

    def get_absolute_url(self):
        return reverse("ward_rounds:session_detail", args=[self.pk])


class AppointmentQuerySet(models.QuerySet):
    def active(self):
        return self.exclude(status=Appointment.Status.CANCELLED)

    def upcoming(self, now=None):
        return self.filter(status=Appointment.Status.BOOKED, scheduled_at__gte=now or timezone.now())

    def shared(self):
        return self.filter(summary_shared_at__isnull=False)


class Appointment(Versioned):
    """A person's slot in a ward round: when, who will be there, and what happens after."""

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        STARTED = "started", "Started"
        COMPLETED = "completed", "Finished"
        CANCELLED = "cancelled", "Cancelled"

    TRANSITIONS = {
        Status.BOOKED: {Status.STARTED, Status.CANCELLED},
        Status.STARTED: {Status.COMPLETED},
        Status.COMPLETED: set(),
        Status.CANCELLED: set(),
    }

    ward_round = models.ForeignKey(WardRound, on_delete=models.PROTECT, related_name="appointments")
    service_user = models.ForeignKey(
        ServiceUser, on_delete=models.PROTECT, related_name="ward_round_appointments"
    )
    # The ward the round is on (kept so records stay with that ward after the person moves).
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="+", editable=False)
    scheduled_at = models.DateTimeField("Time of the appointment")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.BOOKED)

    # Attendance, agreed in advance with the person.
    attendance_agreed = models.BooleanField("The person has agreed who will attend", default=False)
    carer_attending = models.BooleanField("Their carer will attend", default=False)
    advocate = models.CharField("Advocate attending", max_length=200, blank=True, help_text="Name, if any")
    peer_worker = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="Peer support worker invited",
    )
    named_staff = models.TextField(
        "Staff attending", blank=True, help_text="Names and job titles of the staff who will be there"
    )

    # Timing: a delay recorded by staff is shown to the person and carer as "running late".
    expected_at = models.DateTimeField("Now expected to start at", null=True, blank=True)
    delay_note = models.CharField("Reason for the delay", max_length=300, blank=True)
    started_at = models.DateTimeField("Actually started at", null=True, blank=True)
    cancelled_reason = models.CharField(max_length=300, blank=True)

    summary = models.TextField("Summary of the ward round", blank=True)
    summary_shared_at = models.DateTimeField(null=True, blank=True, editable=False)
    summary_shared_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    summary_read_at = models.DateTimeField("Read by the person", null=True, blank=True, editable=False)

    booked_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    booked_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords(excluded_fields=["version"])

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["scheduled_at", "id"]
        permissions = [
            ("contribute_appointment", "Can add items to the agenda"),
            ("record_outcome_appointment", "Can record outcomes and run the ward round"),
            ("see_draft_appointment", "Can see outcomes before the summary is shared"),
        ]
        indexes = [
            models.Index(fields=["service_user", "scheduled_at"]),
            models.Index(fields=["ward", "scheduled_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["ward_round", "service_user"],
                condition=~models.Q(status="cancelled"),
                name="one_live_appointment_per_person_per_round",
                violation_error_message="This person already has an appointment in this ward round.",
            )
        ]

    def __str__(self):
        return f"{self.service_user}, {timezone.localtime(self.scheduled_at):%a %d %b %Y %H:%M}"

    def get_absolute_url(self):
        return reverse("ward_rounds:appointment_detail", args=[self.pk])

    def clean(self):
        if self.ward_round_id and self.service_user_id and self.status != self.Status.CANCELLED:
            clash = (
                Appointment.objects.filter(
                    ward_round_id=self.ward_round_id, service_user_id=self.service_user_id
                )
                .active()
                .exclude(pk=self.pk)
                .exists()
            )
            if clash:
                raise ValidationError(
                    {"service_user": "This person already has an appointment in this ward round."}
                )

    def transition_to(self, new: str, *, by) -> None:
        if new not in self.TRANSITIONS[self.status]:
            raise InvalidAppointmentTransition(
                f"A ward round that is {self.get_status_display().lower()} cannot become "
                f"{self.Status(new).label.lower()}."
            )
        self.status = new

    @property
    def is_open(self) -> bool:
        """Items can still be added and ordered."""
        return self.status in (self.Status.BOOKED, self.Status.STARTED)

    @property
    def running_late(self) -> bool:
        return (
            self.status == self.Status.BOOKED
            and self.expected_at is not None
            and self.expected_at > self.scheduled_at
        )

    @property
    def minutes_late(self) -> int:
        moment = self.started_at or (self.expected_at if self.running_late else None)
        if moment is None:
            return 0
        return max(0, int((moment - self.scheduled_at).total_seconds() // 60))

    @property
    def is_shared(self) -> bool:
        return self.summary_shared_at is not None


class Preparation(Versioned):
    """The person's own preparation, in their words: it opens when the appointment is booked."""

    appointment = models.OneToOneField(Appointment, on_delete=models.CASCADE, related_name="preparation")
    how_my_week_has_been = models.TextField("How my week has been", blank=True)
    my_goals = models.TextField("My goals", blank=True)
    who_i_want_there = models.TextField(
        "Who I want there", blank=True, help_text="For example my mum, an advocate, a peer support worker"
    )
    communication_needs = models.TextField(
        "My communication needs",
        blank=True,
        help_text="For example large print, an interpreter, time to think before answering",
    )
    updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    history = HistoricalRecords(excluded_fields=["version"])

    TEXT_FIELDS = ["how_my_week_has_been", "my_goals", "who_i_want_there", "communication_needs"]

    def __str__(self):
        return f"Preparation for {self.appointment}"

    @property
    def is_started(self) -> bool:
        return any(getattr(self, name) for name in self.TEXT_FIELDS)


class AgendaItemQuerySet(models.QuerySet):
    def on_agenda(self):
        return self.filter(moved_out=False)

    def moved_out(self):
        return self.filter(moved_out=True)

    def in_agenda_order(self):
        """The person's items first, in their order; then carers', peer workers' and staff items."""
        rank = models.Case(
            models.When(author_role=AgendaItem.AuthorRole.PERSON, then=0),
            models.When(author_role=AgendaItem.AuthorRole.CARER, then=1),
            models.When(author_role=AgendaItem.AuthorRole.PEER, then=2),
            default=3,
            output_field=models.IntegerField(),
        )
        return self.annotate(author_rank=rank).order_by("author_rank", "position", "created_at", "id")


class AgendaItem(Versioned):
    """Something to talk about in the ward round. It keeps its author whoever edits it later."""

    class Kind(models.TextChoices):
        TALK = "talk", "Something to talk about"
        QUESTION = "question", "A question for the team"
        MEDICATION = "medication", "Views on medication"
        LEAVE = "leave", "Leave or discharge hopes"
        RESTRICTION = "restriction", "A restriction I want reviewed"

    class AuthorRole(models.TextChoices):
        PERSON = "person", "The person"
        CARER = "carer", "Carer"
        PEER = "peer", "Peer support worker"
        STAFF = "staff", "Staff"

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField("What kind of item", max_length=12, choices=Kind.choices, default=Kind.TALK)
    text = models.TextField("What to talk about")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", editable=False)
    author_role = models.CharField(max_length=8, choices=AuthorRole.choices, editable=False)
    # Only the person's own items are ordered by position; others follow in the order added.
    position = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    moved_out = models.BooleanField("Better handled outside the ward round", default=False, editable=False)
    handled_where = models.CharField(
        "Where it will be handled",
        max_length=300,
        blank=True,
        help_text="For example 'Leave request form with the named nurse on Thursday'",
    )
    moved_out_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    moved_out_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["version"])

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        ordering = ["appointment", "position", "created_at", "id"]

    def __str__(self):
        return self.text[:60]

    def get_absolute_url(self):
        return f"{self.appointment.get_absolute_url()}#item-{self.pk}"

    @property
    def by_the_person(self) -> bool:
        return self.author_role == self.AuthorRole.PERSON


class Outcome(Versioned):
    """What was decided about one agenda item, and what the person thinks of it."""

    class View(models.TextChoices):
        AGREE = "agree", "Agrees"
        PARTLY = "partly", "Partly agrees"
        DISAGREE = "disagree", "Disagrees"
        NOT_GIVEN = "not_given", "Did not give a view"

    item = models.OneToOneField(AgendaItem, on_delete=models.CASCADE, related_name="outcome")
    decision = models.TextField("What was decided")
    person_agrees = models.CharField(
        "Does the person agree with the decision", max_length=10, choices=View.choices, default=View.NOT_GIVEN
    )
    person_view = models.TextField("The person's view of the decision, in their words", blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", editable=False)
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords(excluded_fields=["version"])

    def __str__(self):
        return f"Outcome: {self.decision[:60]}"


class ActionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(done_at__isnull=True)

    def overdue(self, today=None):
        return self.open().filter(due__lt=today or timezone.localdate())


class Action(models.Model):
    """Something someone will do after the ward round, by a date."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField("What will be done", max_length=300)
    owner = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="ward_round_actions", verbose_name="Who will do it"
    )
    due = models.DateField("By when")
    done_at = models.DateTimeField(null=True, blank=True, editable=False)
    done_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due", "id"]

    def __str__(self):
        return self.description

    @property
    def appointment(self):
        return self.outcome.item.appointment

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due < timezone.localdate()


# Direct foreign-key object permission tables (django-guardian).
class WardRoundUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(WardRound, on_delete=models.CASCADE)


class WardRoundGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(WardRound, on_delete=models.CASCADE)


class AppointmentUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Appointment, on_delete=models.CASCADE)


class AppointmentGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Appointment, on_delete=models.CASCADE)
