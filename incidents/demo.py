"""Two years of synthetic incidents on the three demo wards, with Willow's fall after its rule was lifted.

Every incident goes through the services (so permissions, history and the submission signal are
real). The clock is set to the moment each step happened, so the record's timeline, sign-off dates
and anything created from the signal read as they would on a real ward.
"""

import contextlib
import datetime
import math

from django.utils import timezone

from incidents import services
from incidents.codes import DEESCALATION_TECHNIQUES
from incidents.models import Incident
from rrp.models import Admission

# Incidents a month before and after Willow's bedtime rule was lifted: a sustained fall of about 60%
# on Willow, so its SPC chart shows special cause improvement; the other wards stay level.
RATES = {"Willow": (10.0, 4.0), "Oak": (3.0, 3.0), "Cedar": (5.0, 5.0)}
REPORTERS = {"Willow": "nurse.ash", "Oak": "nurse.fay", "Cedar": "nurse.bea"}
SECOND = {"Willow": "hca.eli", "Oak": "manager.gus", "Cedar": "hca.ivy"}
MANAGERS = {"Willow": "manager.cal", "Oak": "manager.gus", "Cedar": "manager.hal"}
BANK_STAFF = [
    ("Chris Walker", "Healthcare assistant (bank)"),
    ("Nia Owusu", "Registered mental health nurse"),
    ("Tom Byrne", "Healthcare assistant"),
    ("Rhea Kapoor", "Student nurse"),
]
PLACES = [
    "Lounge",
    "Dining room",
    "Bedroom corridor",
    "Own bedroom",
    "Garden",
    "Nursing office",
    "Clinic room",
]
HOLDS = {
    "01": "Two staff held the person face down on the floor for the shortest time possible.",
    "07": "Two staff used a standing hold on both arms.",
    "08": "Two staff held both arms and walked the person to a quieter room.",
    "09": "Three staff held the person on their back on a mattress.",
    "10": "Two staff held the person on their side.",
    "11": "Two staff held the person seated in a chair.",
    "12": "Two staff held the person kneeling.",
    "13": "Two staff guided the person with a light hold on the arms.",
}
REASONS = ["10"] * 6 + ["11"] * 3 + ["17"] * 3 + ["13"] * 2 + ["12", "16", "19"]
PHYSICAL = ["07"] * 4 + ["09"] * 3 + ["11"] * 2 + ["10", "08", "12", "13"]
TRIGGERS = [
    "was told his leave was cancelled",
    "had a phone call with family that upset them",
    "was refused an extra cigarette break",
    "was distressed by voices and believed staff meant harm",
    "argued with another patient over the television",
    "was asked to return to the ward after leave",
    "became distressed at medication time",
]
OUTCOMES = [
    "Settled within half an hour and chose to spend time in their room. Offered a drink and a chat.",
    "Calmer after the intervention. Checked for injury; none found. Agreed to talk it over later.",
    "Slept for a few hours afterwards. Observations stable. Spoke with the named nurse in the evening.",
    "Remained upset for a while, then accepted support from a familiar member of staff.",
]


@contextlib.contextmanager
def _clock(moment: datetime.datetime):
    """Make `timezone.now()` answer `moment`, so history and workflow dates are when things happened."""
    original = timezone.now
    timezone.now = lambda: moment
    try:
        yield
    finally:
        timezone.now = original


def _poisson(rng, mean: float) -> int:
    # Knuth's method: small means only.
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _moments(cast, ward_name):
    """Random moments over two years with the ward's monthly rate; afternoons and evenings more often."""
    rng = cast.rng
    before, after = RATES[ward_name]
    month = datetime.timedelta(days=30)
    start = cast.start + datetime.timedelta(days=1)
    end = cast.now - datetime.timedelta(hours=6)
    moments = []
    window = start
    while window < end:
        rate = before if (ward_name != "Willow" or window < cast.willow_rule_lifted) else after
        for _ in range(_poisson(rng, rate)):
            day = window + datetime.timedelta(days=rng.randrange(30))
            hour = rng.choice([8, 10, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 2])
            moment = day.replace(hour=hour, minute=rng.randrange(60), second=0, microsecond=0)
            if start < moment < end:
                moments.append(moment)
        window += month
    return sorted(moments)


def _patient(cast, admissions, moment):
    """Pick someone on the ward at `moment`, with the named demo people more often than others."""
    named = {p.pk for p in cast.people.values()}
    here = [a.service_user for a in admissions if a.start <= moment and (a.end is None or a.end > moment)]
    if not here:
        return None
    weighted = [p for p in here for _ in range(6 if p.pk in named else 1)]
    return cast.rng.choice(weighted)


def _interventions(cast, ward_name, start):
    rng = cast.rng
    rows = []
    prone = rng.random() < 0.09
    code = "01" if prone else rng.choice(PHYSICAL)
    minutes = rng.choice([2, 3, 4, 5, 6, 8, 10, 12, 15, 20]) if prone else rng.randrange(2, 25)
    row = {
        "type_code": code,
        "started_at": start,
        "ended_at": start + datetime.timedelta(minutes=minutes),
        "in_care_plan": rng.choice(["yes", "yes", "no"]),
        "patient_injured": rng.random() < 0.06,
        "staff_injured": rng.random() < 0.08,
        "other_injured": rng.random() < 0.02,
    }
    if prone:
        row["prone_reason"] = rng.choice(
            [
                "Fell to the floor face down during the hold; turned onto their side as soon as safe.",
                "Prone for the shortest time possible to give an emergency injection; airway watched.",
            ]
        )
    rows.append(row)
    moment = row["ended_at"]
    roll = rng.random()
    if roll < 0.13:
        rows.append(
            {
                "type_code": "14",
                "started_at": moment,
                "ended_at": moment + datetime.timedelta(minutes=2),
                "in_care_plan": "yes",
            }
        )
    elif roll < 0.22:
        rows.append(
            {
                "type_code": "16",
                "started_at": moment,
                "ended_at": moment + datetime.timedelta(minutes=5),
                "in_care_plan": "yes",
            }
        )
    elif roll < 0.30 and ward_name != "Cedar":
        rows.append(
            {
                "type_code": "05",
                "started_at": moment + datetime.timedelta(minutes=1),
                "ended_at": moment + datetime.timedelta(minutes=rng.randrange(60, 360)),
                "in_care_plan": "no",
            }
        )
    return rows


def _observations(cast, interventions):
    rapid = [i for i in interventions if i["type_code"] == "14"]
    if not rapid:
        return []
    rng = cast.rng
    moment = rapid[0]["started_at"]
    rows = []
    # Mostly hourly; now and then a gap, which the record flags as incomplete.
    for _ in range(rng.randrange(2, 5)):
        moment += datetime.timedelta(minutes=rng.choice([15, 30, 45, 55, 60, 60, 95]))
        rows.append(
            {
                "taken_at": moment,
                "pulse": rng.randrange(64, 110),
                "blood_pressure": f"{rng.randrange(105, 140)}/{rng.randrange(65, 90)}",
                "respiratory_rate": rng.randrange(12, 20),
                "oxygen_saturation": rng.randrange(95, 100),
                "consciousness": rng.choice(["A", "A", "A", "V"]),
                "hydration": "Drinking water",
                "refused": rng.random() < 0.1,
            }
        )
    return rows


def _fields_and_children(cast, ward_name, person, start, reporter, second):
    rng = cast.rng
    interventions = _interventions(cast, ward_name, start)
    end = max(i["ended_at"] for i in interventions) + datetime.timedelta(minutes=rng.randrange(1, 10))
    name = person.preferred_name or person.given_name
    codes = [code for code, _ in DEESCALATION_TECHNIQUES if code != "other"]
    techniques = rng.sample(codes, rng.randrange(2, 5))
    people = list(person.people_to_notify.all())
    told = people and rng.random() < 0.85
    fields = {
        "started_at": start,
        "ended_at": end,
        "place": rng.choice(PLACES),
        "reason_code": rng.choice(REASONS),
        "reason_description": f"{name} {rng.choice(TRIGGERS)} and tried to hit out at the people nearby.",
        "how_force_used": f"{HOLDS[interventions[0]['type_code']]} "
        f"One member of staff led, talked with {name} throughout and watched their breathing.",
        "deescalation": techniques,
        "deescalation_notes": f"Staff spoke calmly with {name}, offered space and a drink, and "
        "used the calming ideas in the safety plan before any hands-on intervention.",
        "outcome": rng.choice(OUTCOMES),
        "physical_harm": rng.choice(["none"] * 8 + ["low", "low", "moderate"]),
        "psychological_harm": rng.choice(["none", "low", "low", "low", "moderate"]),
        "care_plan_people_told": "yes" if told else ("no" if people else "not_known"),
        "immediate_debrief_offered": rng.choice(["yes"] * 5 + ["no"]),
    }
    bank_name, bank_title = rng.choice(BANK_STAFF)
    staff = [
        {"staff": reporter, "name": reporter.get_full_name(), "job_title": reporter.staff.job_title},
        {"staff": second, "name": second.get_full_name(), "job_title": second.staff.job_title},
        {"name": bank_name, "job_title": bank_title, "used_force": rng.random() < 0.7},
    ]
    children = {
        "interventions": interventions,
        "staff_involved": staff,
        "observations": _observations(cast, interventions),
    }
    if told:
        contact = people[0]
        children["notifications"] = [
            {
                "person": contact,
                "name": contact.name,
                "relationship": contact.relationship,
                "told": True,
                "told_at": end + datetime.timedelta(minutes=rng.randrange(20, 180)),
                "how": "By phone",
            }
        ]
    if ward_name == "Cedar" and rng.random() < 0.05:
        fields["police_requested_at"] = start + datetime.timedelta(minutes=2)
        fields["police_arrived_at"] = start + datetime.timedelta(minutes=14)
        fields["police_used_force"] = "no"
        children["others_involved"] = [
            {"who": "Police", "reason": "Called when the person left the ward and was at risk on the road."}
        ]
    return fields, children


def seed(cast) -> None:
    """Create the demo incidents (idempotent: does nothing when incidents exist)."""
    if Incident.objects.exists():
        return
    users = cast.users
    for ward_name, ward in cast.wards.items():
        reporter, second = users[REPORTERS[ward_name]], users[SECOND[ward_name]]
        manager = users[MANAGERS[ward_name]]
        admissions = list(Admission.objects.filter(ward=ward).select_related("service_user"))
        moments = _moments(cast, ward_name)
        for index, start in enumerate(moments):
            person = _patient(cast, admissions, start)
            if person is None:
                continue
            fields, children = _fields_and_children(cast, ward_name, person, start, reporter, second)
            last = max([fields["ended_at"]] + [o["taken_at"] for o in children["observations"]])
            logged = last + datetime.timedelta(minutes=cast.rng.randrange(20, 150))
            recent = cast.now - start < datetime.timedelta(days=10)
            is_draft = index == len(moments) - 1  # the latest one on each ward is still being written
            with _clock(min(logged, cast.now)):
                incident = services.incident_create(
                    service_user=person, by=reporter, children=children if not is_draft else None, **fields
                )
                if is_draft:
                    continue
                incident = services.incident_submit(incident=incident, by=reporter)
            if recent or cast.rng.random() < 0.04:
                continue  # awaiting the manager's sign-off
            signed = logged + datetime.timedelta(hours=cast.rng.randrange(6, 96))
            with _clock(min(signed, cast.now)):
                services.incident_sign_off(incident=incident, by=manager)
    _one_entered_in_error(cast)


def _one_entered_in_error(cast):
    incident = (
        Incident.objects.filter(ward=cast.wards["Willow"], status=Incident.Status.SIGNED_OFF)
        .order_by("started_at")
        .first()
    )
    if incident is None:
        return
    with _clock(incident.signed_off_at + datetime.timedelta(days=2)):
        services.incident_mark_error(
            incident=incident,
            by=cast.users["manager.cal"],
            reason="Recorded against the wrong person; the correct record was entered separately.",
        )
