"""Demo ward rounds: weekly past rounds on every ward with outcomes, and Sam's upcoming one on Willow."""

import datetime

from django.utils import timezone

from rrp.demo import Cast
from rrp.models import LONDON, Admission
from ward_rounds import services
from ward_rounds.models import AgendaItem, Outcome, WardRound

WEEKS_OF_HISTORY = 8
WARD_NURSE = {"Willow": "nurse.ash", "Oak": "nurse.fay", "Cedar": "nurse.bea"}
WARD_PERSON = {"Willow": "sam", "Oak": "kai", "Cedar": "lou"}
PURPOSE = (
    "To review how each person is doing with them, agree changes to care, leave and medication, "
    "and write down what was decided and who will do what. Side issues are handled outside the round."
)

PERSON_ITEMS = [
    # kind, the person's words, the decision, the action that follows
    (
        "leave",
        "I would like to start unescorted ground leave.",
        "Ground leave agreed, escorted for one more week.",
        "Write the leave plan with the person",
    ),
    (
        "medication",
        "My medication makes me sleepy in the mornings.",
        "Move the dose to the evening and review.",
        "Ask the pharmacist to change the dose time",
    ),
    (
        "question",
        "When is my next tribunal?",
        "The Mental Health Act office will confirm the date.",
        "Get the tribunal date from the Mental Health Act office",
    ),
    (
        "talk",
        "I want to go to the gym more often.",
        "Gym twice a week with the occupational therapist.",
        "Book gym sessions with the occupational therapist",
    ),
    (
        "restriction",
        "I want my phone in the evenings.",
        "Phone in the evenings on a trial basis.",
        "Tell the night staff about the phone trial",
    ),
]
STAFF_ITEMS = [
    ("talk", "Review of physical health checks.", "Bloods due next week; ECG normal."),
    ("talk", "Planning the care programme approach meeting.", "Meeting to be booked for next month."),
    ("medication", "Side effects review.", "No change for now; review in two weeks."),
]
WEEKS = [
    "A hard week. I did not sleep well and I argued with staff on Tuesday.",
    "Better. I went to the gym twice and phoned home.",
    "Up and down. The new tablets make me tired.",
    "Good. I helped cook on Friday.",
]
VIEWS = [
    (Outcome.View.AGREE, "That sounds fair."),
    (Outcome.View.PARTLY, "I hoped for more, but it is a step."),
    (Outcome.View.DISAGREE, "I think I am ready now."),
    (Outcome.View.AGREE, ""),
]


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LONDON)


def seed(cast: Cast) -> None:
    if WardRound.objects.filter(ward__in=cast.wards.values()).exists():
        return
    today = timezone.localtime(cast.now).date()
    for weeks_ago in range(WEEKS_OF_HISTORY, 0, -1):
        for ward_name in cast.wards:
            _past_round(cast, ward_name, today - datetime.timedelta(weeks=weeks_ago), weeks_ago)
    _kai_on_willow(cast)
    _upcoming_willow(cast, today)


def _people_on_ward(cast: Cast, ward, moment, named):
    """The named demo person (if on the ward then) and two others, as Admissions."""
    admissions = list(
        Admission.objects.filter(ward=ward)
        .overlapping(moment, moment + datetime.timedelta(hours=2))
        .select_related("service_user")
        .order_by("service_user__family_name", "pk")
    )
    named_admissions = [a for a in admissions if a.service_user == named]
    others = [a for a in admissions if a.service_user != named]
    cast.rng.shuffle(others)
    return [a.service_user for a in named_admissions + others[:2]]


def _past_round(cast: Cast, ward_name: str, day: datetime.date, weeks_ago: int) -> None:
    ward = cast.wards[ward_name]
    nurse = cast.users[WARD_NURSE[ward_name]]
    starts = _at(day, 10)
    session = services.ward_round_create(
        ward=ward,
        starts_at=starts,
        purpose=PURPOSE,
        location=f"{ward_name} meeting room",
        led_by="Dr Ola Ade, consultant psychiatrist",
        by=nurse,
        recording_past=True,
    )
    people = _people_on_ward(cast, ward, starts, cast.people[WARD_PERSON[ward_name]])
    for slot, person in enumerate(people):
        scheduled = starts + datetime.timedelta(minutes=30 * slot)
        appointment = services.appointment_book(
            ward_round=session,
            service_user=person,
            scheduled_at=scheduled,
            by=nurse,
            recording_past=True,
            attendance_agreed=True,
            carer_attending=person == cast.people["sam"] and weeks_ago % 2 == 0,
            named_staff="Dr Ola Ade (consultant), named nurse",
        )
        _hold(cast, appointment, nurse, weeks_ago, slot)


def _hold(cast: Cast, appointment, nurse, weeks_ago: int, slot: int) -> None:
    """Prepare, run and write up one past appointment."""
    rng = cast.rng
    person = appointment.service_user
    author = person.user or nurse
    if person.user_id:
        services.preparation_save(
            preparation=appointment.preparation,
            by=person.user,
            version=appointment.preparation.version,
            how_my_week_has_been=rng.choice(WEEKS),
            my_goals="Get more leave and move on towards home.",
        )
    items = []
    for kind, text, decision, todo in rng.sample(PERSON_ITEMS, 2):
        items.append(
            (services.item_add(appointment=appointment, by=author, text=text, kind=kind), decision, todo)
        )
    kind, text, decision = rng.choice(STAFF_ITEMS)
    items.append((services.item_add(appointment=appointment, by=nurse, text=text, kind=kind), decision, ""))
    if person == cast.people["sam"] and weeks_ago % 2 == 0:
        carer_item = services.item_add(
            appointment=appointment,
            by=cast.users["carer.pat"],
            text="Can I bring Sam's cousin when I visit on Sunday?",
            kind=AgendaItem.Kind.QUESTION,
        )
        services.item_move_out(
            item=carer_item,
            by=nurse,
            handled_where="Visiting is arranged with the nurse in charge, not the round.",
        )
    late = rng.choice([0, 0, 5, 10, 25])
    if late >= 10:
        services.appointment_record_delay(
            appointment=appointment,
            by=nurse,
            expected_at=appointment.scheduled_at + datetime.timedelta(minutes=late),
            delay_note="The previous appointment ran over.",
        )
    services.appointment_start(
        appointment=appointment,
        by=nurse,
        started_at=appointment.scheduled_at + datetime.timedelta(minutes=late),
    )
    for index, (item, decision, todo) in enumerate(items):
        agrees, view = VIEWS[(index + slot + weeks_ago) % len(VIEWS)]
        outcome = services.outcome_record(
            item=item, by=nurse, decision=decision, person_agrees=agrees, person_view=view
        )
        if index == 0:
            due = timezone.localtime(appointment.scheduled_at).date() + datetime.timedelta(days=10)
            action = services.action_add(outcome=outcome, by=nurse, description=todo, owner=nurse, due=due)
            # The most recent weeks' actions are still open, so home pages show due and overdue work.
            if weeks_ago > 2:
                services.action_done(action=action, by=nurse)
    appointment.refresh_from_db()
    services.appointment_share_summary(
        appointment=appointment,
        by=nurse,
        summary="We talked through each item on the agenda. The decisions and actions are below. "
        "Ask your named nurse if anything is unclear.",
        version=appointment.version,
    )
    if person.user_id and weeks_ago > 1:
        services.summary_mark_read(appointment=appointment, by=person.user)


def _kai_on_willow(cast: Cast) -> None:
    """A round from Kai's time on Willow: Willow keeps it, and Oak reads it as his history."""
    willow, oak, nurse = cast.wards["Willow"], cast.wards["Oak"], cast.users["nurse.ash"]
    day = timezone.localtime(cast.kai_transfer).date() - datetime.timedelta(days=14)
    session = services.ward_round_create(
        ward=willow,
        starts_at=_at(day, 10),
        purpose=PURPOSE,
        location="Willow meeting room",
        by=nurse,
        recording_past=True,
    )
    appointment = services.appointment_book(
        ward_round=session,
        service_user=cast.people["kai"],
        scheduled_at=_at(day, 10, 30),
        by=nurse,
        recording_past=True,
        attendance_agreed=True,
    )
    _hold(cast, appointment, nurse, WEEKS_OF_HISTORY + 20, 1)
    services.appointments_follow_transfer(
        service_user=cast.people["kai"], from_ward=willow, to_ward=oak, by=cast.users["admin"]
    )


def _upcoming_willow(cast: Cast, today: datetime.date) -> None:
    """Sam's next ward round in two days: his preparation, his ordered items, and his mum's item."""
    willow, nurse = cast.wards["Willow"], cast.users["nurse.ash"]
    sam, pat = cast.people["sam"], cast.users["carer.pat"]
    day = today + datetime.timedelta(days=2)
    session = services.ward_round_create(
        ward=willow,
        starts_at=_at(day, 10),
        purpose=PURPOSE,
        location="Willow meeting room",
        led_by="Dr Ola Ade, consultant psychiatrist",
        by=nurse,
    )
    appointment = services.appointment_book(
        ward_round=session,
        service_user=sam,
        scheduled_at=_at(day, 10),
        by=nurse,
        attendance_agreed=True,
        carer_attending=True,
        named_staff="Dr Ola Ade (consultant), Ash Patel (named nurse)",
    )
    services.appointment_update_attendance(
        appointment=appointment, by=sam.user, version=appointment.version, peer_worker=cast.users["peer.jo"]
    )
    services.preparation_save(
        preparation=appointment.preparation,
        by=sam.user,
        version=appointment.preparation.version,
        how_my_week_has_been="Better than last week. I slept most nights and went to the gym twice.",
        my_goals="Get unescorted leave, then move to Oak, then home.",
        who_i_want_there="My mum, and Jo the peer support worker.",
        communication_needs="Please give me time to answer and do not all talk at once.",
    )
    services.item_add(
        appointment=appointment, by=sam.user, text="I want to start unescorted ground leave.", kind="leave"
    )
    services.item_add(
        appointment=appointment,
        by=sam.user,
        text="My phone is locked away every night. I want this reviewed.",
        kind=AgendaItem.Kind.RESTRICTION,
    )
    services.item_add(
        appointment=appointment,
        by=sam.user,
        text="The new tablets make my hands shake.",
        kind=AgendaItem.Kind.MEDICATION,
    )
    # Sam put his medication first, then leave.
    medication = appointment.items.get(kind=AgendaItem.Kind.MEDICATION)
    services.item_move(item=medication, by=sam.user, direction="up")
    services.item_move(item=medication, by=sam.user, direction="up")
    services.item_add(
        appointment=appointment,
        by=pat,
        text="Sam seems more settled on the phone. Could leave include a visit home for tea?",
        kind=AgendaItem.Kind.LEAVE,
    )
    services.item_add(appointment=appointment, by=nurse, text="Weight and bloods follow-up.", kind="talk")
    for slot, person in enumerate(_people_on_ward(cast, willow, timezone.now(), sam)[1:], start=1):
        services.appointment_book(
            ward_round=session,
            service_user=person,
            scheduled_at=_at(day, 10) + datetime.timedelta(minutes=30 * slot),
            by=nurse,
            attendance_agreed=True,
        )
