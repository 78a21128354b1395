"""A person's safety plan and joint crisis plan: a living draft, agreed numbered versions, proposals."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from rrp.concurrency import Versioned
from rrp.models import ServiceUser, Ward

User = settings.AUTH_USER_MODEL


class Kind(models.TextChoices):
    """The sections of the plan, in the order they are shown (Stanley-Brown, then the crisis plan)."""

    WARNING_SIGNS = "warning_signs", "My warning signs and triggers"
    COPING = "coping", "What I can do myself to cope"
    DISTRACTIONS = "distractions", "People and places that help me"
    PEOPLE_TO_ASK = "people_to_ask", "People I can ask for help"
    PROFESSIONALS = "professionals", "Professionals and services to contact"
    SURROUNDINGS = "surroundings", "Making my surroundings safe"
    HELPS = "helps", "What helps me when I am distressed"
    DOES_NOT_HELP = "does_not_help", "What does not help me"
    CRISIS_WISHES = "crisis_wishes", "My wishes for a crisis, including treatments I do not want"
    PHYSICAL_HEALTH = "physical_health", "Physical health and trauma: what staff must know first"
    POSITIVE_RISK = "positive_risk", "Positive risk taking"
    FAMILY = "family", "How my family can help"
    WHO_TO_TELL = "who_to_tell", "Who to tell if force is used"


HINTS = {
    Kind.WARNING_SIGNS: "What tells me, and others, that things are getting difficult.",
    Kind.COPING: "Things I can do by myself to feel calmer or safer.",
    Kind.DISTRACTIONS: "People and places that take my mind off things.",
    Kind.PEOPLE_TO_ASK: "People I can ask for help, and how to reach them.",
    Kind.PROFESSIONALS: "Professionals and services to contact in a crisis, with their numbers.",
    Kind.SURROUNDINGS: "What makes my surroundings safer.",
    Kind.HELPS: "Including how I want to be spoken to, and where.",
    Kind.DOES_NOT_HELP: "Things that make it worse.",
    Kind.CRISIS_WISHES: "What I want, and do not want, in a future crisis (an advance statement).",
    Kind.PHYSICAL_HEALTH: "Physical health conditions and past trauma staff must know before any "
    "restraint, seclusion or rapid tranquillisation.",
    Kind.POSITIVE_RISK: "Something I value doing, and how we make it as safe as possible.",
    Kind.FAMILY: "Written by a family member or carer the person has chosen to share the plan with.",
    Kind.WHO_TO_TELL: "People staff must tell if force is used on me.",
}

# Sections that hold a list of people with phone numbers.
CONTACT_KINDS = {Kind.PEOPLE_TO_ASK, Kind.PROFESSIONALS, Kind.WHO_TO_TELL}


class ImmutableVersion(Exception):
    """Raised when something tries to change or delete an agreed version."""


class InvalidProposalTransition(Exception):
    """Raised when a proposal is decided twice."""


class SafetyPlanQuerySet(models.QuerySet):
    def due_by(self, day):
        """Plans whose review-by date falls on or before `day`."""
        return self.filter(review_by__isnull=False, review_by__lte=day)


class SafetyPlan(Versioned):
    """One living plan per person. Its sections are the working draft; agreed versions are snapshots."""

    service_user = models.OneToOneField(ServiceUser, on_delete=models.PROTECT, related_name="safety_plan")
    # The ward whose team holds access now: it follows the person when they move.
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    review_by = models.DateField("Review by", null=True, blank=True)
    # Incremented whenever the draft's content changes; an agreement is to one revision only.
    draft_revision = models.PositiveIntegerField(default=0, editable=False)
    person_agreed_revision = models.PositiveIntegerField(null=True, blank=True, editable=False)
    person_agreed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when staff recorded the person's agreement given in person (many people do not sign in).
    person_agreement_recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    staff_agreed_revision = models.PositiveIntegerField(null=True, blank=True, editable=False)
    staff_agreed_at = models.DateTimeField(null=True, blank=True, editable=False)
    staff_agreed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    history = HistoricalRecords()

    objects = SafetyPlanQuerySet.as_manager()

    class Meta:
        ordering = ["service_user__family_name", "service_user__given_name"]
        permissions = [
            ("agree_safetyplan", "Can agree a version of the safety plan"),
            ("share_safetyplan", "Can share the safety plan with a carer or peer worker"),
            ("write_family_safetyplan", "Can write the 'how my family can help' part"),
        ]

    def __str__(self):
        return f"Safety plan of {self.service_user}"

    def get_absolute_url(self):
        return reverse("safety_plans:detail", args=[self.pk])

    @property
    def person_has_agreed(self) -> bool:
        return self.person_agreed_revision == self.draft_revision

    @property
    def staff_have_agreed(self) -> bool:
        return self.staff_agreed_revision == self.draft_revision


class Section(Versioned):
    """One part of the working draft. Its history keeps every change and its author."""

    plan = models.ForeignKey(SafetyPlan, on_delete=models.CASCADE, related_name="sections")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField("In my own words", blank=True)
    # People with numbers: [{"name": ..., "relationship": ..., "phone": ...}] for CONTACT_KINDS.
    contacts = models.JSONField(default=list, blank=True)
    # Positive risk taking
    risk_value = models.TextField("Something I value doing", blank=True)
    risk_risks = models.TextField("The risks", blank=True)
    risk_safety = models.TextField("How we make it as safe as possible", blank=True)
    risk_who = models.TextField("Who does what", blank=True)
    risk_review_date = models.DateField("Review date", null=True, blank=True)
    # The person's own view, kept beside what others wrote rather than hidden.
    disagreement = models.TextField("What I do not agree with", blank=True)
    author = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "kind"], name="unique_plan_section")]

    def __str__(self):
        return self.get_kind_display()

    def get_absolute_url(self):
        return reverse("safety_plans:section_edit", args=[self.plan_id, self.kind])


class PlanVersion(models.Model):
    """An agreed, numbered, immutable copy of the plan."""

    plan = models.ForeignKey(SafetyPlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    # {kind: {"title", "text", "author", "contributors", "disagreement"}} in Kind order.
    content = models.JSONField()
    agreed_at = models.DateTimeField(default=timezone.now)
    person_agreed_at = models.DateTimeField()
    person_agreement_recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    staff_agreed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    staff_agreed_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="unique_plan_version")]

    def __str__(self):
        return f"Version {self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableVersion("An agreed version cannot be changed. Agree a new version instead.")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("safety_plans:version_detail", args=[self.plan_id, self.number])

    def delete(self, *args, **kwargs):
        raise ImmutableVersion("An agreed version cannot be deleted.")


class Proposal(models.Model):
    """A suggested change to the plan (for example from a post incident review), accepted or rejected."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a decision"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Not accepted"

    TRANSITIONS = {
        Status.PENDING: {Status.ACCEPTED, Status.REJECTED},
        Status.ACCEPTED: set(),
        Status.REJECTED: set(),
    }

    plan = models.ForeignKey(SafetyPlan, on_delete=models.CASCADE, related_name="proposals")
    text = models.TextField("Proposed change")
    source_label = models.CharField(max_length=100, blank=True)
    source_url = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    proposed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    section_kind = models.CharField(
        "Added to",
        max_length=20,
        choices=Kind.choices,
        blank=True,
        help_text="Where an accepted change went.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-proposed_at", "-id"]

    def __str__(self):
        return f"Proposed change ({self.get_status_display().lower()})"

    def transition_to(self, new: str, *, by) -> None:
        if new not in self.TRANSITIONS[self.status]:
            raise InvalidProposalTransition(
                f"This proposal has already been {self.get_status_display().lower()}."
            )
        self.status = new
        self.decided_by = by
        self.decided_at = timezone.now()


class PlanShare(models.Model):
    """The person's choice to share the plan with one carer or peer worker, and its withdrawal."""

    class Role(models.TextChoices):
        CARER = "carer", "Carer"
        PEER = "peer", "Peer support worker"

    plan = models.ForeignKey(SafetyPlan, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=Role.choices)
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    withdrawn_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-granted_at"]

    def __str__(self):
        return f"{self.user.get_full_name() or self.user.username} ({self.get_role_display()})"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class SafetyPlanUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(SafetyPlan, on_delete=models.CASCADE)


class SafetyPlanGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(SafetyPlan, on_delete=models.CASCADE)
