"""Post incident reviews: the person's own account beside the staff's, the pathway, learning, actions."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from incidents.models import Incident
from rrp.concurrency import Versioned
from rrp.models import Ward

User = settings.AUTH_USER_MODEL


class InvalidReviewTransition(Exception):
    """Raised when a review is moved to a status its current status does not allow."""


class ReviewQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status=Review.Status.CLOSED)

    def live(self):
        """Open reviews of incidents still counted (one entered in error needs no review)."""
        return self.open().filter(incident__entered_in_error_at__isnull=True)

    def closed(self):
        return self.filter(status=Review.Status.CLOSED)

    def overdue(self, now=None):
        return self.open().filter(due_at__lt=now or timezone.now())

    def due_within(self, hours: int, now=None):
        now = now or timezone.now()
        return self.open().filter(due_at__gte=now, due_at__lte=now + timezone.timedelta(hours=hours))


class Review(Versioned):
    class Status(models.TextChoices):
        OPEN = "open", "In progress"
        CLOSED = "closed", "Closed"

    class Participation(models.TextChoices):
        INVITED = "invited", "Invited, not answered yet"
        TAKING_PART = "taking_part", "Taking part"
        DECLINED = "declined", "Declined to take part"

    class SupporterKind(models.TextChoices):
        PEER_WORKER = "peer_worker", "Peer support worker"
        ADVOCATE = "advocate", "Advocate"
        CARER = "carer", "Carer or family member"

    class Agreement(models.TextChoices):
        NOT_YET = "", "Not answered yet"
        AGREED = "agreed", "Agreed"
        DISAGREED = "disagreed", "Disagreed"

    TRANSITIONS = {Status.OPEN: {Status.CLOSED}, Status.CLOSED: set()}

    # The review is part of the incident's record: it goes only when the incident may lawfully go.
    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="review")
    # The incident's ward, copied when the review is made (an incident never moves ward), so that a
    # list of reviews is read from the user's wards as incidents are (`permissions.narrow`).
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="+", editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    due_at = models.DateTimeField("Due by")
    facilitator = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Someone who was not involved in the incident.",
    )

    # The person's part: take part, decline (MHSDS "review not held with patient" reason), supporter.
    participation = models.CharField(
        max_length=12, choices=Participation.choices, default=Participation.INVITED
    )
    not_held_reason = models.TextField("Why the person did not take part", blank=True)
    supporter = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    supporter_kind = models.CharField(max_length=12, choices=SupporterKind.choices, blank=True)

    # The review meeting and its agreed summary.
    held_at = models.DateTimeField("When the review meeting with the person was held", null=True, blank=True)
    summary = models.TextField("Summary of the review", blank=True)
    person_agreement = models.CharField(max_length=10, choices=Agreement.choices, blank=True)
    person_agreement_note = models.TextField("The person's view of the summary", blank=True)
    person_agreed_at = models.DateTimeField(null=True, blank=True)
    facilitator_agreed_at = models.DateTimeField(null=True, blank=True)

    # Closing, and the MHSDS flags derived from the review at that moment.
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    held_with_service_user = models.BooleanField("Review held with the person", null=True, blank=True)
    held_with_staff = models.BooleanField("Review held with staff", null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["version"])
    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        permissions = [
            ("contribute_review", "Can write the person's side of a review"),
            ("close_review", "Can assign the facilitator and close a review"),
            ("panel_review", "Can see the de-identified review on the review panel"),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            # Every review in the order they are due (the API's list), checked against the grants.
            models.Index(fields=["due_at", "id"], name="review_due_order"),
            # The reviews still open on a ward, in the order they are due (home page, lists).
            models.Index(
                fields=["ward", "due_at"], condition=~models.Q(status="closed"), name="review_open_ward_due"
            ),
        ]

    def __str__(self):
        return f"Review of incident {self.incident_id}"

    def save(self, *args, **kwargs):
        if self.ward_id is None and self.incident_id is not None:
            self.ward_id = self.incident.ward_id
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("reviews:detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def is_overdue(self) -> bool:
        return not self.is_closed and self.due_at < timezone.now()

    @property
    def person_declined(self) -> bool:
        return self.participation == self.Participation.DECLINED

    def transition_to(self, new: str, *, by) -> None:
        if new not in self.TRANSITIONS[self.Status(self.status)]:
            raise InvalidReviewTransition(
                f"A review that is {self.get_status_display().lower()} cannot be "
                f"{self.Status(new).label.lower()}."
            )
        self.status = new


class Debrief(models.Model):
    """The immediate post-incident debrief (NICE QS154), kept apart from the fuller review."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="debrief")
    held_at = models.DateTimeField("When the debrief happened")
    who_attended = models.TextField(
        "Who was there", help_text="Job titles, and whether the person took part."
    )
    how_the_person_was = models.TextField("How the person was")
    physical_check = models.TextField(
        "Physical health check",
        help_text="Injuries, and after rapid tranquillisation: vital signs, hydration, consciousness.",
    )
    notes = models.TextField("Anything else", blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    def __str__(self):
        return f"Debrief for {self.review}"


class AccountQuerySet(models.QuerySet):
    def shared(self):
        return self.filter(status=Account.Status.SHARED)


class Account(Versioned):
    """One side's account in its author's words: the person's own, or one member of staff's own."""

    class Kind(models.TextChoices):
        PERSON = "person", "My account"
        STAFF = "staff", "Staff account"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SHARED = "shared", "Shared with the review"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="accounts")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # For a staff account, its author; for the person's account, the person's user account.
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    what_happened = models.TextField("What happened", blank=True)
    what_would_have_helped = models.TextField("What would have helped", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    written_with_support = models.BooleanField(default=False)
    last_written_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords(excluded_fields=["version"])
    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "author", "kind"], name="one_account_per_author"),
            models.UniqueConstraint(
                fields=["review"], condition=models.Q(kind="person"), name="one_person_account"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.review}"


class PathwayEntry(models.Model):
    """One step on the way to the incident and after it, added by either side."""

    class Phase(models.TextChoices):
        BEFORE = "before", "What was happening before"
        TRIGGERS = "triggers", "Triggers"
        EARLY_WARNING = "early_warning", "Early warning signs"
        TRIED = "tried", "What was tried"
        INTERVENTION = "intervention", "The intervention"
        AFTERWARDS = "afterwards", "Afterwards"

    class Side(models.TextChoices):
        PERSON = "person", "The person"
        STAFF = "staff", "Staff"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="pathway")
    phase = models.CharField(max_length=16, choices=Phase.choices)
    phase_order = models.PositiveSmallIntegerField(editable=False, default=0)
    happened_at = models.DateTimeField("Time (if known)", null=True, blank=True)
    text = models.TextField("What happened at this point")
    side = models.CharField(max_length=10, choices=Side.choices)
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["phase_order", models.F("happened_at").asc(nulls_last=True), "added_at", "id"]
        verbose_name_plural = "pathway entries"

    def __str__(self):
        return f"{self.get_phase_display()}: {self.text[:40]}"

    def save(self, *args, **kwargs):
        self.phase_order = list(self.Phase.values).index(self.phase)
        super().save(*args, **kwargs)


class LearningPoint(models.Model):
    """A lesson one side proposes; the other side agrees or disagrees, and both views are kept."""

    class Response(models.TextChoices):
        PENDING = "", "Not answered yet"
        AGREED = "agreed", "Agreed"
        DISAGREED = "disagreed", "Disagreed"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="learning")
    text = models.TextField("What we learn")
    side = models.CharField(max_length=10, choices=PathwayEntry.Side.choices)
    proposed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    person_response = models.CharField(max_length=10, choices=Response.choices, blank=True)
    person_view = models.TextField("The person's view", blank=True)
    staff_response = models.CharField(max_length=10, choices=Response.choices, blank=True)
    staff_view = models.TextField("The staff view", blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.text[:60]

    @property
    def is_agreed(self) -> bool:
        return self.person_response == self.staff_response == self.Response.AGREED

    @property
    def is_disagreed(self) -> bool:
        return self.Response.DISAGREED in (self.person_response, self.staff_response)


class ReviewAction(Versioned):
    class Kind(models.TextChoices):
        SAFETY_PLAN = "safety_plan", "Change to my safety plan"
        BLANKET_RULE = "blanket_rule", "Challenge a blanket rule"
        WARD_PRACTICE = "ward_practice", "Change to ward practice"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OPEN = "open", "To do"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Not going ahead"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    description = models.TextField("What will be done")
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="review_actions")
    due_date = models.DateField("Due by")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.TextField("What happened", blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["owner", "status", "due_date"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.description[:50]}"

    def get_absolute_url(self):
        return reverse("reviews:action_detail", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_date < timezone.localdate()


class PanelLearning(models.Model):
    """What the service-user-led review panel learned from a closed, de-identified review."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="panel_learning")
    text = models.TextField("What the panel learned, and what could have been done better")
    written_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["written_at", "id"]

    def __str__(self):
        return self.text[:60]


class Reminder(models.Model):
    """A reminder e-mail that was sent, so that running the command again sends nothing new."""

    class Kind(models.TextChoices):
        REVIEW_DUE = "review_due", "Review due soon"
        REVIEW_OVERDUE = "review_overdue", "Review overdue"
        ACCOUNT_TO_WRITE = "account", "Account to write"
        ACTION_DUE = "action_due", "Action due soon"
        ACTION_OVERDUE = "action_overdue", "Action overdue"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(Review, on_delete=models.CASCADE, null=True, related_name="reminders")
    action = models.ForeignKey(ReviewAction, on_delete=models.CASCADE, null=True, related_name="reminders")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "recipient", "review"],
                condition=models.Q(action__isnull=True),
                name="one_review_reminder_of_a_kind",
            ),
            models.UniqueConstraint(
                fields=["kind", "recipient", "action"],
                condition=models.Q(action__isnull=False),
                name="one_action_reminder_of_a_kind",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.recipient}"


class ReviewUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Review, on_delete=models.CASCADE)


class ReviewGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Review, on_delete=models.CASCADE)
