"""Blanket rules: restrictions on everyone on a ward, each justified, reviewed and open to challenge."""

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from rrp.concurrency import Versioned
from rrp.models import Division, ServiceUser, Ward

User = settings.AUTH_USER_MODEL


class InvalidRuleTransition(Exception):
    """Raised when a rule is moved to a status its current status does not allow."""


class InvalidChallengeTransition(Exception):
    """Raised when a challenge is moved to a status its current status does not allow."""


class Category(models.TextChoices):
    OUTSIDE_SPACE = "outside_space", "Outside space"
    PHONES_INTERNET = "phones_internet", "Phones and internet"
    FOOD_DRINK = "food_drink", "Food and drink"
    VISITING = "visiting", "Visiting"
    SEARCHES = "searches", "Searches"
    BEDTIMES_ROUTINES = "bedtimes_routines", "Bedtimes and routines"
    MONEY_SHOP = "money_shop", "Money and shop"
    PERSONAL_ITEMS = "personal_items", "Personal items"
    SMOKING = "smoking", "Smoking"
    OTHER = "other", "Other"


class BlanketRuleQuerySet(models.QuerySet):
    def in_force(self):
        return self.filter(status__in=BlanketRule.IN_FORCE_STATUSES)

    def on_wards(self, wards):
        return self.filter(wards__in=wards).distinct()

    def review_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.in_force().filter(next_review_date__lt=today)

    def in_force_between(self, first: datetime.date, last: datetime.date):
        """Rules in force at any time between two dates (inclusive), lifted ones included."""
        return self.filter(authorised_at__date__lte=last).filter(
            models.Q(lifted_at__isnull=True) | models.Q(lifted_at__date__gte=first)
        )


class BlanketRule(Versioned):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        IN_FORCE = "in_force", "Authorised (in force)"
        UNDER_REVIEW = "under_review", "Under review (in force)"
        MODIFIED = "modified", "Modified (in force)"
        LIFTED = "lifted", "Lifted"
        NOT_AUTHORISED = "not_authorised", "Not authorised"

    # No rule reaches "in force" without passing through authorisation.
    TRANSITIONS = {
        Status.PROPOSED: {Status.IN_FORCE, Status.NOT_AUTHORISED},
        Status.IN_FORCE: {Status.UNDER_REVIEW, Status.MODIFIED, Status.LIFTED},
        Status.UNDER_REVIEW: {Status.IN_FORCE, Status.MODIFIED, Status.LIFTED},
        Status.MODIFIED: {Status.UNDER_REVIEW, Status.MODIFIED, Status.LIFTED},
        Status.LIFTED: set(),
        Status.NOT_AUTHORISED: set(),
    }
    IN_FORCE_STATUSES = (Status.IN_FORCE, Status.UNDER_REVIEW, Status.MODIFIED)

    title = models.CharField("Short name", max_length=120, help_text="For example 'Kitchen locked at night'")
    category = models.CharField(max_length=30, choices=Category.choices)
    division = models.ForeignKey(
        Division,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="blanket_rules",
        help_text="Set when the rule covers a whole division.",
    )
    wards = models.ManyToManyField(Ward, through="BlanketRuleWard", related_name="blanket_rules")
    description = models.TextField(
        "What the rule is, in plain language", help_text="Write it as you would explain it to a patient."
    )
    risks = models.TextField("The risks it addresses", blank=True)
    why_not_individual = models.TextField("Why individual risk assessment is not enough", blank=True)
    policy_reference = models.CharField("Policy or legal reference", max_length=200, blank=True)
    equality_impact = models.TextField(
        "Equality impact",
        blank=True,
        help_text="Who could this affect more than others, and what is done about it.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    authorised_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    authorised_at = models.DateTimeField(null=True, blank=True)
    authorising_body = models.CharField(
        "Authorised through", max_length=200, blank=True, help_text="For example 'Ward governance meeting'"
    )
    patients_told_how = models.TextField("How patients were told", blank=True)
    patients_told_on = models.DateField("When patients were told", null=True, blank=True)
    review_interval_months = models.PositiveSmallIntegerField("Review every (months)", default=3)
    next_review_date = models.DateField(null=True, blank=True)
    modified_at = models.DateTimeField(null=True, blank=True)
    modification_reason = models.TextField("Why it was changed", blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_reason = models.TextField("Why it was lifted", blank=True)
    history = HistoricalRecords()

    objects = BlanketRuleQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["status", "next_review_date"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("blanket_rules:rule_detail", args=[self.pk])

    @property
    def in_force(self) -> bool:
        return self.status in self.IN_FORCE_STATUSES

    @property
    def review_overdue(self) -> bool:
        return bool(self.in_force and self.next_review_date and self.next_review_date < timezone.localdate())

    @property
    def scope_label(self) -> str:
        if self.division_id:
            return f"All wards in {self.division}"
        return ", ".join(w.name for w in self.wards.all())

    def can_transition(self, new) -> bool:
        return new in self.TRANSITIONS.get(self.status, set())

    def transition_to(self, new, *, by) -> None:
        if not self.can_transition(new):
            raise InvalidRuleTransition(
                f"A rule that is {self.get_status_display().lower()} cannot become "
                f"{self.Status(new).label.lower()}."
            )
        self.status = new
        self._history_user = by


class BlanketRuleWard(models.Model):
    """One ward a rule applies to (an explicit table so the scope has its own history)."""

    rule = models.ForeignKey(BlanketRule, on_delete=models.CASCADE, related_name="scope")
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "ward"], name="unique_blanket_rule_ward")]

    def __str__(self):
        return f"{self.rule} on {self.ward}"


class Outcome(models.TextChoices):
    KEEP = "keep", "Keep the rule as it is"
    MODIFY = "modify", "Change the rule"
    LIFT = "lift", "Lift the rule"


class BlanketRuleReviewQuerySet(models.QuerySet):
    def scheduled(self):
        return self.filter(held_on__isnull=True)

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.scheduled().filter(due_date__lt=today)


class BlanketRuleReview(Versioned):
    """A scheduled review of a rule; held when findings and an outcome are recorded."""

    rule = models.ForeignKey(BlanketRule, on_delete=models.PROTECT, related_name="reviews")
    due_date = models.DateField("Review due by")
    held_on = models.DateField("Date of the review", null=True, blank=True)
    participants = models.TextField("Who took part", blank=True, help_text="Names and roles, one per line.")
    service_user_representative = models.CharField(
        "Service-user representative",
        max_length=200,
        blank=True,
        help_text="Who spoke for the people on the ward, for example a patient representative or advocate.",
    )
    findings = models.TextField(blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    outcome_reason = models.TextField("Reasons for the outcome", blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    history = HistoricalRecords()

    objects = BlanketRuleReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-due_date"]

    def __str__(self):
        return f"Review of {self.rule} due {self.due_date:%d/%m/%Y}"

    def get_absolute_url(self):
        return reverse("blanket_rules:review_record", args=[self.pk])

    @property
    def is_held(self) -> bool:
        return self.held_on is not None

    @property
    def overdue(self) -> bool:
        return not self.is_held and self.due_date < timezone.localdate()


class ChallengeQuerySet(models.QuerySet):
    def awaiting_decision(self):
        return self.filter(status=Challenge.Status.AWAITING_DECISION)

    def look_again_requested(self):
        return self.filter(status=Challenge.Status.LOOK_AGAIN)


class Challenge(Versioned):
    """Someone asks for a rule to change, in their own words; the ward manager decides."""

    class Status(models.TextChoices):
        AWAITING_DECISION = "awaiting_decision", "Awaiting a decision"
        DECIDED = "decided", "Decided"
        LOOK_AGAIN = "look_again", "Recovery lead asked to look again"
        CLOSED = "closed", "Looked at again: decision stands"

    TRANSITIONS = {
        Status.AWAITING_DECISION: {Status.DECIDED},
        Status.DECIDED: {Status.LOOK_AGAIN},
        # The recovery lead either upholds the decision or sends it back for a fresh decision.
        Status.LOOK_AGAIN: {Status.CLOSED, Status.AWAITING_DECISION},
        Status.CLOSED: set(),
    }

    rule = models.ForeignKey(BlanketRule, on_delete=models.PROTECT, related_name="challenges")
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="+")
    service_user = models.ForeignKey(
        ServiceUser,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="blanket_rule_challenges",
        help_text="The person the challenge is from or on behalf of, if any.",
    )
    raised_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    in_own_words = models.TextField("What is wrong with this rule, in your own words")
    would_like_instead = models.TextField("What you would like instead")
    withhold_name = models.BooleanField("Do not show my name to other patients", default=False)
    source_label = models.CharField(max_length=200, blank=True)
    source_url = models.CharField(max_length=500, blank=True)
    response_due = models.DateField("Response due by")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AWAITING_DECISION)
    decision = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    decision_reason = models.TextField("Reasons for the decision", blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    look_again_reason = models.TextField("Why the decision should be looked at again", blank=True)
    look_again_requested_at = models.DateTimeField(null=True, blank=True)
    look_again_response = models.TextField("The recovery lead's response", blank=True)
    look_again_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    look_again_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at"]
        permissions = [
            ("decide_challenge", "Decide a challenge to a blanket rule"),
            ("reconsider_challenge", "Look again at a decision on a challenge"),
        ]

    def __str__(self):
        return f"Challenge to {self.rule} raised {timezone.localtime(self.raised_at):%d/%m/%Y}"

    def get_absolute_url(self):
        return reverse("blanket_rules:challenge_detail", args=[self.pk])

    @property
    def overdue(self) -> bool:
        return self.status == self.Status.AWAITING_DECISION and self.response_due < timezone.localdate()

    @property
    def challenger_name(self) -> str:
        """The name the ward team sees: the person it is from, and who wrote it if someone else did."""
        raiser = self.raised_by.get_full_name() or self.raised_by.username
        if self.service_user_id:
            person = str(self.service_user)
            if self.service_user.user_id == self.raised_by_id:
                return person
            return f"{person} (written by {raiser})"
        return raiser

    @property
    def public_name(self) -> str:
        """The name other patients see: withheld if the challenger asked."""
        if self.withhold_name:
            return "someone on the ward (name withheld)"
        if self.service_user_id:
            return str(self.service_user)
        return self.raised_by.get_full_name() or "a member of staff"

    def can_transition(self, new) -> bool:
        return new in self.TRANSITIONS.get(self.status, set())

    def transition_to(self, new, *, by) -> None:
        if not self.can_transition(new):
            raise InvalidChallengeTransition(
                f"A challenge that is {self.get_status_display().lower()} cannot become "
                f"{self.Status(new).label.lower()}."
            )
        self.status = new
        self._history_user = by


# Direct foreign-key object permission tables (django-guardian).
class BlanketRuleUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(BlanketRule, on_delete=models.CASCADE)


class BlanketRuleGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(BlanketRule, on_delete=models.CASCADE)


class ChallengeUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Challenge, on_delete=models.CASCADE)


class ChallengeGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Challenge, on_delete=models.CASCADE)
