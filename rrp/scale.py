"""Volume for benchmarks: divisions, wards, staff, service users and admissions, in bulk.

`manage.py seed_demo --scale N` calls `seed_scale(cast, N)` here first, then `incidents.scale`.
The shape follows N: one ward per 10,000 incidents (at most 100), ten wards to a division, every
bed kept near full for two and a half years with admissions of varying length, so bed days and
incidents stay in a believable proportion. Everything is synthetic and lives in divisions named
"Scale division NN" of the demo trust, so it is easy to recognise and never mixed with real data.

The few divisions and wards are made through `rrp.services` (they create the teams' groups and
grant access to the ward). The many rows (service users, admissions) are written in bulk with
their history (`rrp.copyload.create_with_history`) and with the same object permissions the services
grant, inserted straight into the direct foreign-key permission tables and recorded in
PermissionEvent. Running it again adds only what is missing.
"""

import datetime
import math
import multiprocessing
import os
import random
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission, User
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.utils import timezone

from rrp import permissions, services
from rrp.copyload import create_with_history
from rrp.demo import ETHNICITIES, FAMILY, GIVEN, TRUST_NAME
from rrp.models import (
    Admission,
    AdmissionGroupObjectPermission,
    Division,
    PermissionEvent,
    ServiceUser,
    ServiceUserGroupObjectPermission,
    Trust,
    Ward,
)
from rrp.nhs_number import is_valid_nhs_number

DIVISION_PREFIX = "Scale division"
WARD_PREFIX = "Scale ward"
INCIDENTS_PER_WARD = 10_000
WARDS_PER_DIVISION = 10
MAX_WARDS = 100
# Two and a half years of history: incidents fall in this window, admissions start before it.
WINDOW_DAYS = 912
BATCH = 5_000
REASON = "synthetic volume for benchmarks"


@dataclass(frozen=True)
class Shape:
    wards: int
    divisions: int


def shape_for(n: int) -> Shape:
    """Return how many wards and divisions carry `n` incidents."""
    wards = min(MAX_WARDS, max(1, math.ceil(n / INCIDENTS_PER_WARD)))
    return Shape(wards=wards, divisions=math.ceil(wards / WARDS_PER_DIVISION))


def ward_name(index: int) -> str:
    return f"{WARD_PREFIX} {index:03d}"


def division_name(index: int) -> str:
    return f"{DIVISION_PREFIX} {index:02d}"


def ensure_demo_only() -> None:
    """Refuse to add synthetic volume to a database that holds any trust but the demo trust."""
    others = Trust.objects.exclude(name=TRUST_NAME)
    if others.exists():
        raise CommandError(
            f"This database holds a trust that is not the demo trust ({others.first()}). "
            "Refusing to add synthetic volume to real data."
        )
    if not Trust.objects.filter(name=TRUST_NAME).exists():
        raise CommandError("Run `manage.py seed_demo` first: the demo trust does not exist.")


def scale_wards():
    """The wards the volume generator made, in order."""
    return (
        Ward.objects.filter(division__trust__name=TRUST_NAME, division__name__startswith=DIVISION_PREFIX)
        .select_related("division")
        .order_by("name")
    )


def fast_load() -> None:
    """Inside a load transaction on PostgreSQL, do not wait for the WAL flush at each commit.

    A crash can lose the last few commits of synthetic data, never corrupt the database.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET LOCAL synchronous_commit = off")


def admin_of(cast):
    admin = cast.users.get("admin")
    if admin is None:
        admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    return admin


def _say(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


def workers(items: int) -> int:
    """How many processes share `items` pieces of loading work.

    RRP_SCALE_WORKERS when set, otherwise one per core (at most four). One on SQLite (one writer
    at a time) and inside a transaction (a forked process could not see its uncommitted rows).
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    try:
        wanted = int(os.environ.get("RRP_SCALE_WORKERS", "0"))
    except ValueError:
        wanted = 0
    if wanted < 1:
        wanted = min(os.cpu_count() or 1, 4)
    return max(1, min(wanted, items))


def _run_share(function, share, results) -> None:
    try:
        results.put(("ok", function(share)))
    except Exception as exc:  # reported by the parent
        results.put(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        connections.close_all()


def in_parallel(function, items: list, count: int) -> list:
    """`function(share)` for `count` shares of `items`, each in a forked process with its own
    database connection; the results in share order. Raises CommandError if any share failed (the
    loads are idempotent: running the command again carries on).
    """
    if count <= 1:
        return [function(items)]
    context = multiprocessing.get_context("fork")
    queues = [context.Queue() for _ in range(count)]
    connections.close_all()
    processes = [
        context.Process(target=_run_share, args=(function, items[index::count], queues[index]))
        for index in range(count)
    ]
    for process in processes:
        process.start()
    outcomes = [queue.get() for queue in queues]
    for process in processes:
        process.join()
    errors = [value for kind, value in outcomes if kind == "error"]
    if errors:
        raise CommandError(f"Loading stopped: {'; '.join(errors)}. Run the command again to carry on.")
    return [value for _kind, value in outcomes]


def seed_scale(cast, n: int, *, stdout=None) -> Counter:
    """Make sure the divisions, wards, staff, people and admissions for `n` incidents exist."""
    ensure_demo_only()
    admin = admin_of(cast)
    trust = Trust.objects.get(name=TRUST_NAME)
    shape = shape_for(n)
    password = make_password(settings.RRP_DEMO_PASSWORD)
    _nhs["used"] = None  # read the numbers in use afresh
    added = Counter()
    divisions = {d.name: d for d in Division.objects.filter(trust=trust, name__startswith=DIVISION_PREFIX)}
    existing = {w.name for w in scale_wards()}
    started = timezone.now()
    for index in range(1, shape.wards + 1):
        name = ward_name(index)
        if name in existing:
            continue
        with transaction.atomic():
            fast_load()
            division_index = (index - 1) // WARDS_PER_DIVISION + 1
            dname = division_name(division_index)
            if dname not in divisions:
                divisions[dname] = _division(trust, dname, division_index, admin, password)
                added["divisions"] += 1
            rng = random.Random(f"scale-ward-{index}")  # noqa: S311
            ward = services.ward_create(
                division=divisions[dname],
                name=name,
                description="Synthetic ward for benchmarks",
                beds=rng.randrange(12, 21),
                by=admin,
            )
            added["wards"] += 1
            added["staff"] += _staff(ward, index, admin, password)
            people, admissions = _admissions(ward, index, rng, cast.now, admin, password)
            added["service users"] += people
            added["admissions"] += admissions
        if index % 10 == 0:
            _say(stdout, f"  {index} of {shape.wards} wards ready")
    seconds = (timezone.now() - started).total_seconds()
    if added:
        summary = ", ".join(f"{count:,} {what}" for what, count in added.items())
        _say(stdout, f"  added {summary} in {seconds:.1f} s")
    else:
        _say(stdout, f"  the {shape.wards} scale wards already exist; nothing added")
    return added


def _user(username, first, last, password) -> User:
    user, _ = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{username}@example.nhs.uk",
            "password": password,
        },
    )
    return user


def _division(trust, name, index, admin, password) -> Division:
    division = services.division_create(trust=trust, name=name, by=admin)
    lead = _user(f"scale.lead.{index:02d}", "Lead", f"Division {index:02d}", password)
    services.staff_create(
        user=lead, job_title="Recovery lead", role="recovery_lead", division=division, by=admin
    )
    return division


def _staff(ward, index, admin, password) -> int:
    for username, first, title, role in (
        (f"scale.nurse.{index:03d}", "Nurse", "Registered mental health nurse", "ward_staff"),
        (f"scale.hca.{index:03d}", "Assistant", "Healthcare assistant", "ward_staff"),
        (f"scale.manager.{index:03d}", "Manager", "Ward manager", "ward_manager"),
    ):
        user = _user(username, first, f"Ward {index:03d}", password)
        services.staff_create(user=user, job_title=title, role=role, wards=[ward], by=admin)
    return 3


_nhs = {"next": 0, "used": None}


def _next_nhs_number() -> str:
    """A valid NHS number in the 999 range (never issued to a real person) not yet in use."""
    if _nhs["used"] is None:
        _nhs["used"] = set(ServiceUser.objects.values_list("nhs_number", flat=True))
    while True:
        base = f"999{_nhs['next']:06d}"
        _nhs["next"] += 1
        for check in range(10):
            candidate = base + str(check)
            if is_valid_nhs_number(candidate):
                if candidate not in _nhs["used"]:
                    _nhs["used"].add(candidate)
                    return candidate
                break


def _local(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def _person(rng, sex, when, admin) -> ServiceUser:
    person = ServiceUser(
        nhs_number=_next_nhs_number(),
        given_name=rng.choice(GIVEN),
        family_name=rng.choice(FAMILY),
        date_of_birth=datetime.date(rng.randrange(1955, 2007), rng.randrange(1, 13), rng.randrange(1, 29)),
        sex=sex,
        ethnicity=rng.choice(ETHNICITIES),
        religion=rng.choice(["none", "christian", "muslim", "hindu", "not_known", "prefers_not_to_say"]),
        sexual_orientation=rng.choice(["heterosexual"] * 6 + ["gay_lesbian", "bisexual", "not_known"]),
        marital_status=rng.choice(["single"] * 5 + ["married", "separated", "not_known"]),
        disability=rng.choice(["no"] * 6 + ["yes", "not_known"]),
        learning_disability=rng.choice(["no"] * 8 + ["yes", "not_known"]),
        autism=rng.choice(["no"] * 7 + ["yes", "yes", "not_known"]),
        mental_disorder=rng.choice(
            [
                "Paranoid schizophrenia",
                "Schizoaffective disorder",
                "Bipolar affective disorder",
                "Emotionally unstable personality disorder",
                "Severe depressive episode with psychotic symptoms",
                "",
            ]
        ),
    )
    person._history_date = when
    person._history_user = admin
    person._change_reason = REASON
    return person


def _admissions(ward, index, rng, now, admin, password) -> tuple[int, int]:
    """Keep every bed near full from before the window until now: stays of a few days to a year."""
    sex = "female" if index % 3 == 0 else "male"
    window_start = now - datetime.timedelta(days=WINDOW_DAYS)
    stays = []  # (person, start, end or None)
    discharged = []  # people who left this ward and may come back
    for _bed in range(ward.beds):
        moment = window_start - datetime.timedelta(days=rng.randrange(0, 200), hours=rng.randrange(0, 24))
        while moment < now:
            days = min(400, max(3, int(rng.lognormvariate(4.0, 0.8))))  # median about 55 days
            end = moment + datetime.timedelta(days=days, hours=rng.randrange(-6, 6))
            # One stay in eight is a readmission of someone who left earlier.
            back = [p for p in discharged if p[1] < moment]
            if back and rng.random() < 0.125:
                chosen = rng.choice(back)
                discharged.remove(chosen)
                person = chosen[0]
            else:
                person = _person(rng, sex, moment, admin)
            ongoing = end >= now
            stays.append((person, moment, None if ongoing else end))
            if not ongoing:
                discharged.append((person, end))
            moment = end + datetime.timedelta(days=rng.randrange(1, 5), hours=rng.randrange(0, 12))
    people = list({id(p): p for p, _s, _e in stays}.values())
    create_with_history(people, ServiceUser, batch_size=1000, default_user=admin)
    admissions = []
    for person, start, end in stays:
        admission = Admission(
            service_user=person,
            ward=ward,
            start=start,
            end=end,
            start_date=_local(start),
            end_date=_local(end) if end else None,
        )
        admission._history_date = start
        admission._history_user = admin
        admission._change_reason = REASON
        admissions.append(admission)
    create_with_history(admissions, Admission, batch_size=1000, default_user=admin)
    _grant_bulk(ward, admissions, admin)
    _person_account(ward, index, admissions, admin, password)
    return len(people), len(admissions)


def perm(model, action: str) -> Permission:
    meta = model._meta
    return Permission.objects.get(
        content_type__app_label=meta.app_label, codename=f"{action}_{meta.model_name}"
    )


def _grant_bulk(ward, admissions, admin) -> None:
    """The grants `services.admission_create` makes, for many admissions at once."""
    leads = ward.division.leads_group_id
    staff = ward.staff_group_id
    rows, events = [], []

    def add(table, model, action, group_id, obj, reason, at):
        permission = perm(model, action) if isinstance(action, str) else action
        rows.append(table(permission=permission, group_id=group_id, content_object_id=obj.pk))
        events.append(
            PermissionEvent(
                at=at,
                actor=admin,
                action=PermissionEvent.Action.GRANT,
                permission=f"{model._meta.app_label}.{permission.codename}",
                object_type=model._meta.label_lower,
                object_id=str(obj.pk),
                group_id=group_id,
                reason=reason,
            )
        )

    adm_view, adm_change = perm(Admission, "view"), perm(Admission, "change")
    su_view, su_change = perm(ServiceUser, "view"), perm(ServiceUser, "change")
    for admission in admissions:
        for group_id in (staff, leads):
            add(
                AdmissionGroupObjectPermission,
                Admission,
                adm_view,
                group_id,
                admission,
                "admission",
                admission.start,
            )
        add(
            AdmissionGroupObjectPermission,
            Admission,
            adm_change,
            staff,
            admission,
            "admission",
            admission.start,
        )
        if admission.end is None:
            person, at = admission.service_user, admission.start
            for permission in (su_view, su_change):
                add(
                    ServiceUserGroupObjectPermission,
                    ServiceUser,
                    permission,
                    staff,
                    person,
                    "admitted to ward",
                    at,
                )
            add(ServiceUserGroupObjectPermission, ServiceUser, su_view, leads, person, "admitted to ward", at)
    by_table = {}
    for row in rows:
        by_table.setdefault(type(row), []).append(row)
    for table, table_rows in by_table.items():
        table.objects.bulk_create(table_rows, batch_size=BATCH)
    PermissionEvent.objects.bulk_create(events, batch_size=BATCH)
    permissions.permissions_changed()


def _person_account(ward, index, admissions, admin, password) -> None:
    """Give the longest-staying current patient a sign-in, as the services would for a new person."""
    current = [a for a in admissions if a.end is None]
    if not current:
        return
    admission = min(current, key=lambda a: a.start)
    person = admission.service_user
    user = _user(f"scale.person.{index:03d}", person.given_name, person.family_name, password)
    person.user = user
    person._history_user = admin
    person._change_reason = "sign-in for the benchmark's service user"
    person.save()
    permissions.grant(["view"], to=user, obj=person, by=admin, reason="own record")
    permissions.grant(["view"], to=user, obj=ward, by=admin, reason="admitted to ward")
    for own in person.admissions.all():
        permissions.grant(["view"], to=user, obj=own, by=admin, reason="admission")
