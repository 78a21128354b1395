"""The demo organisation and people of shared/personas.md. Synthetic data only."""

import datetime
import random
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from rrp import services
from rrp.models import LONDON, Division, ServiceUser, Trust, Ward
from rrp.nhs_number import is_valid_nhs_number

TRUST_NAME = "Demo Healthcare NHS Foundation Trust"


@dataclass
class Cast:
    """Everything the apps' demo seeders need: people, wards and a seeded random source."""

    users: dict[str, User] = field(default_factory=dict)
    wards: dict[str, Ward] = field(default_factory=dict)
    divisions: dict[str, Division] = field(default_factory=dict)
    people: dict[str, ServiceUser] = field(default_factory=dict)  # sam, kai, lou
    others: list[ServiceUser] = field(default_factory=list)  # other synthetic patients
    now: datetime.datetime = field(default_factory=timezone.now)
    rng: random.Random = field(default_factory=lambda: random.Random(2026))  # noqa: S311

    @property
    def start(self) -> datetime.datetime:
        """The start of the demo's two years of history."""
        return (self.now - datetime.timedelta(days=730)).replace(hour=9, minute=0, second=0, microsecond=0)

    @property
    def kai_transfer(self) -> datetime.datetime:
        return self.now - datetime.timedelta(days=200)

    @property
    def willow_rule_lifted(self) -> datetime.datetime:
        """When Willow's blanket rule was lifted after challenges: restraint on Willow falls after it."""
        return (self.now - datetime.timedelta(days=330)).replace(hour=14, minute=0, second=0, microsecond=0)


STAFF = [
    # username, first, last, job title, role, wards, division
    ("nurse.ash", "Ash", "Patel", "Registered mental health nurse", "ward_staff", ["Willow"], None),
    ("nurse.bea", "Bea", "Okafor", "Registered mental health nurse", "ward_staff", ["Cedar"], None),
    ("manager.cal", "Cal", "Morgan", "Ward manager", "ward_manager", ["Willow"], None),
    ("lead.dee", "Dee", "Harris", "Forensic recovery lead", "recovery_lead", [], "Forensic Services"),
    ("peer.jo", "Jo", "Evans", "Peer support worker", "peer_worker", ["Willow"], "Forensic Services"),
    # Extra synthetic staff so incidents can name several people; not demo logins.
    ("hca.eli", "Eli", "Brown", "Healthcare assistant", "ward_staff", ["Willow"], None),
    ("nurse.fay", "Fay", "Green", "Registered mental health nurse", "ward_staff", ["Oak"], None),
    ("manager.gus", "Gus", "Reid", "Ward manager", "ward_manager", ["Oak"], None),
    ("manager.hal", "Hal", "Singh", "Ward manager", "ward_manager", ["Cedar"], None),
    ("hca.ivy", "Ivy", "Clarke", "Healthcare assistant", "ward_staff", ["Cedar"], None),
]

PATIENTS = {
    # username: given, family, dob, sex, ethnicity, learning disability, autism, disorder
    "sam": ("Sam", "Taylor", datetime.date(1994, 5, 14), "male", "M", "no", "no", "Paranoid schizophrenia"),
    "kai": (
        "Kai",
        "Robinson",
        datetime.date(1989, 9, 2),
        "male",
        "A",
        "no",
        "yes",
        "Bipolar affective disorder",
    ),
    "lou": (
        "Lou",
        "Bennett",
        datetime.date(2001, 1, 23),
        "female",
        "N",
        "no",
        "no",
        "Emotionally unstable personality disorder",
    ),
}

GIVEN = [
    "Alex",
    "Jordan",
    "Casey",
    "Riley",
    "Morgan",
    "Jamie",
    "Taylor",
    "Robin",
    "Charlie",
    "Drew",
    "Sky",
    "Frankie",
    "Hayden",
    "Quinn",
    "Rowan",
    "Sasha",
    "Toni",
    "Ellis",
    "Jesse",
    "Remi",
]
FAMILY = [
    "Smith",
    "Jones",
    "Williams",
    "Davies",
    "Wilson",
    "Hughes",
    "Edwards",
    "Ahmed",
    "Khan",
    "Mensah",
    "Nowak",
    "Walsh",
    "Murphy",
    "Lewis",
    "Ali",
    "Hall",
    "Young",
    "King",
    "Wright",
    "Scott",
]
ETHNICITIES = ["A", "A", "A", "A", "B", "C", "D", "H", "J", "M", "N", "N", "P", "S", "Z"]


def synthetic_nhs_number(rng: random.Random) -> str:
    """Return a valid NHS number in the 999 range, which is never issued to a real person."""
    while True:
        candidate = "999" + "".join(str(rng.randrange(10)) for _ in range(6))
        for check in range(10):
            if is_valid_nhs_number(candidate + str(check)):
                return candidate + str(check)


def _aware(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=LONDON)


def _user(username, first, last, password, *, superuser=False) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}@example.nhs.uk"},
    )
    if created:
        user.set_password(password)
        user.is_superuser = user.is_staff = superuser
        user.save()
    return user


def seed(cast: Cast) -> None:
    """Create the trust, wards, staff, service users, carers and admissions (idempotent)."""
    password = settings.RRP_DEMO_PASSWORD
    admin = _user("admin", "Ada", "Admin", password, superuser=True)
    cast.users["admin"] = admin
    if Trust.objects.filter(name=TRUST_NAME).exists():
        _load(cast)
        return
    trust = Trust(name=TRUST_NAME)
    trust._history_user = admin
    trust.save()
    forensic = services.division_create(trust=trust, name="Forensic Services", by=admin)
    local = services.division_create(trust=trust, name="Local Partnerships", by=admin)
    cast.divisions = {"Forensic Services": forensic, "Local Partnerships": local}
    cast.wards = {
        "Willow": services.ward_create(
            division=forensic, name="Willow", description="Medium secure, male", beds=16, by=admin
        ),
        "Oak": services.ward_create(
            division=forensic, name="Oak", description="Low secure, male", beds=14, by=admin
        ),
        "Cedar": services.ward_create(
            division=local, name="Cedar", description="Adult acute, female", beds=18, by=admin
        ),
    }
    for username, first, last, title, role, wards, division in STAFF:
        user = _user(username, first, last, password)
        services.staff_create(
            user=user,
            job_title=title,
            role=role,
            wards=[cast.wards[w] for w in wards],
            division=cast.divisions.get(division),
            by=admin,
        )
        cast.users[username] = user
    _seed_patients(cast, admin, password)
    pat = _user("carer.pat", "Pat", "Taylor", password)
    cast.users["carer.pat"] = pat
    services.carer_link_create(
        carer=pat,
        service_user=cast.people["sam"],
        relationship="Mother",
        shares_safety_plan=True,
        shares_ward_rounds=True,
        by=admin,
    )
    for person, (name, rel, phone) in {
        "sam": ("Pat Taylor", "Mother", "07700 900123"),
        "kai": ("Jess Robinson", "Sister", "07700 900456"),
        "lou": ("Mo Bennett", "Partner", "07700 900789"),
    }.items():
        cast.people[person].people_to_notify.create(name=name, relationship=rel, phone=phone)


def _seed_patients(cast: Cast, admin: User, password: str) -> None:
    rng, start, now = cast.rng, cast.start, cast.now
    for username, (given, family, dob, sex, eth, ld, autism, disorder) in PATIENTS.items():
        user = _user(username, given, family, password)
        cast.users[username] = user
        cast.people[username] = services.service_user_create(
            user=user,
            nhs_number=synthetic_nhs_number(rng),
            given_name=given,
            family_name=family,
            date_of_birth=dob,
            sex=sex,
            ethnicity=eth,
            learning_disability=ld,
            autism=autism,
            mental_disorder=disorder,
            by=admin,
        )
    services.admission_create(
        service_user=cast.people["sam"], ward=cast.wards["Willow"], start=start, by=admin
    )
    kai = services.admission_create(
        service_user=cast.people["kai"],
        ward=cast.wards["Willow"],
        start=start + datetime.timedelta(days=20),
        by=admin,
    )
    services.admission_transfer(admission=kai, to_ward=cast.wards["Oak"], at=cast.kai_transfer, by=admin)
    services.admission_create(
        service_user=cast.people["lou"],
        ward=cast.wards["Cedar"],
        start=now - datetime.timedelta(days=420),
        by=admin,
    )
    # Other synthetic patients: each ward kept near full with admissions of varying length.
    for ward_name, ward in cast.wards.items():
        sex = "female" if ward_name == "Cedar" else "male"
        occupied = ward.beds - 3
        for _bed in range(occupied):
            moment = start - datetime.timedelta(days=rng.randrange(0, 200))
            while moment < now:
                stay = datetime.timedelta(
                    days=rng.randrange(40, 400) if ward_name != "Cedar" else rng.randrange(10, 90)
                )
                person = services.service_user_create(
                    nhs_number=synthetic_nhs_number(rng),
                    given_name=rng.choice(GIVEN),
                    family_name=rng.choice(FAMILY),
                    date_of_birth=datetime.date(
                        rng.randrange(1960, 2006), rng.randrange(1, 13), rng.randrange(1, 28)
                    ),
                    sex=sex,
                    ethnicity=rng.choice(ETHNICITIES),
                    learning_disability=rng.choice(["no"] * 8 + ["yes", "not_known"]),
                    autism=rng.choice(["no"] * 7 + ["yes", "yes", "not_known"]),
                    religion=rng.choice(["none", "christian", "muslim", "not_known", "prefers_not_to_say"]),
                    by=admin,
                )
                end = moment + stay
                services.admission_create(
                    service_user=person, ward=ward, start=moment, end=end if end < now else None, by=admin
                )
                cast.others.append(person)
                moment = end + datetime.timedelta(days=rng.randrange(1, 5))


def _load(cast: Cast) -> None:
    """Fill the cast from an already-seeded database."""
    cast.divisions = {d.name: d for d in Division.objects.filter(trust__name=TRUST_NAME)}
    cast.wards = {w.name: w for w in Ward.objects.filter(division__trust__name=TRUST_NAME)}
    for user in User.objects.filter(username__in=[s[0] for s in STAFF] + ["carer.pat", *PATIENTS]):
        cast.users[user.username] = user
    for username in PATIENTS:
        cast.people[username] = ServiceUser.objects.get(user__username=username)
    cast.others = list(ServiceUser.objects.filter(user__isnull=True))
