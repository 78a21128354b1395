"""Synthetic incidents in bulk, for benchmarks: `manage.py seed_demo --scale N`.

Runs after `rrp.scale` has made the scale wards, their staff and their admissions. It tops each
scale ward up to its share of N incidents (so running it twice adds nothing, and a run that was
stopped carries on where it stopped), in batches of a few thousand, each batch in one transaction:

- incidents with the person's characteristics copied as the incidents service copies them, and
  one to three MHSDS-coded interventions each with realistic durations, plus the staff involved,
  all written with `rrp.copyload.create_with_history` (one "Created" history row each, dated when the
  record was made, by the member of staff who made it);
- the object permissions the incidents service grants (view and change to the ward's team, sign
  off and mark in error to its managers, view to the division's recovery leads, view to the person
  once submitted when they have a sign-in), inserted in bulk straight into the direct foreign-key
  permission tables and recorded in PermissionEvent;
- post-incident reviews, when the reviews app is installed.
"""

import datetime
import random
from bisect import bisect_right
from collections import Counter
from functools import partial
from itertools import accumulate

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from incidents.codes import DEESCALATION_TECHNIQUES, GROUP_OF, InterventionGroup
from incidents.models import (
    Incident,
    Intervention,
    StaffInvolvement,
)
from rrp import permissions
from rrp.copyload import create_with_history
from rrp.models import Admission, Division, PermissionEvent, ServiceUser, Ward, local_date
from rrp.scale import (
    REASON,
    WINDOW_DAYS,
    admin_of,
    ensure_demo_only,
    fast_load,
    in_parallel,
    scale_wards,
    workers,
)

BATCH = 5_000

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

# Rough national mix of MHSDS restrictive intervention types (weights, not percentages).
TYPE_WEIGHTS = {
    "01": 9,  # prone
    "07": 12,
    "08": 10,
    "09": 14,
    "10": 6,
    "11": 8,
    "12": 3,
    "13": 4,
    "14": 12,  # rapid tranquillisation
    "15": 2,
    "16": 6,
    "17": 1,
    "04": 0.5,  # mechanical
    "05": 10,  # seclusion
    "06": 1,  # segregation
}
REASON_WEIGHTS = {
    "10": 40,
    "11": 15,
    "12": 3,
    "13": 12,
    "14": 3,
    "15": 1,
    "16": 4,
    "17": 14,
    "18": 2,
    "19": 3,
    "98": 2,
    "99": 1,
}
PLACES = [
    "Lounge",
    "Bedroom corridor",
    "Dining room",
    "Garden",
    "Own bedroom",
    "Clinic room",
    "Ward entrance",
]
DESCRIPTIONS = [
    "Became distressed after a phone call and hit out at a member of staff.",
    "Was trying to tie a ligature in the bathroom.",
    "Refused prescribed depot medication under section 3; treatment was given as planned.",
    "Threw furniture in the lounge, other patients were at risk.",
    "Tried to leave through the airlock behind a visitor.",
    "Head-banging against the bedroom wall and could not be calmed.",
]
HOW = [
    "Two staff held both arms in a standing hold and guided to the low-stimulus room.",
    "Held on the floor briefly, turned to the side as soon as it was safe.",
    "Escorted to the seclusion room by three staff; seclusion started and reviewed as policy.",
    "Intramuscular medication given while held seated; observations started.",
]
OUTCOMES = [
    "Settled within the hour and talked with the nurse in charge.",
    "Calmer after medication; observations within normal limits.",
    "Minor graze to the wrist, checked by the doctor.",
    "Left seclusion the next morning after review.",
]
DEESCALATION = [code for code, _label in DEESCALATION_TECHNIQUES if code != "other"]


def review_model():
    """The reviews app's Review model, or None when the app is not installed."""
    try:
        return apps.get_model("reviews", "Review")
    except LookupError:
        return None


def _say(stdout, text):
    if stdout is not None:
        stdout.write(text)


def targets(wards, n: int) -> dict:
    """Each ward's share of n incidents (the first wards take the remainder)."""
    share, rest = divmod(n, len(wards))
    return {ward.pk: share + (1 if index < rest else 0) for index, ward in enumerate(wards)}


def seed_scale(cast, n: int, *, stdout=None) -> Counter:
    """Top the scale wards up to n incidents in all, and report what was added."""
    ensure_demo_only()
    wards = list(scale_wards())
    added = Counter()
    if not wards:
        _say(stdout, "  no scale wards: nothing added")
        return added
    admin = admin_of(cast)
    have = dict(
        Incident.objects.filter(ward__in=wards).values_list("ward_id").annotate(n=Count("id")).order_by()
    )
    want = targets(wards, n)
    work = [(ward, have.get(ward.pk, 0), want[ward.pk] - have.get(ward.pk, 0)) for ward in wards]
    work = [item for item in work if item[2] > 0]
    started = timezone.now()
    total = sum(missing for _ward, _have, missing in work)
    count = workers(len(work))
    if count > 1:
        _say(stdout, f"  loading {total:,} incidents with {count} processes")
    load = partial(_load, now=cast.now, admin=admin, stdout=stdout, total=total)
    added = sum(in_parallel(load, work, count), Counter())
    if added:
        analyse()
        seconds = (timezone.now() - started).total_seconds()
        summary = ", ".join(f"{number:,} {what}" for what, number in added.items())
        _say(stdout, f"  added {summary} in {seconds:.1f} s")
    else:
        _say(stdout, f"  the scale wards already hold {n:,} incidents; nothing added")
    return added


def _load(work, *, now, admin, stdout, total) -> Counter:
    added = Counter()
    started = timezone.now()
    for ward, have, missing in work:
        plan = _WardPlan(ward, now, admin, seed=f"incidents-{ward.name}-{have}")
        while missing > 0:
            size = min(BATCH, missing)
            with transaction.atomic():
                fast_load()
                added.update(plan.batch(size))
            missing -= size
            done = added["incidents"]
            if done % 50_000 < size or missing <= 0:
                rate = done / max((timezone.now() - started).total_seconds(), 0.001)
                _say(stdout, f"  {done:,} of {total:,} incidents ({rate:,.0f} a second)")
    return added


def analyse() -> None:
    """Refresh the planner's statistics after a bulk load (PostgreSQL), so plans fit the new volume.

    Every table of the apps the generator writes to, history and permission tables included. Outside
    a transaction it is `VACUUM (ANALYZE)`, which also sets the visibility map that index-only scans
    need (autovacuum may be off, and would take its time); inside one (the tests) plain `ANALYZE`.
    """
    if connection.vendor != "postgresql":
        return
    labels = {"rrp", "incidents", "reviews", "guardian"}
    tables = sorted(
        {model._meta.db_table for model in apps.get_models() if model._meta.app_label in labels}
        & set(connection.introspection.table_names())
    )
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        cursor.execute(f"{command} {', '.join(connection.ops.quote_name(t) for t in tables)}")


class _WardPlan:
    """What a ward's incidents are drawn from: its admissions (weighted by time on the ward) and staff."""

    def __init__(self, ward, now, admin, seed):
        self.ward, self.now, self.admin = ward, now, admin
        self.rng = random.Random(seed)  # noqa: S311
        self.window_start = now - datetime.timedelta(days=WINDOW_DAYS)
        self.latest = now - datetime.timedelta(hours=2)
        spans = []
        for admission in Admission.objects.filter(ward=ward).select_related("service_user"):
            lo = max(admission.start, self.window_start)
            hi = min(admission.end or self.latest, self.latest) - datetime.timedelta(hours=1)
            if hi > lo:
                spans.append((admission, lo, hi))
        if not spans:
            raise ValueError(f"{ward} has no admissions to place incidents in.")
        self.spans = spans
        self.cumulative = list(accumulate((hi - lo).total_seconds() for _a, lo, hi in spans))
        staff = {
            u.staff.role: u
            for u in User.objects.filter(groups=ward.staff_group).select_related("staff").order_by("username")
        }
        managers = list(User.objects.filter(groups=ward.managers_group).order_by("username"))
        self.reporters = [u for u in User.objects.filter(groups=ward.staff_group).select_related("staff")]
        self.manager = managers[0] if managers else admin
        self.nurse = staff.get("ward_staff", self.manager)
        self.types = list(TYPE_WEIGHTS)
        self.type_cum = list(accumulate(TYPE_WEIGHTS.values()))
        self.reasons = list(REASON_WEIGHTS)
        self.reason_cum = list(accumulate(REASON_WEIGHTS.values()))

    def _span(self):
        point = self.rng.random() * self.cumulative[-1]
        return self.spans[min(bisect_right(self.cumulative, point), len(self.spans) - 1)]

    def _moment(self, lo, hi):
        seconds = (hi - lo).total_seconds()
        return (lo + datetime.timedelta(seconds=self.rng.random() * seconds)).replace(second=0, microsecond=0)

    def _minutes(self, code: str) -> float:
        rng, group = self.rng, GROUP_OF[code]
        if code == "01":
            return min(30, max(1, rng.lognormvariate(1.4, 0.7)))  # prone: mostly under 10 minutes
        if group == InterventionGroup.PHYSICAL:
            return min(120, max(1, rng.lognormvariate(2.1, 0.8)))
        if group == InterventionGroup.CHEMICAL:
            return rng.uniform(1, 10)
        if group == InterventionGroup.MECHANICAL:
            return rng.uniform(15, 180)
        if code == "05":
            return min(72 * 60, max(30, rng.lognormvariate(5.9, 0.9)))  # seclusion: hours
        return rng.uniform(1, 21) * 24 * 60  # segregation: days

    def _status(self, created):
        age = self.now - created
        rng = self.rng
        if age < datetime.timedelta(days=2):
            return Incident.Status.DRAFT if rng.random() < 0.15 else Incident.Status.SUBMITTED
        if age < datetime.timedelta(days=10):
            return rng.choice([Incident.Status.SUBMITTED, Incident.Status.SIGNED_OFF])
        return Incident.Status.SUBMITTED if rng.random() < 0.03 else Incident.Status.SIGNED_OFF

    def batch(self, size: int) -> Counter:
        rng, now = self.rng, self.now
        incidents, children = [], []
        for _ in range(size):
            admission, lo, hi = self._span()
            person = admission.service_user
            started = self._moment(lo, hi)
            limit = min(admission.end or now, now) - datetime.timedelta(minutes=2)
            reporter = rng.choice(self.reporters)
            interventions = []
            start = started
            for index in range(rng.choices((1, 2, 3), weights=(60, 30, 10))[0]):
                code = self.types[bisect_right(self.type_cum, rng.random() * self.type_cum[-1])]
                if index:
                    start = min(start + datetime.timedelta(minutes=rng.uniform(0, 10)), limit)
                end = min(start + datetime.timedelta(minutes=self._minutes(code)), limit)
                end = max(end, start + datetime.timedelta(minutes=1))
                interventions.append(
                    Intervention(
                        type_code=code,
                        group=GROUP_OF[code],
                        started_at=start,
                        ended_at=end,
                        duration_minutes=round((end - start).total_seconds() / 60),
                        in_care_plan=rng.choice(["yes", "yes", "no", "not_known"]),
                        patient_injured=rng.random() < 0.03,
                        staff_injured=rng.random() < 0.04,
                        other_injured=rng.random() < 0.005,
                        prone_reason="Fell to the floor face down while held; turned within a minute."
                        if code == "01"
                        else "",
                    )
                )
            ended = max(i.ended_at for i in interventions)
            created = min(now, started + datetime.timedelta(minutes=rng.uniform(20, 180)))
            status = self._status(created)
            incident = Incident(
                service_user=person,
                ward=self.ward,
                admission=admission,
                place=rng.choice(PLACES),
                started_at=started,
                ended_at=ended,
                reason_code=self.reasons[bisect_right(self.reason_cum, rng.random() * self.reason_cum[-1])],
                reason_description=rng.choice(DESCRIPTIONS),
                how_force_used=rng.choice(HOW),
                deescalation=rng.sample(DEESCALATION, rng.randrange(1, 4)),
                outcome=rng.choice(OUTCOMES),
                physical_harm=rng.choices(["none", "low", "moderate"], weights=(85, 13, 2))[0],
                psychological_harm=rng.choices(["none", "low", "moderate"], weights=(60, 30, 10))[0],
                care_plan_people_told=rng.choice(["yes", "yes", "yes", "no", "not_known"]),
                immediate_debrief_offered=rng.choice(["yes", "yes", "yes", "no"]),
                age_at_incident=person.age_on(local_date(started)),
                status=Incident.Status.DRAFT,
                reported_by=reporter,
                created_at=created,
            )
            for name in CHARACTERISTICS:
                setattr(incident, name, getattr(person, name) or "")
            if status != Incident.Status.DRAFT:
                incident.status = status
                incident.submitted_at = min(now, created + datetime.timedelta(minutes=rng.uniform(5, 120)))
                incident.submitted_by = reporter
            if status == Incident.Status.SIGNED_OFF:
                incident.signed_off_at = min(
                    now, incident.submitted_at + datetime.timedelta(days=rng.uniform(0.2, 5))
                )
                incident.signed_off_by = self.manager
            if status != Incident.Status.DRAFT and rng.random() < 0.003:
                incident.entered_in_error_at = min(now, incident.submitted_at + datetime.timedelta(days=1))
                incident.entered_in_error_by = self.manager
                incident.entered_in_error_reason = (
                    "Recorded against the wrong person; entered again correctly."
                )
            incident._history_date = created
            incident._history_user = reporter
            incident._change_reason = REASON
            incidents.append(incident)
            staff = [reporter]
            if rng.random() < 0.5:
                other = rng.choice(self.reporters)
                if other.pk != reporter.pk:
                    staff.append(other)
            children.append((interventions, staff))

        create_with_history(incidents, Incident, batch_size=1000, default_user=self.admin)
        rows, involved = [], []
        for incident, (interventions, staff) in zip(incidents, children, strict=True):
            for row in interventions:
                row.incident = incident
                row._history_date = incident.created_at
                row._history_user = incident.reported_by
                row._change_reason = REASON
                rows.append(row)
            for user in staff:
                person = StaffInvolvement(
                    incident=incident,
                    staff=user,
                    name=user.get_full_name(),
                    job_title=user.staff.job_title,
                    used_force=True,
                )
                person._history_date = incident.created_at
                person._history_user = incident.reported_by
                person._change_reason = REASON
                involved.append(person)
        create_with_history(rows, Intervention, batch_size=2000, default_user=self.admin)
        create_with_history(involved, StaffInvolvement, batch_size=2000, default_user=self.admin)
        ids = [i.pk for i in incidents]
        grants = grant_incidents(self.ward, min(ids), max(ids))
        reviews = create_reviews(incidents, self.rng, self.now, self.ward)
        counts = Counter(
            {
                "incidents": len(incidents),
                "interventions": len(rows),
                "staff involvements": len(involved),
                "object permissions": grants,
            }
        )
        if reviews:
            counts["post-incident reviews"] = reviews
        return counts


EVENT_COLUMNS = "at, actor_id, action, permission, object_type, object_id, user_id, group_id, reason"


def grant_in_bulk(model, *, source, where, params, grants, at, actor, reason) -> int:
    """Grant object permissions on many rows of `model` at once, and record each grant.

    `source` is a FROM clause in which the rows are aliased `o` (joined to their ward `w`, its
    division `d` and the person `p` as needed); `grants` lists (codename, "group" or "user", SQL for
    the group or user id, extra condition or ""). Each grant is one INSERT ... SELECT into the
    model's direct foreign-key permission table and one into PermissionEvent, as
    `rrp.permissions.grant` would write them one by one.
    """
    ctype = ContentType.objects.get_for_model(model)
    ids = dict(Permission.objects.filter(content_type=ctype).values_list("codename", "pk"))
    tables = {"group": get_group_obj_perms_model(model), "user": get_user_obj_perms_model(model)}
    label = model._meta.label_lower
    total = 0
    with connection.cursor() as cursor:
        for codename, kind, target, condition in grants:
            extra = f" AND {condition}" if condition else ""
            table = tables[kind]._meta.db_table
            cursor.execute(
                f"INSERT INTO {table} (permission_id, {kind}_id, content_object_id) "  # noqa: S608
                f"SELECT %s, {target}, o.id {source} WHERE {where}{extra}",
                [ids[codename], *params],
            )
            total += cursor.rowcount
            user, group = (target, "NULL") if kind == "user" else ("NULL", target)
            cursor.execute(
                f"INSERT INTO {PermissionEvent._meta.db_table} ({EVENT_COLUMNS}) "  # noqa: S608
                f"SELECT {at}, {actor}, 'grant', %s, %s, CAST(o.id AS VARCHAR(40)), {user}, {group}, "
                f"%s {source} WHERE {where}{extra}",
                [f"{model._meta.app_label}.{codename}", label, reason, *params],
            )
    permissions.permissions_changed()
    return total


def _tables():
    return {
        "incident": Incident._meta.db_table,
        "ward": Ward._meta.db_table,
        "division": Division._meta.db_table,
        "person": ServiceUser._meta.db_table,
    }


def grant_incidents(ward: Ward, lo: int, hi: int) -> int:
    """Grant, in bulk, what `incidents.services` grants, on the ward's incidents with ids lo..hi."""
    t = _tables()
    source = (
        f"FROM {t['incident']} o JOIN {t['ward']} w ON w.id = o.ward_id "
        f"JOIN {t['division']} d ON d.id = w.division_id JOIN {t['person']} p ON p.id = o.service_user_id"
    )
    common = {
        "source": source,
        "where": "o.ward_id = %s AND o.id BETWEEN %s AND %s",
        "params": [ward.pk, lo, hi],
    }
    total = grant_in_bulk(
        Incident,
        grants=[
            ("view_incident", "group", "w.staff_group_id", ""),
            ("change_incident", "group", "w.staff_group_id", ""),
            ("sign_off_incident", "group", "w.managers_group_id", ""),
            ("mark_error_incident", "group", "w.managers_group_id", ""),
            ("view_incident", "group", "d.leads_group_id", ""),
        ],
        at="o.created_at",
        actor="o.reported_by_id",
        reason="incident recorded",
        **common,
    )
    # The person sees their own incident once it is submitted, if they have a sign-in.
    total += grant_in_bulk(
        Incident,
        grants=[("view_incident", "user", "p.user_id", "p.user_id IS NOT NULL AND o.status <> 'draft'")],
        at="o.submitted_at",
        actor="o.submitted_by_id",
        reason="own incident, submitted",
        **common,
    )
    return total


REVIEW_SUMMARIES = [
    "We agreed the evening staff handover left the lounge without a familiar face; a named nurse now "
    "stays until the handover ends.",
    "The person told us loud voices made it worse. Staff will offer the quiet room sooner.",
    "The search on return from leave was the trigger; the team will ask the person first.",
]


def create_reviews(incidents, rng, now, ward) -> int:
    """Post-incident reviews for the submitted incidents, in bulk, when the reviews app is installed.

    What `reviews.services` would have made by now: one review per submitted incident, due
    RRP_REVIEW_DUE_HOURS after it ended, shared with the ward's team, its managers, the division's
    leads and the person; older ones held (or declined) and closed, with the staff account that
    makes them "held with staff", and open to the division's review panel. Returns how many.
    """
    Review = review_model()
    if Review is None:
        return 0
    Account = apps.get_model("reviews", "Account")
    hours = datetime.timedelta(hours=settings.RRP_REVIEW_DUE_HOURS)
    manager = ward_manager(ward)
    reviews, accounts = [], []
    for incident in incidents:
        if incident.status == Incident.Status.DRAFT:
            continue
        ended = incident.ended_at or incident.started_at
        review = Review(
            incident=incident, ward_id=ward.pk, created_at=incident.submitted_at, due_at=ended + hours
        )
        held = ended + datetime.timedelta(hours=rng.uniform(2, 120))
        closes = held + datetime.timedelta(days=rng.uniform(1, 10))
        if incident.status == Incident.Status.SIGNED_OFF and closes < now:
            taking_part = rng.random() < 0.75
            review.participation = "taking_part" if taking_part else "declined"
            review.not_held_reason = "" if taking_part else "Did not want to go over it again."
            review.held_at = held if taking_part else None
            review.facilitator = manager
            review.summary = rng.choice(REVIEW_SUMMARIES)
            review.person_agreement = "agreed" if taking_part else ""
            review.status, review.closed_at, review.closed_by = "closed", closes, manager
            review.held_with_service_user = taking_part
            review.held_with_staff = rng.random() < 0.9
            if review.held_with_staff:
                account = Account(
                    review=review,
                    kind="staff",
                    author=incident.reported_by,
                    last_written_by=incident.reported_by,
                    what_happened="We held him in the lounge after he hit out; I spoke to him throughout.",
                    what_would_have_helped="Knowing about the phone call earlier.",
                    status="shared",
                    updated_at=held,
                )
                account._history_date, account._history_user = held, incident.reported_by
                account._change_reason = REASON
                accounts.append(account)
        review._history_date, review._history_user = review.created_at, incident.submitted_by
        review._change_reason = REASON
        reviews.append(review)
    if not reviews:
        return 0
    create_with_history(reviews, Review, batch_size=1000)
    for account in accounts:
        account.review_id = account.review.pk
    create_with_history(accounts, Account, batch_size=2000)
    t = _tables()
    source = (
        f"FROM {Review._meta.db_table} o JOIN {t['incident']} i ON i.id = o.incident_id "
        f"JOIN {t['ward']} w ON w.id = i.ward_id JOIN {t['division']} d ON d.id = w.division_id "
        f"JOIN {t['person']} p ON p.id = i.service_user_id"
    )
    ids = [r.pk for r in reviews]
    common = {"source": source, "where": "i.ward_id = %s AND o.id BETWEEN %s AND %s"}
    params = [ward.pk, min(ids), max(ids)]
    grant_in_bulk(
        Review,
        grants=[
            ("view_review", "group", "w.staff_group_id", ""),
            ("change_review", "group", "w.staff_group_id", ""),
            ("close_review", "group", "w.managers_group_id", ""),
            ("view_review", "group", "d.leads_group_id", ""),
            ("view_review", "user", "p.user_id", "p.user_id IS NOT NULL"),
            ("contribute_review", "user", "p.user_id", "p.user_id IS NOT NULL"),
        ],
        at="o.created_at",
        actor="i.submitted_by_id",
        reason="review created",
        params=params,
        **common,
    )
    grant_in_bulk(
        Review,
        grants=[("panel_review", "group", "d.peers_group_id", "o.status = 'closed'")],
        at="o.closed_at",
        actor="o.closed_by_id",
        reason="closed: review panel",
        params=params,
        **common,
    )
    return len(reviews)


def ward_manager(ward):
    return User.objects.filter(groups=ward.managers_group).order_by("username").first()


def reviews_top_up(wards=None, *, stdout=None) -> int:
    """Give every submitted incident on the scale wards (or on `wards`) its review, in batches.

    For a database loaded before the reviews app was installed; a load with the app installed
    makes the reviews as it goes.
    """
    Review = review_model()
    if Review is None:
        return 0
    rng = random.Random("reviews")  # noqa: S311
    now = timezone.now()
    made = 0
    for ward in wards if wards is not None else scale_wards():
        while True:
            batch = list(
                Incident.objects.filter(ward=ward, review__isnull=True)
                .exclude(status=Incident.Status.DRAFT)
                .select_related("reported_by", "submitted_by")
                .order_by("pk")[:BATCH]
            )
            if not batch:
                break
            with transaction.atomic():
                fast_load()
                made += create_reviews(batch, rng, now, ward)
        _say(stdout, f"  {ward}: reviews up to date ({made:,} made so far)")
    if made:
        analyse()
    return made
