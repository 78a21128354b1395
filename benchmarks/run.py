"""Server-time benchmarks of the pages that must stay quick at national scale.

Run against a database loaded with `manage.py seed_demo --scale N` (PostgreSQL for the figures):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rrp_scale .venv/bin/python benchmarks/run.py
    ... benchmarks/run.py --repeat 20 --only list --explain      # EXPLAIN ANALYZE the slowest queries

Each page is requested in-process with Django's test client, signed in as a persona (a nurse on a
big ward, the recovery lead of a division), after two warm-up requests, `--repeat` times; the
table shows the median and 95th percentile server time, the number of SQL queries, the raw-SQL
floor (what the page fundamentally needs, written by hand and run directly with a cursor: the
session and the user, which wards the user's list covers or the user's grants on the record, and
the rows or aggregate the page shows) and the page's ratio to it, then the data-only floor (the
rows or aggregate alone, the floor's definition until 2026-12-03) and the ratio to that. A
second table compares the permission-filtered incident list with the same list without the
permission filter (what a superuser's unfiltered query would cost: superusers see nothing
clinical here, so the comparison runs the same ORM queryset without `visible()`).

Pages whose URL does not resolve (an app not installed yet) are reported as "not available".
Everything runs inside one transaction that is rolled back at the end (sign-ins write session
rows and last-login times), so the database is left exactly as it was found.
"""

import argparse
import datetime
import json
import math
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rrp.settings")
# In-process requests: no HTTPS redirect and no collected static manifest needed. DEBUG stays off.
os.environ.setdefault("RRP_TESTING", "1")
os.environ["ALLOWED_HOSTS"] = os.environ.get("ALLOWED_HOSTS", "127.0.0.1") + ",testserver"

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

import rrp.wsgi  # noqa: E402, F401  (start as a server process does: every view loaded, then gc.freeze())
from incidents.models import Incident  # noqa: E402
from rrp import permissions  # noqa: E402
from rrp.models import Admission, Ward  # noqa: E402
from trends.filters import default_range  # noqa: E402

PER_PAGE = 25  # the incident list's page size (incidents.views.PER_PAGE)
API_PAGE = 50  # the API's default page size

# The pages: (name, persona, url name, url argument, query). Values in {braces} come from the data.
PAGES = [
    # The fixed cost of any signed-in page: session, user, menu and the page's frame, no records.
    ("About (a page with no records)", "nurse", "about", None, {}),
    ("Home", "nurse", "home", None, {}),
    ("Incident list: first page", "nurse", "incidents:list", None, {}),
    ("Incident list: deep page", "nurse", "incidents:list", None, {"page": "{deep_page}"}),
    (
        "Incident list: filtered",
        "nurse",
        "incidents:list",
        None,
        {"group": "physical", "prone": "yes", "date_from": "{year_ago}"},
    ),
    ("Incident detail and history", "nurse", "incidents:detail", "{incident}", {}),
    ("Incident statutory record", "nurse", "incidents:statutory", "{incident}", {}),
    # What a nurse opens to record a use of force, and to change one (no time target in issue 9).
    ("Record an incident: the form", "nurse", "incidents:create", "{person}", {}),
    ("Change an incident: the form", "nurse", "incidents:edit", "{incident}", {}),
    (
        "Dashboard: division, 2 years",
        "lead",
        "trends:dashboard",
        None,
        {"division": "{division}", "start": "{two_years_ago}", "end": "{today}"},
    ),
    (
        "Dashboard: division, odd dates",
        "lead",
        "trends:dashboard",
        None,
        {"division": "{division}", "start": "{odd_start}", "end": "{today}"},
    ),
    ("Annual statistics: a year", "lead", "trends:annual", None, {"year": "{last_year}"}),
    ("API incidents: first page", "nurse", "incident-list", None, {}),
    ("API incidents: page size 10", "nurse", "incident-list", None, {"page_size": "10"}),
    ("API incidents: page size 200", "nurse", "incident-list", None, {"page_size": "200"}),
    ("Reviews list", "nurse", "reviews:list", None, {}),
    ("Reviews list: recovery lead", "lead", "reviews:list", None, {}),
    ("API reviews: recovery lead", "lead", "post-incident-review-list", None, {}),
    ("People list", "nurse", "service_user_list", None, {}),
    ("API service users", "nurse", "service-user-list", None, {}),
]

COUNTED = "i.status <> 'draft' AND i.entered_in_error_at IS NULL"
LIST_ROWS = (
    "SELECT i.*, p.given_name, p.family_name, w.name FROM incidents_incident i "
    "JOIN rrp_serviceuser p ON p.id = i.service_user_id JOIN rrp_ward w ON w.id = i.ward_id "
    "WHERE i.ward_id = ANY(%(wards)s) {extra} ORDER BY i.started_at DESC, i.id DESC "
    "LIMIT %(limit)s OFFSET %(offset)s"
)
LIST_COUNT = "SELECT count(*) FROM incidents_incident i WHERE i.ward_id = ANY(%(wards)s) {extra}"
LIST_CHILDREN = (
    "SELECT v.* FROM incidents_intervention v WHERE v.incident_id IN (SELECT i.id FROM incidents_incident i "
    "WHERE i.ward_id = ANY(%(wards)s) {extra} ORDER BY i.started_at DESC, i.id DESC "
    "LIMIT %(limit)s OFFSET %(offset)s)"
)
# The API answers each incident's staff too (staff_involved): its floor reads them as well
# (the API's floor left them out until the second session of 2026-12-03).
LIST_STAFF = (
    "SELECT s.* FROM incidents_staffinvolvement s WHERE s.incident_id IN "
    "(SELECT i.id FROM incidents_incident i WHERE i.ward_id = ANY(%(wards)s) {extra} "
    "ORDER BY i.started_at DESC, i.id DESC LIMIT %(limit)s OFFSET %(offset)s)"
)
PRONE_SINCE = (
    "AND i.started_at >= %(year_ago_at)s AND EXISTS (SELECT 1 FROM incidents_intervention v "
    "WHERE v.incident_id = i.id AND v.type_code = '01')"
)


def _list(extra="", limit=PER_PAGE, offset="0", staff=False):
    page = {"limit": limit, "offset": offset}
    return [
        (LIST_ROWS.format(extra=extra), page),
        (LIST_COUNT.format(extra=extra), {}),
        (LIST_CHILDREN.format(extra=extra), page),
        *([(LIST_STAFF.format(extra=extra), page)] if staff else []),
    ]


DETAIL = [
    (
        "SELECT i.*, p.*, w.*, d.name FROM incidents_incident i "
        "JOIN rrp_serviceuser p ON p.id = i.service_user_id JOIN rrp_ward w ON w.id = i.ward_id "
        "JOIN rrp_division d ON d.id = w.division_id WHERE i.id = %(incident)s",
        {},
    ),
    ("SELECT * FROM incidents_intervention WHERE incident_id = %(incident)s ORDER BY started_at", {}),
    ("SELECT * FROM incidents_staffinvolvement WHERE incident_id = %(incident)s", {}),
    ("SELECT * FROM incidents_nonstaffinvolvement WHERE incident_id = %(incident)s", {}),
    ("SELECT * FROM incidents_notification WHERE incident_id = %(incident)s", {}),
    ("SELECT * FROM incidents_observation WHERE incident_id = %(incident)s", {}),
    (
        "SELECT h.*, u.username FROM incidents_historicalincident h LEFT JOIN auth_user u "
        "ON u.id = h.history_user_id WHERE h.id = %(incident)s ORDER BY h.history_date DESC LIMIT 200",
        {},
    ),
]

MONTHLY = (
    "SELECT i.ward_id, date_trunc('month', v.started_at AT TIME ZONE 'Europe/London') AS month, v.group, "
    "count(*), count(DISTINCT i.id), count(DISTINCT i.service_user_id), "
    "percentile_cont(0.5) WITHIN GROUP (ORDER BY v.duration_minutes) "
    "FROM incidents_intervention v JOIN incidents_incident i ON i.id = v.incident_id "
    f"WHERE i.ward_id = ANY(%(lead_wards)s) AND {COUNTED} "
    "AND i.started_at >= %(two_years_ago_at)s AND i.started_at < %(today_end)s GROUP BY 1, 2, 3"
)
# The same figures as the dashboard reads them since the monthly counts (trends.monthly): every
# count row of the division's wards over the two years, summed per ward, month, measure and key.
MONTHLY_COUNTS = (
    "SELECT ward_id, month, measure, key, sum(n) FROM trends_monthlycount "
    "WHERE \"group\" = '' AND ward_id = ANY(%(lead_wards)s) AND month >= %(two_years_ago_month)s::date "
    "GROUP BY 1, 2, 3, 4"
)
BED_DAYS = (
    "SELECT a.ward_id, m.month, sum(LEAST(COALESCE(a.end_date, %(today)s::date), "
    "(m.month + interval '1 month')::date) - GREATEST(a.start_date, m.month::date)) "
    "FROM rrp_admission a JOIN generate_series(%(two_years_ago_month)s::date, %(today)s::date, "
    "interval '1 month') AS m(month) ON a.start_date < m.month + interval '1 month' "
    "AND (a.end_date IS NULL OR a.end_date > m.month) WHERE a.ward_id = ANY(%(lead_wards)s) GROUP BY 1, 2"
)
# Dates not on month starts: the months from the monthly counts, and the days of the first,
# partial month counted as the page counts them (trends.monthly._tally): the interventions that
# started on those days, whenever their incident started, and the incidents that started on
# them. Since 2026-12-03 the page counts the fewer days: those in the range (added to the whole
# months) or those of that month before it (taken from the month's counts); so does the floor
# (odd_edge_from_at, odd_edge_to_at, odd_counts_month in context_for). (Until 2026-11-27 the floor
# counted only the interventions of incidents that started on those days: cheaper than the page.)
ODD_EDGE_INTERVENTIONS = (
    "SELECT i.ward_id, date_trunc('month', v.started_at AT TIME ZONE 'Europe/London'), v.group, v.type_code, "
    "v.duration_minutes, v.patient_injured, v.staff_injured, v.other_injured, count(*) "
    "FROM incidents_intervention v JOIN incidents_incident i ON i.id = v.incident_id "
    f"WHERE i.ward_id = ANY(%(lead_wards)s) AND {COUNTED} "
    "AND v.started_at >= %(odd_edge_from_at)s AND v.started_at < %(odd_edge_to_at)s "
    # Only those days' incidents, by id (a plain join read every incident of the division).
    "AND v.incident_id = ANY(ARRAY(SELECT id FROM incidents_incident WHERE ward_id = ANY(%(lead_wards)s) "
    "AND id = ANY(ARRAY(SELECT incident_id FROM incidents_intervention "
    "WHERE started_at >= %(odd_edge_from_at)s AND started_at < %(odd_edge_to_at)s)))) "
    "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"
)
ODD_EDGE_INCIDENTS = (
    "SELECT i.ward_id, date_trunc('month', i.started_at AT TIME ZONE 'Europe/London'), i.reason_code, "
    "i.physical_harm, i.psychological_harm, i.death_or_serious_injury, count(*), "
    "count(DISTINCT i.service_user_id) FROM incidents_incident i "
    f"WHERE i.ward_id = ANY(%(lead_wards)s) AND {COUNTED} "
    "AND i.started_at >= %(odd_edge_from_at)s AND i.started_at < %(odd_edge_to_at)s GROUP BY 1, 2, 3, 4, 5, 6"
)
ODD_COUNTS = MONTHLY_COUNTS.replace("two_years_ago_month", "odd_counts_month")
ANNUAL = (
    "SELECT i.reason_code, date_trunc('month', i.started_at AT TIME ZONE 'Europe/London'), v.type_code, "
    "i.place, i.sex, i.ethnicity, i.learning_disability, i.autism, i.death_or_serious_injury, "
    "v.patient_injured, width_bucket(v.duration_minutes, ARRAY[11, 31, 61]), count(*) "
    "FROM incidents_intervention v JOIN incidents_incident i ON i.id = v.incident_id "
    f"WHERE i.ward_id = ANY(%(lead_wards)s) AND {COUNTED} "
    "AND i.started_at >= %(year_start)s AND i.started_at < %(year_end)s "
    "GROUP BY GROUPING SETS ((1), (2), (3), (4), (5), (6), (7, 8), (9), (10), (11))"
)
# What every signed-in page reads before anything of its own: the session, then the user with their
# staff profile and person record (rrp.backends.UserBackend). A page cannot be served without them,
# so they are part of each page's floor (until 2026-12-03 the floors left them out; the data-only
# floor is still printed beside it).
SIGNED_IN = [
    (
        "SELECT session_data FROM django_session WHERE session_key = %(session_key)s AND expire_date > now()",
        {},
    ),
    (
        "SELECT u.*, s.*, p.* FROM auth_user u LEFT JOIN rrp_staffprofile s ON s.user_id = u.id "
        "LEFT JOIN rrp_serviceuser p ON p.user_id = u.id WHERE u.id = %(user_id)s",
        {},
    ),
]
# Which wards a list covers depends on who is asking: the wards of the user's groups.
USER_WARDS = (
    "SELECT w.id FROM rrp_ward w LEFT JOIN rrp_division d ON d.id = w.division_id "
    "WHERE w.staff_group_id IN (SELECT group_id FROM auth_user_groups WHERE user_id = %(user_id)s) "
    "OR w.managers_group_id IN (SELECT group_id FROM auth_user_groups WHERE user_id = %(user_id)s) "
    "OR d.leads_group_id IN (SELECT group_id FROM auth_user_groups WHERE user_id = %(user_id)s)"
)
# May this user see this record: their own grants and their groups' grants on it, in one statement.
INCIDENT_GRANTS = (
    "SELECT p.codename FROM incidents_incidentuserobjectpermission g JOIN auth_permission p "
    "ON p.id = g.permission_id WHERE g.user_id = %(user_id)s AND g.content_object_id = %(incident)s "
    "UNION ALL SELECT p.codename FROM incidents_incidentgroupobjectpermission g JOIN auth_permission p "
    "ON p.id = g.permission_id JOIN auth_user_groups ug ON ug.group_id = g.group_id "
    "WHERE ug.user_id = %(user_id)s AND g.content_object_id = %(incident)s"
)
# The incident's timeline is the history of the incident and of every row it has had.
CHILD_HISTORY = (
    "SELECT h.*, u.username FROM incidents_historical{table} h LEFT JOIN auth_user u "
    "ON u.id = h.history_user_id WHERE h.incident_id = %(incident)s ORDER BY h.id, h.history_date DESC"
)
TIMELINE = [
    (CHILD_HISTORY.format(table=table), {})
    for table in ("intervention", "staffinvolvement", "nonstaffinvolvement", "notification", "observation")
]

# The annual statistics since they are read from the monthly counts (trends.monthly.annual_breakdowns):
# the year's rows of the breakdowns' measures for the division's wards, summed per month, measure, key.
ANNUAL_COUNTS = (
    "SELECT month, measure, key, sum(n) FROM trends_monthlycount WHERE \"group\" = '' "
    "AND ward_id = ANY(%(lead_wards)s) AND month >= %(year_start_month)s AND month <= %(year_end_month)s "
    "AND measure IN ('type', 'injured', 'force_trait', 'force_reason', 'force_death', 'force_place', "
    "'force_band') GROUP BY 1, 2, 3"
)

PEOPLE = (
    "SELECT p.* FROM rrp_serviceuser p WHERE p.id IN (SELECT service_user_id FROM rrp_admission "
    'WHERE ward_id = ANY(%(wards)s) AND "end" IS NULL) ORDER BY p.family_name, p.given_name LIMIT %(limit)s'
)
PEOPLE_COUNT = (
    "SELECT count(DISTINCT service_user_id) FROM rrp_admission "
    'WHERE ward_id = ANY(%(wards)s) AND "end" IS NULL'
)

FLOORS = {
    "About (a page with no records)": [],
    "Home": [],
    "Incident list: first page": _list(),
    "Incident list: deep page": _list(offset="{deep_offset}"),
    "Incident list: filtered": _list(PRONE_SINCE),
    "Incident detail and history": DETAIL,
    "Incident statutory record": DETAIL[:6],
    "Dashboard: division, 2 years": [(MONTHLY_COUNTS, {}), (BED_DAYS, {})],
    "Dashboard: division, odd dates": [
        (ODD_COUNTS, {}),
        (ODD_EDGE_INTERVENTIONS, {}),
        (ODD_EDGE_INCIDENTS, {}),
        (BED_DAYS, {}),
    ],
    "Annual statistics: a year": [(ANNUAL_COUNTS, {})],
    "API incidents: first page": _list(limit=API_PAGE, staff=True),
    "API incidents: page size 10": _list(limit=10, staff=True),
    "API incidents: page size 200": _list(limit=200, staff=True),
    "People list": [(PEOPLE, {"limit": PER_PAGE}), (PEOPLE_COUNT, {})],
    "API service users": [(PEOPLE, {"limit": API_PAGE}), (PEOPLE_COUNT, {})],
}

# What each page reads besides its data (FLOORS), before SIGNED_IN is added to every page: whose
# wards a list or a dashboard covers, whether the user may see the record, the record's timeline.
ASKING = {
    "Incident list": [(USER_WARDS, {})],
    "API incidents": [(USER_WARDS, {})],
    "People list": [(USER_WARDS, {})],
    "API service users": [(USER_WARDS, {})],
    "Dashboard": [(USER_WARDS, {})],
    "Annual statistics": [(USER_WARDS, {})],
    "Incident detail and history": [(INCIDENT_GRANTS, {})] + TIMELINE,
    "Incident statutory record": [(INCIDENT_GRANTS, {})],
}


def page_floor(name: str) -> list:
    """The page's whole floor: the sign-in, what it asks about the user, and its data.

    None for a page with no data floor written (Home)."""
    data = FLOORS.get(name)
    if data is None or (not data and not name.startswith("About")):
        return None
    asking = next((extra for prefix, extra in ASKING.items() if name.startswith(prefix)), [])
    return SIGNED_IN + asking + data


@dataclass
class Result:
    name: str
    status: str = ""
    times: list = field(default_factory=list)
    queries: int | None = None
    floor: list = field(default_factory=list)
    data_floor: list = field(default_factory=list)
    slowest: list = field(default_factory=list)

    @property
    def median(self):
        return statistics.median(self.times) if self.times else None

    @property
    def p95(self):
        if not self.times:
            return None
        ordered = sorted(self.times)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    @property
    def floor_median(self):
        return statistics.median(self.floor) if self.floor else None

    @property
    def data_floor_median(self):
        return statistics.median(self.data_floor) if self.data_floor else None

    @property
    def ratio(self):
        if self.median is None or not self.floor_median:
            return None
        return self.median / self.floor_median

    @property
    def data_ratio(self):
        if self.median is None or not self.data_floor_median:
            return None
        return self.median / self.data_floor_median


def pick_personas():
    """The nurse on the biggest ward, that ward's division's recovery lead, and a superuser."""
    nurse = User.objects.filter(username="scale.nurse.001").first()
    lead = User.objects.filter(username="scale.lead.01").first()
    if nurse is None:  # the plain demo: Willow's nurse and the forensic recovery lead
        nurse = User.objects.get(username="nurse.ash")
        lead = User.objects.get(username="lead.dee")
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    return {"nurse": nurse, "lead": lead, "admin": admin}


def context_for(personas) -> dict:
    nurse, lead = personas["nurse"], personas["lead"]
    nurse_wards = list(Ward.objects.filter(staff_group__user=nurse).values_list("pk", flat=True))
    division = lead.staff.division
    lead_wards = list(Ward.objects.filter(division=division).values_list("pk", flat=True))
    visible = Incident.objects.filter(ward__in=nurse_wards).count()
    deep_page = max(1, int(0.8 * visible / PER_PAGE))
    incident = (
        Incident.objects.filter(ward__in=nurse_wards, status="signed_off")
        .order_by("-started_at")
        .values_list("pk", flat=True)[100:101]
        .first()
        or Incident.objects.filter(ward__in=nurse_wards).values_list("pk", flat=True).first()
    )
    person = (
        Admission.objects.filter(ward__in=nurse_wards, end__isnull=True)
        .values_list("service_user_id", flat=True)
        .first()
    )
    today = timezone.localdate()
    # The dashboard's own default: the last 24 calendar months up to today.
    two_years_ago = default_range(today)[0]
    odd_start = today.replace(year=today.year - 2) + datetime.timedelta(days=1)
    odd_whole = (odd_start.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    # As trends.monthly._split: the month's days in the range, or its days before the range.
    before, inside = odd_start.day - 1, (odd_whole - odd_start).days
    odd_edge = (odd_start.replace(day=1), odd_start) if before < inside else (odd_start, odd_whole)
    year_ago = today - datetime.timedelta(days=365)
    last_year = today.year - 1
    tz = timezone.get_current_timezone()

    def at(day):
        return datetime.datetime.combine(day, datetime.time(), tzinfo=tz)

    return {
        "wards": nurse_wards,
        "lead_wards": lead_wards,
        "division": division.pk,
        "nurse_incidents": visible,
        "deep_page": deep_page,
        "deep_offset": (deep_page - 1) * PER_PAGE,
        "incident": incident,
        "person": person,
        "today": today,
        "today_end": at(today + datetime.timedelta(days=1)),
        "two_years_ago": two_years_ago,
        "odd_start": odd_start,
        "odd_start_at": at(odd_start),
        "odd_counts_month": odd_start.replace(day=1) if before < inside else odd_whole,
        "odd_edge_from_at": at(odd_edge[0]),
        "odd_edge_to_at": at(odd_edge[1]),
        "two_years_ago_at": at(two_years_ago),
        "two_years_ago_month": two_years_ago.replace(day=1),
        "year_ago": year_ago,
        "year_ago_at": at(year_ago),
        "last_year": last_year,
        "year_start": at(datetime.date(last_year, 1, 1)),
        "year_end": at(datetime.date(last_year + 1, 1, 1)),
        "year_start_month": datetime.date(last_year, 1, 1),
        "year_end_month": datetime.date(last_year, 12, 1),
    }


def fill(value, ctx):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ctx[value[1:-1]]
    return value


def url_for(url_name, arg, query, ctx):
    try:
        path = reverse(url_name, args=[fill(arg, ctx)] if arg else [])
    except NoReverseMatch:
        return None
    params = "&".join(f"{key}={fill(value, ctx)}" for key, value in query.items())
    return f"{path}?{params}" if params else path


def timed(fn, repeat, warmup=2):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def run_floor(statements, ctx):
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, {**ctx, **{k: fill(v, ctx) for k, v in params.items()}})
            cursor.fetchall()


def explain(sql):
    if not sql.lstrip().upper().startswith("SELECT"):
        return ""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def bench_page(client, name, url, floors, ctx, repeat, want_explain):
    result = Result(name)
    if url is None:
        result.status = "not available"
        return result
    response = client.get(url, secure=True)
    if response.status_code != 200:
        result.status = f"HTTP {response.status_code}"
        return result
    result.times = timed(lambda: client.get(url, secure=True), repeat)
    with CaptureQueriesContext(connection) as captured:
        client.get(url, secure=True)
    result.queries = len(captured.captured_queries)
    result.slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:3]
    floor, data = floors
    if floor and connection.vendor == "postgresql":
        result.floor = timed(lambda: run_floor(floor, ctx), repeat)
    if data and connection.vendor == "postgresql":
        result.data_floor = timed(lambda: run_floor(data, ctx), repeat)
    if want_explain and connection.vendor == "postgresql":
        for query in result.slowest[:2]:
            print(f"\n--- {name}: {query['time']} s\n{query['sql'][:600]}\n{explain(query['sql'])}")
    return result


class Unscoped:
    """A list read with no permission filter, as `permissions.Listing` is read by the views."""

    count = every_row = None

    def __init__(self, rows):
        self.queryset = self.rows = self.first_rows = rows


def compare_permission_filter(personas, clients, ctx, repeat):
    """The incident list with and without the permission filter, for the same rows.

    Twice: the list's own queries (incidents.views.incidents_page: the counts, the page's ids,
    then its rows), and the whole page through the test client. "Without" replaces
    `permissions.listing` with a filter on the persona's wards and counts the rows (what a
    superuser's unscoped list would cost: superusers see nothing clinical here).
    """
    from unittest import mock

    from django.test import RequestFactory

    from incidents import views
    from incidents.permissions import incidents_listed_for

    rows = []
    for label, key, wards in (
        ("nurse: own ward", "nurse", ctx["wards"]),
        ("lead: division", "lead", ctx["lead_wards"]),
    ):
        persona = personas[key]

        def unscoped(user, perm, queryset, wards=wards):
            return Unscoped(queryset.filter(ward__in=wards))

        without_permissions = mock.patch.object(permissions, "listing", unscoped)
        for page, number in (("first page", 1), ("deep page", ctx["deep_page"])):
            request = RequestFactory().get("/", {"page": number})
            request.user = persona

            def queries(request=request):
                views.incidents_page(request, incidents_listed_for(request.user))

            url = reverse("incidents:list") + f"?page={number}"

            def whole_page(client=clients[key], url=url):
                assert client.get(url, secure=True).status_code == 200

            for kind, run in (("queries", queries), ("page", whole_page)):
                with_perm = statistics.median(timed(run, repeat))
                with without_permissions:
                    without = statistics.median(timed(run, repeat))
                rows.append((f"{label}, {page}, {kind}", with_perm, without, with_perm / without))
    return rows


def describe_data():
    counts = {
        "incidents": Incident.objects.count(),
        "wards": Ward.objects.count(),
        "admissions": Admission.objects.count(),
    }
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            counts["database"] = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            counts["database"] = connection.vendor
    return counts


def fmt(value, digits=1):
    return "-" if value is None else f"{value:.{digits}f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--only", default="", help="run only pages whose name contains this text")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest queries")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    data = describe_data()
    print(
        f"{data['database']}; {data['incidents']:,} incidents, {data['admissions']:,} admissions, "
        f"{data['wards']} wards; {os.cpu_count()} CPUs; Python {platform.python_version()}; "
        f"{args.repeat} repetitions after 2 warm-ups; {timezone.now():%Y-%m-%d %H:%M} UTC"
    )
    results, comparison = [], []
    with transaction.atomic():
        personas = pick_personas()
        ctx = context_for(personas)
        print(
            f"nurse {personas['nurse'].username} sees {ctx['nurse_incidents']:,} incidents "
            f"(deep page {ctx['deep_page']}); lead {personas['lead'].username} covers "
            f"{len(ctx['lead_wards'])} wards"
        )
        clients = {}
        for key, user in personas.items():
            clients[key] = Client()
            clients[key].force_login(user)
        for name, persona, url_name, arg, query in PAGES:
            if args.only and args.only.lower() not in name.lower():
                continue
            url = url_for(url_name, arg, query, ctx)
            asking = {"session_key": clients[persona].session.session_key, "user_id": personas[persona].pk}
            floors = (page_floor(name), FLOORS.get(name))
            result = bench_page(
                clients[persona], name, url, floors, {**ctx, **asking}, args.repeat, args.explain
            )
            results.append(result)
            print(f"  {name}: {result.status or fmt(result.median) + ' ms'}", flush=True)
        if not args.only or "list" in args.only.lower():
            comparison = compare_permission_filter(personas, clients, ctx, args.repeat)
        from_incidents = None
        if connection.vendor == "postgresql" and any(r.name.startswith("Dashboard") for r in results):
            # What the dashboard's figures cost counted from the incidents, without the monthly counts.
            from_incidents = statistics.median(timed(lambda: run_floor([(MONTHLY, {})], ctx), args.repeat))
        annual_from_incidents = None
        if connection.vendor == "postgresql" and any(r.name.startswith("Annual") for r in results):
            # What the annual breakdowns cost counted from the incidents (the floor until 2026-12-03).
            annual_from_incidents = statistics.median(
                timed(lambda: run_floor([(ANNUAL, {})], ctx), args.repeat)
            )
        transaction.set_rollback(True)  # sessions and last-login times written by the sign-ins

    print()
    header = (
        f"{'page':32} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'SQL floor ms':>13} {'ratio':>6} "
        f"{'data SQL ms':>12} {'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        if r.status:
            print(f"{r.name:32} {r.status:>10}")
            continue
        print(
            f"{r.name:32} {fmt(r.median):>10} {fmt(r.p95):>8} {r.queries:>8} "
            f"{fmt(r.floor_median, 2):>13} {fmt(r.ratio):>6} "
            f"{fmt(r.data_floor_median, 2):>12} {fmt(r.data_ratio):>6}"
        )
    if from_incidents is not None:
        print(f"(dashboard figures counted from the incidents directly: {from_incidents:.1f} ms)")
    if annual_from_incidents is not None:
        print(f"(annual breakdowns counted from the incidents directly: {annual_from_incidents:.1f} ms)")
    if comparison:
        print()
        print(f"{'incident list':44} {'permission ms':>14} {'unfiltered ms':>14} {'ratio':>6}")
        for label, with_perm, without, ratio in comparison:
            print(f"{label:44} {with_perm:>14.1f} {without:>14.1f} {ratio:>6.2f}")
    print("\nThe database was left as it was found (everything ran in one rolled-back transaction).")
    if args.json:
        payload = {
            "data": data,
            "repeat": args.repeat,
            "pages": [
                {
                    "page": r.name,
                    "status": r.status or "ok",
                    "median_ms": r.median,
                    "p95_ms": r.p95,
                    "queries": r.queries,
                    "floor_ms": r.floor_median,
                    "ratio": r.ratio,
                    "data_floor_ms": r.data_floor_median,
                    "data_ratio": r.data_ratio,
                }
                for r in results
            ],
            "dashboard_figures_from_incidents_ms": from_incidents,
            "annual_breakdowns_from_incidents_ms": annual_from_incidents,
            "permission_filter": [
                {"list": label, "with_ms": w, "without_ms": wo, "ratio": ratio}
                for label, w, wo, ratio in comparison
            ],
        }
        Path(args.json).write_text(json.dumps(payload, indent=2, default=str))


if __name__ == "__main__":
    main()
