"""The organisation, its people and admissions: the shared core every other app builds on."""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from rrp import statements
from rrp.links import record_url
from rrp.nhs_number import validate_nhs_number

LONDON = ZoneInfo("Europe/London")


def local_date(moment: datetime.datetime) -> datetime.date:
    """Return the Europe/London calendar date of an aware datetime."""
    return moment.astimezone(LONDON).date()


class Trust(models.Model):
    name = models.CharField(max_length=200, unique=True)
    history = HistoricalRecords()

    def __str__(self):
        return self.name


class Division(models.Model):
    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="divisions")
    name = models.CharField(max_length=200)
    # Recovery leads see the whole division; peer workers of the division sit on its review panel.
    leads_group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="+", null=True, editable=False
    )
    peers_group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="+", null=True, editable=False
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["trust", "name"], name="unique_division_name")]

    def __str__(self):
        return self.name


class Ward(models.Model):
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="wards")
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=200, blank=True, help_text="For example 'Medium secure, male'")
    beds = models.PositiveIntegerField(default=16)
    # The trend charts draw this as the target line when it is set (interventions per 1,000 bed days).
    target_rate = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    staff_group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="+", null=True, editable=False
    )
    managers_group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="+", null=True, editable=False
    )
    peers_group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="+", null=True, editable=False
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["division", "name"], name="unique_ward_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("ward_detail", args=[self.pk])


class StaffProfile(models.Model):
    class Role(models.TextChoices):
        WARD_STAFF = "ward_staff", "Ward staff"
        WARD_MANAGER = "ward_manager", "Ward manager"
        RECOVERY_LEAD = "recovery_lead", "Recovery lead"
        PEER_WORKER = "peer_worker", "Peer support worker"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff")
    job_title = models.CharField(max_length=100)
    role = models.CharField(max_length=20, choices=Role.choices)
    division = models.ForeignKey(
        Division,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text="For recovery leads and peer workers: the division they cover.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self):
        return f"{self.user.get_full_name()} ({self.job_title})"


class WardAssignment(models.Model):
    """A member of staff assigned to a ward. Creating or ending one changes group membership."""

    staff = models.ForeignKey(StaffProfile, on_delete=models.PROTECT, related_name="assignments")
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="assignments")
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["staff", "ward"], name="unique_ward_assignment")]

    def __str__(self):
        return f"{self.staff} on {self.ward}"


class ServiceUser(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        INTERSEX = "intersex", "Intersex"
        NOT_KNOWN = "not_known", "Not known"
        PREFERS_NOT = "prefers_not_to_say", "Prefers not to say"

    class YesNoUnknown(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        NOT_KNOWN = "not_known", "Not known"
        PREFERS_NOT = "prefers_not_to_say", "Prefers not to say"

    class Ethnicity(models.TextChoices):
        # NHS Data Dictionary ethnic categories, grouped as the national statistics are.
        WHITE_BRITISH = "A", "White: British"
        WHITE_IRISH = "B", "White: Irish"
        WHITE_OTHER = "C", "White: any other White background"
        MIXED_WHITE_BLACK_CARIBBEAN = "D", "Mixed: White and Black Caribbean"
        MIXED_WHITE_BLACK_AFRICAN = "E", "Mixed: White and Black African"
        MIXED_WHITE_ASIAN = "F", "Mixed: White and Asian"
        MIXED_OTHER = "G", "Mixed: any other mixed background"
        ASIAN_INDIAN = "H", "Asian or Asian British: Indian"
        ASIAN_PAKISTANI = "J", "Asian or Asian British: Pakistani"
        ASIAN_BANGLADESHI = "K", "Asian or Asian British: Bangladeshi"
        ASIAN_OTHER = "L", "Asian or Asian British: any other Asian background"
        BLACK_CARIBBEAN = "M", "Black or Black British: Caribbean"
        BLACK_AFRICAN = "N", "Black or Black British: African"
        BLACK_OTHER = "P", "Black or Black British: any other Black background"
        CHINESE = "R", "Other: Chinese"
        OTHER = "S", "Other: any other ethnic group"
        NOT_KNOWN = "Z", "Not known"
        PREFERS_NOT = "99", "Prefers not to say"

    class Religion(models.TextChoices):
        NONE = "none", "No religion"
        CHRISTIAN = "christian", "Christian"
        MUSLIM = "muslim", "Muslim"
        HINDU = "hindu", "Hindu"
        SIKH = "sikh", "Sikh"
        JEWISH = "jewish", "Jewish"
        BUDDHIST = "buddhist", "Buddhist"
        OTHER = "other", "Other religion or belief"
        NOT_KNOWN = "not_known", "Not known"
        PREFERS_NOT = "prefers_not_to_say", "Prefers not to say"

    class SexualOrientation(models.TextChoices):
        HETEROSEXUAL = "heterosexual", "Heterosexual or straight"
        GAY_LESBIAN = "gay_lesbian", "Gay or lesbian"
        BISEXUAL = "bisexual", "Bisexual"
        OTHER = "other", "Other sexual orientation"
        NOT_KNOWN = "not_known", "Not known"
        PREFERS_NOT = "prefers_not_to_say", "Prefers not to say"

    class MaritalStatus(models.TextChoices):
        SINGLE = "single", "Single"
        MARRIED = "married", "Married or in a civil partnership"
        SEPARATED = "separated", "Separated, divorced or dissolved"
        WIDOWED = "widowed", "Widowed"
        NOT_KNOWN = "not_known", "Not known"
        PREFERS_NOT = "prefers_not_to_say", "Prefers not to say"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_user",
    )
    nhs_number = models.CharField(
        "NHS number",
        max_length=10,
        unique=True,
        validators=[validate_nhs_number],
        help_text="10 digits, for example 943 476 5919",
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=20, choices=Sex.choices, default=Sex.NOT_KNOWN)
    gender_reassignment = models.CharField(
        "Gender identity differs from sex registered at birth",
        max_length=20,
        choices=YesNoUnknown.choices,
        default=YesNoUnknown.NOT_KNOWN,
    )
    ethnicity = models.CharField(max_length=2, choices=Ethnicity.choices, default=Ethnicity.NOT_KNOWN)
    religion = models.CharField(max_length=20, choices=Religion.choices, default=Religion.NOT_KNOWN)
    sexual_orientation = models.CharField(
        max_length=20, choices=SexualOrientation.choices, default=SexualOrientation.NOT_KNOWN
    )
    marital_status = models.CharField(
        "Marriage or civil partnership",
        max_length=20,
        choices=MaritalStatus.choices,
        default=MaritalStatus.NOT_KNOWN,
    )
    pregnancy = models.CharField(
        "Pregnant or recently gave birth",
        max_length=20,
        choices=YesNoUnknown.choices,
        default=YesNoUnknown.NOT_KNOWN,
    )
    disability = models.CharField(
        "Has a disability", max_length=20, choices=YesNoUnknown.choices, default=YesNoUnknown.NOT_KNOWN
    )
    learning_disability = models.CharField(
        max_length=20, choices=YesNoUnknown.choices, default=YesNoUnknown.NOT_KNOWN
    )
    autism = models.CharField(
        "Autistic", max_length=20, choices=YesNoUnknown.choices, default=YesNoUnknown.NOT_KNOWN
    )
    mental_disorder = models.CharField(
        "Mental disorder, if known",
        max_length=200,
        blank=True,
        help_text="Leave blank if not known.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["family_name", "given_name"]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return record_url("service_user_detail", self.pk)

    @property
    def display_name(self) -> str:
        return f"{self.preferred_name or self.given_name} {self.family_name}"

    @property
    def formatted_nhs_number(self) -> str:
        n = self.nhs_number
        return f"{n[:3]} {n[3:6]} {n[6:]}"

    def age_on(self, day: datetime.date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def admission_at(self, moment: datetime.datetime):
        """Return the admission this person was on at `moment`, or None."""
        return (
            self.admissions.filter(start__lte=moment)
            .filter(models.Q(end__isnull=True) | models.Q(end__gt=moment))
            .select_related("ward")
            .first()
        )

    @property
    def current_admission(self):
        return self.admissions.filter(end__isnull=True).select_related("ward__division").first()

    @property
    def current_ward(self):
        admission = self.current_admission
        return admission.ward if admission else None


class PersonToNotify(models.Model):
    """Someone the person wants told if force is used on them (s.6(5)(p))."""

    service_user = models.ForeignKey(ServiceUser, on_delete=models.CASCADE, related_name="people_to_notify")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=100)
    phone = models.CharField(max_length=40, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.relationship})"


class CarerLink(models.Model):
    """A carer linked to a service user, with what that person consented to share."""

    carer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="carer_links")
    service_user = models.ForeignKey(ServiceUser, on_delete=models.PROTECT, related_name="carer_links")
    relationship = models.CharField(max_length=100)
    shares_safety_plan = models.BooleanField("May see the safety plan", default=False)
    shares_ward_rounds = models.BooleanField("May take part in ward rounds", default=False)
    consented_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["carer", "service_user"], name="unique_carer_link")]

    def __str__(self):
        return f"{self.carer.get_full_name()}, {self.relationship} of {self.service_user}"

    @property
    def is_active(self) -> bool:
        return self.consented_at is not None and self.withdrawn_at is None


def current_wards(person_ids: list[int]) -> dict[int, tuple[int, str]]:
    """Each of these people's ward now, as (id, name), for a page of people: one statement,
    compiled once for each number of people (rrp.statements.values)."""

    def build(ids):
        current = Admission.objects.current().filter(service_user__in=ids).order_by()
        return current.values_list("service_user_id", "ward_id", "ward__name")

    rows = statements.values(Admission, "current_wards", build, person_ids)
    return {person: (ward, name) for person, ward, name in rows}


class AdmissionQuerySet(models.QuerySet):
    def current(self):
        return self.filter(end__isnull=True)

    def overlapping(self, start, end):
        """Admissions that share any moment with [start, end); end None means ongoing."""
        qs = self.filter(models.Q(end__isnull=True) | models.Q(end__gt=start))
        if end is not None:
            qs = qs.filter(start__lt=end)
        return qs


class Admission(models.Model):
    service_user = models.ForeignKey(ServiceUser, on_delete=models.PROTECT, related_name="admissions")
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="admissions")
    start = models.DateTimeField("Admitted")
    end = models.DateTimeField("Left the ward", null=True, blank=True)
    # Calendar dates in Europe/London, kept so bed days are whole local days in SQL,
    # whatever the clocks did (a day with a clock change is still one bed day).
    start_date = models.DateField(editable=False)
    end_date = models.DateField(null=True, editable=False)
    ended_by_transfer = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords()

    objects = AdmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-start"]
        indexes = [
            models.Index(fields=["ward", "start_date", "end_date"]),
            models.Index(fields=["service_user", "start"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gt=models.F("start")),
                name="admission_ends_after_start",
                violation_error_message="An admission must end after it starts.",
            )
        ]

    def __str__(self):
        return f"{self.service_user} on {self.ward} from {local_date(self.start):%d/%m/%Y}"

    def save(self, *args, **kwargs):
        self.start_date = local_date(self.start)
        self.end_date = local_date(self.end) if self.end else None
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.end and self.start and self.end <= self.start:
            errors["end"] = "The date the person left the ward must be after the date they were admitted."
        if self.start and self.start > timezone.now():
            errors["start"] = "The admission date cannot be in the future."
        if self.start and self.service_user_id:
            clash = (
                Admission.objects.filter(service_user_id=self.service_user_id)
                .exclude(pk=self.pk)
                .overlapping(self.start, self.end)
                .first()
            )
            if clash:
                errors.setdefault(
                    "start",
                    f"This person already has an admission at that time ({clash}).",
                )
        if errors:
            raise ValidationError(errors)


class PermissionEvent(models.Model):
    """One grant or revocation of an object permission: who gave whom access to what, and why."""

    class Action(models.TextChoices):
        GRANT = "grant", "Granted"
        REVOKE = "revoke", "Withdrawn"

    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    permission = models.CharField(max_length=100)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    group = models.ForeignKey(Group, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        who = self.user or self.group
        return (
            f"{self.get_action_display()} {self.permission} on {self.object_type} {self.object_id} to {who}"
        )


# Direct foreign-key object permission tables (django-guardian), one pair per guarded model.
class WardUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Ward, on_delete=models.CASCADE)


class WardGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Ward, on_delete=models.CASCADE)


class ServiceUserUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(ServiceUser, on_delete=models.CASCADE)


class ServiceUserGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(ServiceUser, on_delete=models.CASCADE)


class AdmissionUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Admission, on_delete=models.CASCADE)


class AdmissionGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Admission, on_delete=models.CASCADE)
