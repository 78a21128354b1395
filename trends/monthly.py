"""Monthly counts per ward, kept in step with the incidents, so the dashboard reads small rows.

At a million incidents every dashboard figure computed from the incidents themselves reads the
division's 100,000 incidents and 150,000 interventions again (about ten such queries a page: 1.4 s;
benchmarks/README.md). `MonthlyCount` holds the same numbers per ward and London month, and the
dashboard adds those up instead: a few hundred rows per ward-month, read through one index.

Kept correct by the code that writes incidents: every save or deletion of an incident or an
intervention that is (or was) counted rebuilds the counts of the ward-months it touches, inside
the same transaction (`refresh`), under a lock on the ward row so two writers to one ward queue
rather than interleave. Drafts cost two small reads and nothing else. Bulk loads that bypass
model saves (`seed_demo --scale`) call `rebuild()`; so does the migration that made the table.

Any range is answered this way: its whole months from the stored counts, and each month at
either end that the range covers only in part (from the 10th, or to the 20th) from whichever
counts fewer days from the incidents: its days in the range, added, or the month's stored counts
less its days outside the range, taken away. Those days are counted into rows of the same shape
(`_split`, `_edge_rows`, `_net`), so the readers below add up one set of rows whatever the range.
The annual statistics' breakdowns are kept the same way (`annual_breakdowns`).
"""

import datetime
import threading
from collections import Counter, defaultdict

import pandas as pd
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection, transaction
from django.db.models import BooleanField, F, Func, Q, Sum
from django.db.models.functions import Lower, Trim
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from incidents.codes import GROUP_OF, InterventionGroup, InterventionType
from incidents.models import Incident, Intervention
from rrp import bulk
from rrp.models import LONDON, Ward
from trends import events
from trends.models import MonthlyCount

M = MonthlyCount.Measure
PRONE = InterventionType.PRONE.value
PHYSICAL = InterventionGroup.PHYSICAL.value
SEPARATOR = "|"
DAY = datetime.timedelta(days=1)


def _month(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(LONDON).date().replace(day=1)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=LONDON)


class _EqualsAny(Func):
    """`left = ANY(array)` (PostgreSQL)."""

    arg_joiner = " = ANY("
    template = "(%(expressions)s))"
    output_field = BooleanField()


def interventions_of(incidents):
    """The interventions of `incidents` (a queryset), whenever they started.

    On PostgreSQL the incident ids are collected first (`ARRAY(SELECT id ...)`, run once as an
    InitPlan; for a ward's counted incidents from the `(ward, status, entered_in_error_at, id)`
    index) and the interventions are then looked up by `incident_id` through its index:
    `incident_id IN (SELECT ...)` was planned as a scan of every intervention in the country
    hash-joined to the division's incidents (benchmarks/README.md). Same rows either way.
    """
    if connection.vendor == "postgresql":
        return Intervention.objects.filter(
            _EqualsAny(F("incident_id"), ArraySubquery(incidents.order_by().values("pk")))
        )
    return Intervention.objects.filter(incident__in=incidents)


# Building the counts ---------------------------------------------------------------------------


def _within(spans) -> Q:
    """Started on one of the London days of the spans ((first, last) dates, both included)."""
    q = Q()
    for first, last in spans:
        q |= Q(started_at__gte=_midnight(first), started_at__lt=_midnight(last + DAY))
    return q


def _tally(ward_ids, spans=None, *, annual: bool = True) -> Counter:
    """{(ward_id, month, group, measure, key): n} for the wards, counted from the incidents.

    With `spans`, only the incidents that started on those days, and the interventions that
    started on them (whenever their incident started), as the pages count a date range.
    `annual=False` leaves out the annual statistics' measures (the dashboard's ends of a range).
    """
    counted = Incident.objects.counted().filter(ward_id__in=ward_ids)
    if spans is None:
        interventions = interventions_of(counted)
    else:
        # The interventions of those days read by when they started, each joined to its incident:
        # looking up all the wards' incidents' interventions first read 150,000 rows for 500.
        interventions = Intervention.objects.filter(
            _within(spans),
            ~Q(incident__status=Incident.Status.DRAFT),
            incident__ward_id__in=ward_ids,
            incident__entered_in_error_at__isnull=True,
        )
        if connection.vendor == "postgresql":
            # Only the incidents of those days' interventions, by id (`= ANY(ARRAY(...))`, run once):
            # joined as above, PostgreSQL read every incident of the wards (100,000 for a division)
            # to find the 461 of three days' interventions (122 ms; this way a few ms).
            of_days = Intervention.objects.filter(_within(spans)).order_by().values("incident_id")
            ids = Incident.objects.filter(
                _EqualsAny(F("pk"), ArraySubquery(of_days)), ward_id__in=ward_ids
            ).order_by()
            ids = ArraySubquery(ids.values("pk"))
            interventions = interventions.filter(_EqualsAny(F("incident_id"), ids))
        counted = counted.filter(_within(spans))
    counted = counted.filter(started_at__isnull=False)
    tally: Counter = Counter()

    traits = _annual_traits() if annual else {}
    by = {"a_place": Lower(Trim("incident__place")), "a_band": _band_expression()} if annual else {}
    by.update({f"a_{key}": expression for key, expression in traits.items()})
    for (
        ward_id,
        started_at,
        group,
        code,
        minutes,
        patient,
        staff,
        other,
        reason,
        death,
        *by_annual,
    ) in interventions.annotate(**by).values_list(
        "incident__ward_id",
        "started_at",
        "group",
        "type_code",
        "duration_minutes",
        "patient_injured",
        "staff_injured",
        "other_injured",
        "incident__reason_code",
        "incident__death_or_serious_injury",
        *by,
    ):
        month = _month(started_at)
        if annual:
            # The annual statistics' breakdowns, for all groups only (that page is never narrowed).
            place, band, *trait_codes = by_annual
            tally[ward_id, month, "", M.FORCE_REASON, reason or ""] += 1
            tally[ward_id, month, "", M.FORCE_DEATH, death or ""] += 1
            tally[ward_id, month, "", M.FORCE_PLACE, place or ""] += 1
            tally[ward_id, month, "", M.FORCE_BAND, band or ""] += 1
            for trait, trait_code in zip(traits, trait_codes, strict=True):
                tally[ward_id, month, "", M.FORCE_TRAIT, f"{trait}{SEPARATOR}{trait_code or ''}"] += 1
        for g in ("", group):
            tally[ward_id, month, g, M.TYPE, code] += 1
            if code == PRONE and minutes > 10:
                tally[ward_id, month, g, M.PRONE_LONG, ""] += 1
            if group == PHYSICAL:
                tally[ward_id, month, g, M.MINUTES, str(minutes)] += 1
            for key, flag in (("patient", patient), ("staff", staff), ("other", other)):
                if flag:
                    tally[ward_id, month, g, M.INJURED, key] += 1

    rows = list(
        counted.values_list(
            "id",
            "ward_id",
            "started_at",
            "service_user_id",
            "reason_code",
            "physical_harm",
            "psychological_harm",
            "death_or_serious_injury",
        )
    )
    groups_of = defaultdict(set)
    reviewed = (events.review_facts(counted) or {}) if rows else {}
    if rows:
        pairs = (
            Intervention.objects.filter(incident__in=counted).values_list("incident_id", "group").distinct()
        )
        for incident_id, group in pairs:
            groups_of[incident_id].add(group)
    for pk, ward_id, started_at, person, reason, physical, psychological, death in rows:
        local = started_at.astimezone(LONDON)
        month = local.date().replace(day=1)
        harm = SEPARATOR.join((physical or "", psychological or "", death or ""))
        for g in ("", *groups_of[pk]):
            tally[ward_id, month, g, M.INCIDENTS, ""] += 1
            tally[ward_id, month, g, M.PERSON, str(person)] += 1
            tally[ward_id, month, g, M.REASON, reason or ""] += 1
            tally[ward_id, month, g, M.HARM, harm] += 1
            tally[ward_id, month, g, M.TIME, f"{local.isoweekday()}{SEPARATOR}{local.hour // 4}"] += 1
            with_person, in_time = reviewed.get(pk, (False, False))
            if with_person:
                tally[ward_id, month, g, M.WITH_PERSON, ""] += 1
            if in_time:
                tally[ward_id, month, g, M.IN_TIME, ""] += 1
    return tally


def _annual_traits() -> dict:
    """The characteristics the annual statistics break down by, as SQL expressions on an intervention."""
    from trends.stats import characteristic_expressions  # trends.stats reads this module

    return characteristic_expressions("incident__")


def _band_expression():
    from trends.annual import _band_expression as band  # trends.annual reads trends.stats

    return band()


def _recount(ward_id: int, first: datetime.date | None = None, last: datetime.date | None = None) -> int:
    """Replace one ward's counts for the months `first` to `last` (every month when None); return the rows."""
    with transaction.atomic():
        # Queue writers to the same ward (FOR NO KEY UPDATE: inserts that refer to the ward still go on).
        if not Ward.objects.select_for_update(no_key=True).filter(pk=ward_id).values_list("pk"):
            return 0
        stored = MonthlyCount.objects.filter(ward_id=ward_id)
        spans = None
        if first is not None:
            stored = stored.filter(month__gte=first, month__lte=last)
            spans = [(first, _next_month(last) - DAY)]
        stored.delete()
        rows = [
            MonthlyCount(ward_id=ward_id, month=month, group=g, measure=measure, key=key, n=n)
            for (_ward, month, g, measure, key), n in _tally([ward_id], spans).items()
        ]
        MonthlyCount.objects.bulk_create(rows, batch_size=5000)
        return len(rows)


def refresh(ward_id: int, months) -> None:
    """Rebuild one ward's counts for the months from the earliest to the latest of `months`."""
    months = sorted(set(months))
    if months:
        _recount(ward_id, months[0], months[-1])


def rebuild(ward_ids=None) -> int:
    """Rebuild every count of the wards (all wards when None) from the incidents; return the rows."""
    ward_ids = list(Ward.objects.values_list("pk", flat=True)) if ward_ids is None else list(ward_ids)
    return sum(_recount(ward_id) for ward_id in sorted(ward_ids))


# Keeping them in step ---------------------------------------------------------------------------


def _places(incident_id) -> set:
    """{(ward_id, month)} whose counts include the incident now (empty unless it is counted)."""
    if incident_id is None:
        return set()
    found = Incident.objects.counted().filter(pk=incident_id).values_list("ward_id", "started_at").first()
    if found is None or found[1] is None:
        return set()
    ward_id, started_at = found
    starts = Intervention.objects.filter(incident_id=incident_id).values_list("started_at", flat=True)
    return {(ward_id, _month(started_at))} | {(ward_id, _month(s)) for s in starts if s}


def _refresh_places(places: set) -> None:
    by_ward = defaultdict(set)
    for ward_id, month in places:
        by_ward[ward_id].add(month)
    for ward_id in sorted(by_ward):
        refresh(ward_id, by_ward[ward_id])


def _incident_id(sender, instance):
    return instance.pk if sender is Incident else instance.incident_id


def _watched() -> list:
    """Incidents, interventions and the models behind `review_facts` (post-incident reviews)."""
    return [Incident, Intervention, *events.review_models()]


def _before(sender, instance, raw=False, **kwargs):
    if raw:
        return
    instance._monthly_before = _places(_incident_id(sender, instance)) if instance.pk else set()


_pending = threading.local()


def _after(sender, instance, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_monthly_before", set())
    instance._monthly_before = set()
    places = before | _places(_incident_id(sender, instance))
    if not places:
        return
    if bulk.active():
        # In a burst of writes (a service call, the demo): refresh each ward-month once, at its end.
        _pending.places = getattr(_pending, "places", set()) | places
        bulk.later("trends.monthly", _flush)
        return
    _refresh_places(places)


def _flush() -> None:
    places, _pending.places = getattr(_pending, "places", set()), set()
    _refresh_places(places)


def connect() -> None:
    for model in _watched():
        pre_save.connect(_before, sender=model, dispatch_uid=f"monthly_before_save_{model.__name__}")
        post_save.connect(_after, sender=model, dispatch_uid=f"monthly_after_save_{model.__name__}")
        pre_delete.connect(_before, sender=model, dispatch_uid=f"monthly_before_delete_{model.__name__}")
        post_delete.connect(_after, sender=model, dispatch_uid=f"monthly_after_delete_{model.__name__}")


# Reading them -----------------------------------------------------------------------------------


def covers(scope) -> bool:
    """True when the counts answer the scope, which they now do for any range (`_split`).

    The one switch between the counts and counting the incidents (trends.stats); the tests turn it
    off to check that both give the same figures.
    """
    return True


def _days(span: tuple) -> int:
    return (span[1] - span[0]).days + 1


def _split(scope) -> tuple[tuple | None, list, list]:
    """The months read from the stored counts (first and last month start), and the (first, last)
    days counted from the incidents to add to them and to take away from them.

    A month is whole when the range covers it from the 1st to its last day, or to today when it is
    the current month (nothing has happened after today). A month at either end that the range
    covers only part of is answered whichever way counts fewer days from the incidents: its days
    in the range added to the whole months, or its stored counts less its days outside the range
    (from the 4th of December: December's counts less the 1st to the 3rd; every count is a number
    of incidents or interventions per key, so the difference is exact, distinct people too). A
    range inside one month is one span to add.
    """
    whole_from = scope.first if scope.first.day == 1 else _next_month(scope.first)
    to_month_end = _next_month(scope.last) - DAY == scope.last or scope.last >= timezone.localdate()
    whole_until = _next_month(scope.last) if to_month_end else scope.last.replace(day=1)
    if whole_from >= whole_until:
        return None, [(scope.first, scope.last)], []
    added, removed = [], []
    if scope.first < whole_from:
        inside, outside = (scope.first, whole_from - DAY), (scope.first.replace(day=1), scope.first - DAY)
        if _days(outside) < _days(inside):
            whole_from = outside[0]
            removed.append(outside)
        else:
            added.append(inside)
    if scope.last >= whole_until:
        inside, outside = (whole_until, scope.last), (scope.last + DAY, _next_month(scope.last) - DAY)
        if _days(outside) < _days(inside):
            whole_until = _next_month(scope.last)
            removed.append(outside)
        else:
            added.append(inside)
    return (whole_from, whole_until - DAY), added, removed


#: Measures the pages need per ward and month; the others only as totals over the scope.
MONTHLY_MEASURES = [M.TYPE, M.PRONE_LONG, M.INCIDENTS, M.PERSON, M.WITH_PERSON, M.IN_TIME]
TOTAL_MEASURES = [M.TYPE, M.MINUTES, M.INJURED, M.REASON, M.HARM, M.TIME]
#: The annual statistics' measures (trends.annual) and the breakdown each one answers; the
#: breakdowns by month, type, group, injury and characteristic come from TYPE, INJURED and TRAIT.
ANNUAL_BREAKDOWNS = {
    M.FORCE_REASON: "reason",
    M.FORCE_DEATH: "death",
    M.FORCE_PLACE: "place",
    M.FORCE_BAND: "duration",
}
ANNUAL_MEASURES = [M.TYPE, M.INJURED, M.FORCE_TRAIT, *ANNUAL_BREAKDOWNS]


def _stored(scope, months: tuple, measures):
    if getattr(_pending, "places", None):
        _flush()  # a read inside a burst of writes sees the writes so far
    return MonthlyCount.objects.filter(
        ward_id__in=scope.ward_ids,
        group=scope.group,
        measure__in=measures,
        month__gte=months[0],
        month__lte=months[1],
    )


def _edge_rows(scope, *, annual: bool = False) -> list:
    """[(ward_id, month, measure, key, n)] to add to the stored months' rows for the days at the
    ends of the scope (`_split`): counted from the incidents of those days (four queries for the
    days added, four for the days taken away, which have a negative n), kept in `scope.read`;
    with the annual statistics' measures when `annual`."""
    name = "annual_edges" if annual else "edges"
    cached = scope.read.get(name)
    if cached is None:
        _months, added, removed = _split(scope)
        rows: Counter = Counter()
        for spans, sign in ((added, 1), (removed, -1)):
            if spans:
                for (ward_id, month, g, measure, key), n in _tally(
                    scope.ward_ids, spans, annual=annual
                ).items():
                    if g == scope.group:
                        rows[ward_id, month, measure, key] += sign * n
        cached = [(*place, n) for place, n in rows.items() if n]
        scope.read[name] = cached
    return cached


def _net(rows) -> list:
    """The rows ((..., n), for example (ward_id, month, measure, key, n)) with those alike but for
    n added together (stored counts and the days taken away from them), and those that come to 0
    left out."""
    summed: Counter = Counter()
    for *place, n in rows:
        summed[tuple(place)] += n
    return [(*place, n) for place, n in summed.items() if n]


def _per_month(scope) -> dict:
    """{measure: [(ward_id, month, key, n)]} for MONTHLY_MEASURES, kept in `scope.read`.

    Stored rows of whole months (one query) and rows counted for the days at the ends: months
    never overlap between the two, and distinct people stay exact because rows keep the person.
    """
    cached = scope.read.get("rows")
    if cached is None:
        cached = defaultdict(list)
        whole, _added, _removed = _split(scope)
        stored = (
            _stored(scope, whole, MONTHLY_MEASURES).values_list("ward_id", "month", "measure", "key", "n")
            if whole
            else []
        )
        for ward_id, month, measure, key, n in _net([*stored, *_edge_rows(scope)]):
            if measure in MONTHLY_MEASURES:
                cached[measure].append((ward_id, month, key, n))
        scope.read["rows"] = cached
    return cached


def _totals(scope) -> dict:
    """{measure: {key: n}} summed over the scope's wards and days, kept in `scope.read`."""
    cached = scope.read.get("totals")
    if cached is None:
        cached = defaultdict(Counter)
        whole, _added, _removed = _split(scope)
        if whole:
            rows = _stored(scope, whole, TOTAL_MEASURES).values_list("measure", "key").annotate(t=Sum("n"))
            for measure, key, n in rows.order_by():
                cached[measure][key] += n
        for _ward, _month, measure, key, n in _edge_rows(scope):
            if measure in TOTAL_MEASURES:
                cached[measure][key] += n
        for counts in cached.values():
            for key in [key for key, n in counts.items() if not n]:
                del counts[key]  # a key whose days were all taken away
        scope.read["totals"] = cached
    return cached


def monthly_interventions(scope) -> pd.DataFrame:
    """As stats.monthly_interventions: per ward, month and group, n, prone and prone over 10 minutes."""
    counts: Counter = Counter()
    rows = _per_month(scope)
    for ward_id, month, code, n in rows[M.TYPE]:
        group = GROUP_OF[code].value
        counts[ward_id, month, group, "n"] += n
        if code == PRONE:
            counts[ward_id, month, group, "prone"] += n
    for ward_id, month, _key, n in rows[M.PRONE_LONG]:
        counts[ward_id, month, PHYSICAL, "prone_long"] += n
    keys = sorted({k[:3] for k in counts})
    records = [
        [*key, counts[(*key, "n")], counts[(*key, "prone")], counts[(*key, "prone_long")]] for key in keys
    ]
    return pd.DataFrame(records, columns=["ward_id", "month", "group", "n", "prone", "prone_long"])


def monthly_incidents(scope) -> pd.DataFrame:
    rows = _per_month(scope)
    incidents: Counter = Counter()
    for _ward, month, _key, n in rows[M.INCIDENTS]:
        incidents[month] += n
    people = defaultdict(set)
    for _ward, month, person, _n in rows[M.PERSON]:
        people[month].add(person)
    records = [[month, n, len(people[month])] for month, n in sorted(incidents.items())]
    return pd.DataFrame(records, columns=["month", "incidents", "people"])


def incident_totals(scope) -> dict:
    rows = _per_month(scope)
    return {
        "incidents": sum(n for *_rest, n in rows[M.INCIDENTS]),
        "people": len({person for _ward, _month, person, _n in rows[M.PERSON]}),
        "wards": len({ward for ward, _month, _key, n in rows[M.INCIDENTS] if n}),
    }


def review_measures(scope) -> dict:
    """As the reviews app's `review_measures`: {(ward_id, month): incidents, with_person, within_due}."""
    found: dict = {}
    rows = _per_month(scope)
    for measure, name in (
        (M.INCIDENTS, "incidents"),
        (M.WITH_PERSON, "with_person"),
        (M.IN_TIME, "within_due"),
    ):
        for ward_id, month, _key, n in rows[measure]:
            found.setdefault((ward_id, month), {"incidents": 0, "with_person": 0, "within_due": 0})
            found[ward_id, month][name] += n
    return found


def restraint_durations(scope) -> pd.DataFrame:
    records = sorted((int(key), n) for key, n in _totals(scope)[M.MINUTES].items())
    return pd.DataFrame(records, columns=["duration_minutes", "n"])


def reasons(scope) -> pd.DataFrame:
    records = sorted(_totals(scope)[M.REASON].items(), key=lambda r: (-r[1], r[0]))
    return pd.DataFrame(records, columns=["reason_code", "n"])


def harm(scope) -> pd.DataFrame:
    records = [[*key.split(SEPARATOR), n] for key, n in _totals(scope)[M.HARM].items()]
    return pd.DataFrame(
        records, columns=["physical_harm", "psychological_harm", "death_or_serious_injury", "n"]
    )


def injuries(scope) -> dict:
    totals = _totals(scope)
    found = totals[M.INJURED]
    return {
        "interventions": sum(totals[M.TYPE].values()),
        "patient": found.get("patient", 0),
        "staff": found.get("staff", 0),
        "other": found.get("other", 0),
    }


def time_of_week(scope) -> pd.DataFrame:
    records = sorted([*map(int, key.split(SEPARATOR)), n] for key, n in _totals(scope)[M.TIME].items())
    return pd.DataFrame(records, columns=["dow", "block", "n"])


def annual_breakdowns(scope) -> tuple[int, dict]:
    """As trends.annual's count of the scope's interventions: (total, {breakdown: {group: n}}).

    The stored rows of the whole months summed per month, measure and key (one query), and the
    days at the ends counted from the incidents. The year of a division read about 60,000
    interventions and their incidents again (benchmarks/README.md).
    """
    whole, _added, _removed = _split(scope)
    rows = []
    if whole:
        stored = _stored(scope, whole, ANNUAL_MEASURES).values_list("month", "measure", "key")
        rows = list(stored.annotate(t=Sum("n")).order_by())
    rows += [
        (month, measure, key, n)
        for _ward, month, measure, key, n in _edge_rows(scope, annual=True)
        if measure in ANNUAL_MEASURES
    ]
    found: dict = defaultdict(Counter)
    total = 0
    for month, measure, key, n in _net(rows):
        if measure == M.TYPE:
            total += n
            found["type"][key] += n
            found["group"][GROUP_OF[key].value] += n
            found["month"][month] += n
        elif measure == M.INJURED:
            found[f"{'person' if key == 'patient' else key}_injured"][True] += n
        elif measure == M.FORCE_TRAIT:
            trait, code = key.split(SEPARATOR, 1)
            found[f"c_{trait}"][code] += n
        else:
            found[ANNUAL_BREAKDOWNS[measure]][key] += n
    return total, found
