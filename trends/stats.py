"""The numbers behind every trends page, aggregated in the database.

Each function runs one aggregate query (`values().annotate()`) over counted incidents (submitted
or signed off, never drafts or entries marked as made in error) on the chosen wards and returns
small rows; pandas only ever sees these aggregated rows. Months and hours are Europe/London.
"""

import dataclasses
import datetime
import functools
from dataclasses import dataclass

import pandas as pd
from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncMonth
from django.utils import timezone

from incidents.codes import InterventionType
from incidents.models import Incident, Intervention
from rrp.beddays import month_starts, occupied_bed_days, occupied_bed_days_by
from rrp.models import LONDON, ServiceUser
from trends import events, monthly

PRONE = InterventionType.PRONE.value

#: National restraint length bands (NHS Digital, mental health monthly statistics), in minutes.
RESTRAINT_BANDS = [("0 to 10 minutes", 0, 10), ("11 to 30 minutes", 11, 30), ("31 to 60 minutes", 31, 60)]
RESTRAINT_OVER = "Over 60 minutes"
HOUR, DAY = 60, 24 * 60
#: Seclusion bands: up to 24 hours, 24-72 hours, 72 hours to 7 days, 1-2 weeks, 2-4 weeks, 1-3 months, over 3.
SECLUSION_BANDS = [
    ("Up to 24 hours", 24 * HOUR),
    ("24 to 72 hours", 72 * HOUR),
    ("72 hours to 7 days", 7 * DAY),
    ("1 to 2 weeks", 14 * DAY),
    ("2 to 4 weeks", 28 * DAY),
    ("1 to 3 months", 91 * DAY),
]
SECLUSION_OVER = "Over 3 months"
#: Segregation bands: 0-1, 1-3, 3-6, 6-12 months, over 12 months (a month taken as 30.4 days).
SEGREGATION_BANDS = [
    ("Up to 1 month", round(30.4 * DAY)),
    ("1 to 3 months", round(91.3 * DAY)),
    ("3 to 6 months", round(182.6 * DAY)),
    ("6 to 12 months", 365 * DAY),
]
SEGREGATION_OVER = "Over 12 months"

DAYS_OF_WEEK = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
#: Four-hour blocks of the day for the time-of-week table.
TIME_BLOCKS = [
    "00:00 to 03:59",
    "04:00 to 07:59",
    "08:00 to 11:59",
    "12:00 to 15:59",
    "16:00 to 19:59",
    "20:00 to 23:59",
]


@dataclass
class Scope:
    """What a trends page is about: wards, an inclusive date range and an intervention group."""

    ward_ids: list[int]
    first: datetime.date
    last: datetime.date
    group: str = ""
    today: datetime.date = dataclasses.field(default_factory=timezone.localdate)
    #: What has been read from the monthly counts for this scope (trends.monthly): a scope is one
    #: page's question, so its rows are read once however many sections use them.
    read: dict = dataclasses.field(default_factory=dict, repr=False, compare=False)

    @property
    def months(self) -> list[datetime.date]:
        return month_starts(self.first, self.last)

    @property
    def start(self) -> datetime.datetime:
        return datetime.datetime.combine(self.first, datetime.time(), tzinfo=LONDON)

    @property
    def end(self) -> datetime.datetime:
        """The moment after the range: midnight (London) at the start of the day after `last`."""
        return datetime.datetime.combine(
            self.last + datetime.timedelta(days=1), datetime.time(), tzinfo=LONDON
        )


def local_month(value) -> datetime.date:
    """Turn a TruncMonth result into the London month start, whatever the database hands back."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(LONDON)
        return value.date().replace(day=1)
    return value.replace(day=1)


def incidents(scope: Scope):
    """Counted incidents that started in the range on the wards (with the group, if one is chosen)."""
    qs = Incident.objects.counted().filter(
        ward_id__in=scope.ward_ids, started_at__gte=scope.start, started_at__lt=scope.end
    )
    if scope.group:
        qs = qs.filter(pk__in=Intervention.objects.filter(group=scope.group).values("incident_id"))
    return qs


def interventions(scope: Scope):
    """Interventions of counted incidents on the wards that started in the range (whenever their
    incident started; `monthly.interventions_of` finds them through the incidents' index)."""
    qs = monthly.interventions_of(Incident.objects.counted().filter(ward_id__in=scope.ward_ids))
    qs = qs.filter(started_at__gte=scope.start, started_at__lt=scope.end)
    if scope.group:
        qs = qs.filter(group=scope.group)
    return qs


def from_counts(needs: str = ""):
    """Answer from the function of the same name in trends.monthly when the counts cover the scope
    (and, when `needs` names an app hook, an app provides it); otherwise count the incidents."""

    def decorate(function):
        @functools.wraps(function)
        def answer(scope: Scope):
            if monthly.covers(scope) and (not needs or events.has(needs)):
                return getattr(monthly, function.__name__)(scope)
            return function(scope)

        return answer

    return decorate


@from_counts(needs="review_facts")
def review_measures(scope: Scope) -> dict | None:
    """{(ward_id, month): {"incidents", "with_person", "within_due"}} (None without the reviews app)."""
    return events.review_measures(incidents(scope))


def bed_days(scope: Scope) -> dict:
    """{(ward_id, month): occupied bed days}; one query."""
    return occupied_bed_days(scope.ward_ids, scope.first, scope.last, today=scope.today)


@from_counts()
def monthly_interventions(scope: Scope) -> pd.DataFrame:
    """Interventions per ward, month and group, with prone and prone-over-10-minute counts."""
    rows = (
        interventions(scope)
        .annotate(month=TruncMonth("started_at", tzinfo=LONDON), ward_id=F("incident__ward_id"))
        .values("ward_id", "month", "group")
        .annotate(
            n=Count("id"),
            prone=Count("id", filter=Q(type_code=PRONE)),
            prone_long=Count("id", filter=Q(type_code=PRONE, duration_minutes__gt=10)),
        )
        .order_by()
    )
    frame = pd.DataFrame(list(rows), columns=["ward_id", "month", "group", "n", "prone", "prone_long"])
    frame["month"] = [local_month(m) for m in frame["month"]]
    # Two database rows can fall in the same London month (a UTC month edge); add them up.
    return frame.groupby(["ward_id", "month", "group"], as_index=False).sum()


@from_counts()
def monthly_incidents(scope: Scope) -> pd.DataFrame:
    """Incidents and distinct people subject to restrictive interventions, per month."""
    rows = (
        incidents(scope)
        .annotate(month=TruncMonth("started_at", tzinfo=LONDON))
        .values("month")
        .annotate(incidents=Count("id"), people=Count("service_user_id", distinct=True))
        .order_by()
    )
    frame = pd.DataFrame(list(rows), columns=["month", "incidents", "people"])
    frame["month"] = [local_month(m) for m in frame["month"]]
    return frame


@from_counts()
def incident_totals(scope: Scope) -> dict:
    return incidents(scope).aggregate(
        incidents=Count("id"),
        people=Count("service_user_id", distinct=True),
        wards=Count("ward_id", distinct=True),
    )


@from_counts()
def restraint_durations(scope: Scope) -> pd.DataFrame:
    """How many physical restraints lasted each number of minutes (a frequency table)."""
    qs = interventions(scope).filter(group="physical")
    rows = qs.values("duration_minutes").annotate(n=Count("id")).order_by("duration_minutes")
    return pd.DataFrame(list(rows), columns=["duration_minutes", "n"])


def duration_summary(freq: pd.DataFrame) -> dict:
    """Median, mean and longest minutes, and counts in the national restraint bands."""
    total = int(freq["n"].sum()) if len(freq) else 0
    bands = {label: 0 for label, *_ in RESTRAINT_BANDS} | {RESTRAINT_OVER: 0}
    if not total:
        return {"count": 0, "median": None, "mean": None, "longest": None, "bands": bands}
    for minutes, n in zip(freq["duration_minutes"], freq["n"], strict=True):
        bands[restraint_band(int(minutes))] += int(n)
    expanded = freq.loc[freq.index.repeat(freq["n"]), "duration_minutes"]
    return {
        "count": total,
        "median": float(expanded.median()),
        "mean": float((freq["duration_minutes"] * freq["n"]).sum() / total),
        "longest": int(freq["duration_minutes"].max()),
        "bands": bands,
    }


def restraint_band(minutes: int) -> str:
    for label, _low, high in RESTRAINT_BANDS:
        if minutes <= high:
            return label
    return RESTRAINT_OVER


@from_counts()
def reasons(scope: Scope) -> pd.DataFrame:
    rows = incidents(scope).values("reason_code").annotate(n=Count("id")).order_by("-n", "reason_code")
    return pd.DataFrame(list(rows), columns=["reason_code", "n"])


@from_counts()
def harm(scope: Scope) -> pd.DataFrame:
    """Incidents by physical harm, psychological harm and death or serious injury (a cross-table)."""
    rows = (
        incidents(scope)
        .values("physical_harm", "psychological_harm", "death_or_serious_injury")
        .annotate(n=Count("id"))
        .order_by()
    )
    return pd.DataFrame(
        list(rows), columns=["physical_harm", "psychological_harm", "death_or_serious_injury", "n"]
    )


@from_counts()
def injuries(scope: Scope) -> dict:
    return interventions(scope).aggregate(
        interventions=Count("id"),
        patient=Count("id", filter=Q(patient_injured=True)),
        staff=Count("id", filter=Q(staff_injured=True)),
        other=Count("id", filter=Q(other_injured=True)),
    )


@from_counts()
def time_of_week(scope: Scope) -> pd.DataFrame:
    """Incidents by London day of the week (1 = Monday) and four-hour block of the day they started
    (0 = midnight to 03:59, ... 5 = 20:00 to 23:59; TIME_BLOCKS)."""
    rows = (
        incidents(scope)
        .annotate(
            dow=ExtractIsoWeekDay("started_at", tzinfo=LONDON), hour=ExtractHour("started_at", tzinfo=LONDON)
        )
        .values("dow", "hour")
        .annotate(n=Count("id"))
        .order_by()
    )
    frame = pd.DataFrame(list(rows), columns=["dow", "hour", "n"])
    frame["block"] = frame["hour"] // 4
    return frame.groupby(["dow", "block"], as_index=False)["n"].sum()


# Protected characteristics ---------------------------------------------------------------

AGE_BANDS = [
    ("Under 18", 0, 17),
    ("18 to 24", 18, 24),
    ("25 to 34", 25, 34),
    ("35 to 44", 35, 44),
    ("45 to 54", 45, 54),
    ("55 to 64", 55, 64),
    ("65 and over", 65, 200),
]
NOT_KNOWN = "Not known"
ETHNIC_GROUPS = {
    "White": "ABC",
    "Mixed": "DEFG",
    "Asian or Asian British": "HJKL",
    "Black or Black British": "MNP",
    "Other ethnic group": "RS",
}
_YES_NO = dict(ServiceUser.YesNoUnknown.choices)


@dataclass(frozen=True)
class Characteristic:
    key: str
    label: str
    field: str = ""  # the snapshot field on Incident (and on ServiceUser), when a plain field
    labels: dict = dataclasses.field(default_factory=dict)


CHARACTERISTICS = [
    Characteristic("age", "Age"),
    Characteristic("sex", "Sex", "sex", dict(ServiceUser.Sex.choices)),
    Characteristic("ethnicity", "Ethnic group"),
    Characteristic("religion", "Religion or belief", "religion", dict(ServiceUser.Religion.choices)),
    Characteristic(
        "sexual_orientation",
        "Sexual orientation",
        "sexual_orientation",
        dict(ServiceUser.SexualOrientation.choices),
    ),
    Characteristic("disability", "Disability", "disability", _YES_NO),
    Characteristic("learning_disability", "Learning disability", "learning_disability", _YES_NO),
    Characteristic("autism", "Autistic", "autism", _YES_NO),
    Characteristic("ld_or_autism", "Learning disability or autism"),
    Characteristic(
        "gender_reassignment",
        "Gender identity differs from sex registered at birth",
        "gender_reassignment",
        _YES_NO,
    ),
    Characteristic(
        "marital_status",
        "Marriage or civil partnership",
        "marital_status",
        dict(ServiceUser.MaritalStatus.choices),
    ),
    Characteristic("pregnancy", "Pregnant or recently gave birth", "pregnancy", _YES_NO),
]
CHARACTERISTIC_KEYS = [c.key for c in CHARACTERISTICS]


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def characteristic_expressions(prefix: str = "", *, age_on: datetime.date | None = None) -> dict:
    """SQL expressions giving each characteristic's group code.

    Without `age_on` they read an incident's snapshot through `prefix` ("" from an incident,
    "incident__" from an intervention), with the age at the incident. With `age_on` they read a
    person's record through `prefix` (for example "service_user__" from an admission), with the
    age on that day.
    """
    if age_on is None:
        age_field = f"{prefix}age_at_incident"
        whens = [
            When(**{f"{age_field}__gte": low, f"{age_field}__lte": high}, then=Value(label))
            for label, low, high in AGE_BANDS
        ]
    else:
        # Born on or before (age_on minus `low` years) means at least `low` years old that day.
        born = f"{prefix}date_of_birth"
        whens = [
            When(**{f"{born}__lte": _years_before(age_on, low)}, then=Value(label))
            for label, low, _high in reversed(AGE_BANDS)
        ]
    age = Case(*whens, default=Value(NOT_KNOWN), output_field=CharField())
    ethnicity = Case(
        *[
            When(**{f"{prefix}ethnicity__in": list(codes)}, then=Value(name))
            for name, codes in ETHNIC_GROUPS.items()
        ],
        When(**{f"{prefix}ethnicity": "99"}, then=Value("Prefers not to say")),
        default=Value(NOT_KNOWN),
        output_field=CharField(),
    )
    ld, autism = f"{prefix}learning_disability", f"{prefix}autism"
    ld_or_autism = Case(
        When(Q(**{ld: "yes"}) | Q(**{autism: "yes"}), then=Value("yes")),
        When(Q(**{ld: "no"}) & Q(**{autism: "no"}), then=Value("no")),
        default=Value("not_known"),
        output_field=CharField(),
    )
    expressions = {"age": age, "ethnicity": ethnicity, "ld_or_autism": ld_or_autism}
    for c in CHARACTERISTICS:
        if c.field:
            expressions[c.key] = F(f"{prefix}{c.field}")
    return {c.key: expressions[c.key] for c in CHARACTERISTICS}


def group_label(characteristic: Characteristic, code) -> str:
    if not code:
        return NOT_KNOWN
    if characteristic.key == "ld_or_autism":
        return _YES_NO.get(code, code)
    return characteristic.labels.get(code, code) if characteristic.labels else str(code)


def interventions_by_characteristic(scope: Scope) -> pd.DataFrame:
    """Interventions per combination of characteristics and person: one query.

    The person's id is kept so that pandas can count distinct people per group.
    """
    exprs = characteristic_expressions("incident__")
    rows = (
        interventions(scope)
        .annotate(**{f"c_{k}": v for k, v in exprs.items()}, person=F("incident__service_user_id"))
        .values(*(f"c_{k}" for k in exprs), "person")
        .annotate(n=Count("id"))
        .order_by()
    )
    frame = pd.DataFrame(list(rows), columns=[*(f"c_{k}" for k in exprs), "person", "n"])
    return frame.rename(columns={f"c_{k}": k for k in exprs})


def bed_days_by_characteristic(scope: Scope) -> pd.DataFrame:
    """Occupied bed days per combination of characteristics (the person's record; one query)."""
    middle = scope.first + (scope.last - scope.first) / 2
    exprs = characteristic_expressions("service_user__", age_on=middle)
    rows = occupied_bed_days_by(scope.ward_ids, scope.first, scope.last, exprs, today=scope.today)
    return pd.DataFrame(rows, columns=[*exprs, "days"])
