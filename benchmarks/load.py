"""Load test: 50 simulated staff and service users on a local gunicorn for 60 seconds.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rrp_scale \
        .venv/bin/python benchmarks/load.py --start-server

With `--start-server` it collects the static files if needed and starts
`.venv/bin/gunicorn rrp.wsgi -w 4 -b 127.0.0.1:8765` with production settings (DEBUG off, a
random SECRET_KEY, ALLOWED_HOSTS=127.0.0.1) except the HTTPS redirect, and stops it at the end;
without it, it expects a server already listening on --port. Only 127.0.0.1 is ever contacted.

Each simulated person signs in through the login form (before the measured window), arrives at a
random moment within the first think time, then loops until the time is up: staff open their home
page, the incident list (first or a later page, with or without filters), an incident, the people
list and the API list, and save new records; service users open their home page and their own
incidents. Think time between actions is random (2-8 s by default, like a person reading a page;
`--think 0.2 1` saturates the server).

Writes: staff save incident drafts through the API (`POST /api/v1/incidents/`) when the
incidents API exists; before that, a write the foundation supports: adding and admitting a
person through the form. Afterwards the database is checked: every write that
answered success is there exactly once, and nothing else was added by the simulated people.
Everything the writes added stays in the database, and the report says how many rows.

Standard library only (threads and http.client). Bounded in time (--seconds, at most 600) and
in count (--max-requests).
"""

import argparse
import datetime
import http.client
import json
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOST = "127.0.0.1"

SERVER_ENV = {
    "DEBUG": "0",
    "SECURE_SSL_REDIRECT": "0",
    "ALLOWED_HOSTS": HOST,
    "DJANGO_SETTINGS_MODULE": "rrp.settings",
    "LOG_LEVEL": "ERROR",
}


def django_setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rrp.settings")
    os.environ.setdefault("RRP_TESTING", "1")  # this process only reads and counts
    import django

    django.setup()


class Session:
    """One simulated person: a cookie jar and a CSRF token over plain http.client connections."""

    def __init__(self, port, username, password):
        self.port, self.username, self.password = port, username, password
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, response.getheader("Location", ""), data
        finally:
            connection.close()

    def form(self, path, fields):
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": self.cookies.get("csrftoken", ""),
        }
        return self.request("POST", path, body, headers)

    def json(self, method, path, payload):
        headers = {"Content-Type": "application/json", "X-CSRFToken": self.cookies.get("csrftoken", "")}
        return self.request(method, path, json.dumps(payload), headers)

    def login(self):
        self.request("GET", "/accounts/login/")
        status, location, _ = self.form(
            "/accounts/login/", {"username": self.username, "password": self.password}
        )
        if status != 302 or "login" in location:
            raise RuntimeError(f"{self.username} could not sign in (HTTP {status})")


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)
        self.errors = Counter()
        self.error_examples = {}
        self.writes = []  # (kind, key) of every write that answered success
        self.count = 0

    def record(self, label, seconds, ok, detail=""):
        with self.lock:
            self.count += 1
            self.times[label].append(seconds * 1000)
            if not ok:
                self.errors[label] += 1
                self.error_examples.setdefault(label, detail)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))]


class Person(threading.Thread):
    def __init__(self, session, kind, plan, stats, deadline, budget, rng):
        super().__init__(daemon=True)
        self.session, self.kind, self.plan, self.stats = session, kind, plan, stats
        self.deadline, self.budget, self.rng = deadline, budget, rng
        self.incident_ids = []

    def timed(self, label, method, path, ok_statuses=(200,), **kwargs):
        start = time.perf_counter()
        try:
            if method == "GET":
                status, location, body = self.session.request("GET", path)
            elif method == "FORM":
                status, location, body = self.session.form(path, kwargs["fields"])
            else:
                status, location, body = self.session.json(method, path, kwargs["payload"])
        except Exception as exc:  # a refused or dropped connection is an error, not a crash
            self.stats.record(label, time.perf_counter() - start, False, repr(exc))
            return None, "", b""
        ok = status in ok_statuses
        self.stats.record(label, time.perf_counter() - start, ok, f"HTTP {status} {path}")
        return status, location, body

    def run(self):
        # People arrive over the first think time, as they would on a ward, rather than all in
        # the same millisecond (50 requests at once queued for up to 1.6 s on 4 workers, and
        # were the whole of the latency tail: benchmarks/README.md).
        time.sleep(self.rng.uniform(0, self.plan["think"][1]))
        while time.monotonic() < self.deadline and self.budget.take():
            action = self.rng.choices(
                self.plan["actions"][self.kind], weights=self.plan["weights"][self.kind]
            )[0]
            getattr(self, action)()
            time.sleep(self.rng.uniform(*self.plan["think"]))

    # Staff
    def home(self):
        self.timed("home", "GET", "/")

    def incident_list(self):
        page = 1 if self.rng.random() < 0.7 else self.rng.randrange(2, 40)
        query = f"?page={page}"
        if self.rng.random() < 0.3:
            query += "&group=physical&prone=yes"
        _status, _loc, body = self.timed("incident list", "GET", self.plan["incidents"] + query)
        found = re.findall(rb'href="' + self.plan["incidents"].encode() + rb'(\d+)/"', body or b"")
        if found:
            self.incident_ids = [int(x) for x in found]

    def incident_detail(self):
        if not self.incident_ids:
            return self.incident_list()
        pk = self.rng.choice(self.incident_ids)
        self.timed("incident detail", "GET", f"{self.plan['incidents']}{pk}/")

    def people(self):
        self.timed("people list", "GET", "/people/")

    def api_list(self):
        self.timed("API list", "GET", self.plan["api_list"])

    def write(self):
        self.plan["write"](self)

    # Service users
    def my_incidents(self):
        self.timed("my incidents", "GET", self.plan["incidents"] + "mine/")


class Budget:
    """At most `left` requests in all, shared by the threads."""

    def __init__(self, left):
        self.left, self.lock = left, threading.Lock()

    def take(self):
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True


def write_incident_draft(person):
    """Save an incident draft through the API for someone on the member of staff's ward."""
    people = person.plan["people_by_user"].get(person.session.username)
    if not people:
        return person.home()
    payload = {"service_user": person.rng.choice(people), **person.plan["draft"]}
    status, _loc, body = person.timed(
        "save draft (API)", "POST", person.plan["api_list"], (201,), payload=payload
    )
    if status == 201:
        with person.stats.lock:
            person.stats.writes.append(("incident", json.loads(body)["id"]))


def write_person(person):
    """Add and admit a person through the foundation's form (the write that exists before incidents)."""
    from rrp.demo import GIVEN

    ward = person.plan["ward_by_user"].get(person.session.username)
    if ward is None:
        return person.home()
    nhs = person.plan["nhs_numbers"].pop()
    now = datetime.datetime.now()
    fields = {
        "nhs_number": nhs,
        "given_name": person.rng.choice(GIVEN),
        "family_name": "Loadtest",
        "date_of_birth": "1990-01-01",
        "sex": "male",
        "gender_reassignment": "not_known",
        "ethnicity": "Z",
        "religion": "not_known",
        "sexual_orientation": "not_known",
        "marital_status": "not_known",
        "pregnancy": "not_known",
        "disability": "not_known",
        "learning_disability": "not_known",
        "autism": "not_known",
        "mental_disorder": "",
        "admission-ward": ward,
        "admission-start": (now - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    }
    status, location, _body = person.timed(
        "add a person (form)", "FORM", "/people/add/", (302,), fields=fields
    )
    if status == 302 and "/people/" in location:
        with person.stats.lock:
            person.stats.writes.append(("person", nhs))


def plan_for(users, think):
    """Who signs in, what they do, and which write exists in this build."""
    from django.urls import NoReverseMatch, reverse

    from rrp.models import Admission, Ward
    from rrp.scale import _next_nhs_number

    try:
        incidents = reverse("incidents:list")
    except NoReverseMatch:
        incidents = None
    try:
        api_list = reverse("incident-list")
    except NoReverseMatch:
        api_list = None
    staff_actions = ["home", "people"]
    staff_weights = [2, 1]
    if incidents:
        staff_actions += ["incident_list", "incident_detail"]
        staff_weights += [4, 4]
    if api_list:
        staff_actions += ["api_list"]
        staff_weights += [1]
    staff_actions.append("write")
    staff_weights.append(1)
    plan = {
        "incidents": incidents or "/incidents/",
        "api_list": api_list or "/api/v1/service-users/",
        "think": think,
        "actions": {
            "staff": staff_actions,
            "service_user": ["home", "my_incidents"] if incidents else ["home"],
        },
        "weights": {"staff": staff_weights, "service_user": [1, 2] if incidents else [1]},
        "ward_by_user": {},
        "people_by_user": {},
    }
    for user in users:
        ward = Ward.objects.filter(staff_group__user=user).order_by("pk").first()
        if ward:
            plan["ward_by_user"][user.username] = str(ward.pk)
            plan["people_by_user"][user.username] = list(
                Admission.objects.filter(ward=ward, end__isnull=True).values_list(
                    "service_user_id", flat=True
                )
            )
    if api_list:
        plan["write"] = write_incident_draft
        plan["draft"] = {
            "place": "Lounge",
            "reason_code": "10",
            "reason_description": "Load test: a draft saved at the end of a shift.",
            "deescalation": ["talk_down", "space"],
        }
    else:
        plan["write"] = write_person
        plan["nhs_numbers"] = [_next_nhs_number() for _ in range(5000)]
    return plan


def pick_users(count):
    """Staff of the scale wards (or the demo) and service users with a sign-in, about four to one."""
    from django.contrib.auth.models import User

    staff = list(
        User.objects.filter(username__regex=r"^scale\.(nurse|hca|manager)\.").order_by("username")[
            : count * 4 // 5
        ]
    )
    people = list(
        User.objects.filter(username__startswith="scale.person.").order_by("username")[: count // 5]
    )
    if not staff:
        staff = list(User.objects.filter(username__in=["nurse.ash", "nurse.bea", "manager.cal", "hca.eli"]))
        people = list(User.objects.filter(username__in=["sam", "kai", "lou"]))
    chosen = []
    for index in range(count):  # repeat people when there are fewer than `count` (separate sessions)
        pool = staff if (index % 5 or not people) else people
        chosen.append((pool[index % len(pool)], "staff" if pool is staff else "service_user"))
    return chosen


def counts_now(writes_kind):
    from incidents.models import Incident
    from rrp.models import ServiceUser

    if writes_kind == "incident":
        return Incident.objects.count()
    return ServiceUser.objects.count()


def verify(writes, kind, before, after):
    """Every successful write is in the database exactly once, and nothing else was added."""
    from incidents.models import Incident
    from rrp.models import ServiceUser

    keys = [key for _kind, key in writes]
    if kind == "incident":
        stored = Counter(Incident.objects.filter(pk__in=keys).values_list("pk", flat=True))
    else:
        stored = Counter(ServiceUser.objects.filter(nhs_number__in=keys).values_list("nhs_number", flat=True))
    lost = [k for k in keys if stored[k] == 0]
    duplicated = [k for k, n in stored.items() if n > 1] + [k for k, n in Counter(keys).items() if n > 1]
    unexpected = (after - before) - len(keys)
    return {
        "successful writes": len(keys),
        "lost": len(lost),
        "duplicated": len(duplicated),
        "unexpected rows": unexpected,
    }


def port_is_free(port) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex((HOST, port)) != 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_server(port, workers):
    env = {**os.environ, **SERVER_ENV, "SECRET_KEY": secrets.token_urlsafe(50)}
    env.pop("RRP_TESTING", None)
    # Always: the manifest must list every app's static files (incremental, so quick).
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
    server = subprocess.Popen(
        [str(gunicorn), "rrp.wsgi", "-w", str(workers), "-b", f"{HOST}:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped while starting; see the messages above")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/accounts/login/")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--max-requests", type=int, default=50_000)
    parser.add_argument("--think", type=float, nargs=2, default=(2.0, 8.0), metavar=("MIN", "MAX"))
    parser.add_argument("--start-server", action="store_true")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers when --start-server")
    args = parser.parse_args()
    seconds = min(max(1, args.seconds), 600)
    django_setup()
    from django.conf import settings

    users = pick_users(args.users)
    plan = plan_for({u for u, _kind in users}, tuple(args.think))
    kind = "incident" if plan["write"] is write_incident_draft else "person"
    server = None
    if args.start_server:
        if not port_is_free(args.port):
            args.port = free_port()
            print(f"Something else listens on the chosen port; starting gunicorn on {args.port} instead.")
        server = start_server(args.port, args.workers)
    try:
        sessions = [(Session(args.port, u.username, settings.RRP_DEMO_PASSWORD), role) for u, role in users]
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.workers * 2) as pool:
            list(pool.map(lambda pair: pair[0].login(), sessions))  # a failed sign-in stops the run
        login_seconds = time.perf_counter() - start
        stats = Stats()
        before = counts_now(kind)
        budget = Budget(args.max_requests)
        deadline = time.monotonic() + seconds
        rng = random.Random(2026)  # noqa: S311
        threads = [
            Person(session, role, plan, stats, deadline, budget, random.Random(rng.random()))  # noqa: S311
            for session, role in sessions
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=seconds + 120)
        elapsed = time.perf_counter() - started
        after = counts_now(kind)
        check = verify(stats.writes, kind, before, after)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)

    total = sum(len(v) for v in stats.times.values())
    errors = sum(stats.errors.values())
    everything = [t for v in stats.times.values() for t in v]
    print(
        f"{len(users)} simulated people ({sum(1 for _u, r in users if r == 'staff')} staff), "
        f"{elapsed:.0f} s, think time {args.think[0]}-{args.think[1]} s; "
        f"{len(users)} sign-ins took {login_seconds:.1f} s before the window"
    )
    print(f"{total:,} requests, {total / elapsed:.1f} a second, {errors} errors")
    if everything:
        print(
            f"latency ms: median {statistics.median(everything):.0f}, p90 {percentile(everything, 0.9):.0f}, "
            f"p95 {percentile(everything, 0.95):.0f}, p99 {percentile(everything, 0.99):.0f}, "
            f"max {max(everything):.0f}"
        )
    print(f"\n{'request':24} {'count':>6} {'errors':>6} {'median':>7} {'p95':>7} {'max':>7}")
    for label, times in sorted(stats.times.items()):
        print(
            f"{label:24} {len(times):>6} {stats.errors[label]:>6} {statistics.median(times):>7.0f} "
            f"{percentile(times, 0.95):>7.0f} {max(times):>7.0f}"
        )
    for label, example in stats.error_examples.items():
        print(f"  first error in {label}: {example}")
    what = "incident drafts" if kind == "incident" else "people added and admitted"
    print(
        f"\nWrites ({what}): {check['successful writes']} answered success; lost {check['lost']}, "
        f"duplicated {check['duplicated']}, rows not accounted for {check['unexpected rows']}."
    )
    print(f"The load test added {after - before} rows of this kind to the database (they stay).")
    if errors or check["lost"] or check["duplicated"] or check["unexpected rows"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
