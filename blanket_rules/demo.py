"""Demo blanket rules: rules on every ward, Willow's bedtime rule lifted after challenges, and open work."""

import datetime

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from blanket_rules import services
from blanket_rules.models import BlanketRule
from rrp.models import Admission, local_date

MANAGERS = {"Willow": "manager.cal", "Oak": "manager.gus", "Cedar": "manager.hal"}
EQUALITY = (
    "Reviewed for people with autism or a learning disability, for whom fixed routines and searches can "
    "be more distressing; reasonable adjustments are agreed in their care plans."
)
PARTICIPANTS = {
    "Willow": "Cal Morgan, ward manager\nAsh Patel, registered nurse\nJo Evans, peer support worker",
    "Oak": "Gus Reid, ward manager\nFay Green, registered nurse",
    "Cedar": "Hal Singh, ward manager\nBea Okafor, registered nurse",
}

RULES = [
    # ward (or division), title, category, description, risks, why not individual, reference, manager
    (
        "Willow",
        "Everyone in their bedroom by 10pm",
        "bedtimes_routines",
        "Everyone goes to their bedroom at 10pm and the lounge is closed until 7am.",
        "Arguments and fights in the lounge late at night when fewer staff are on shift.",
        "Night staffing is too thin to assess and supervise each person's evening separately.",
        "Willow ward routine, 2019",
        "manager.cal",
    ),
    (
        "Willow",
        "Kitchen locked at night",
        "food_drink",
        "The kitchen is locked from 11pm to 7am. Ask staff for a drink or a snack.",
        "Knives and boiling water used without anyone nearby at night.",
        "Two staff at night cannot watch the kitchen and the corridors at the same time.",
        "Trust security policy, section 4",
        "manager.cal",
    ),
    (
        "Willow",
        "Set visiting hours",
        "visiting",
        "Visitors can come from 2pm to 4pm and 6pm to 8pm, booked a day ahead.",
        "Visits need a quiet room and a member of staff free; unplanned visits clash with therapy groups.",
        "The ward has one visiting room, so times must be shared fairly between everyone.",
        "Trust visiting policy",
        "manager.cal",
    ),
    (
        "Forensic Services",
        "Searches on return from leave",
        "searches",
        "When you come back from leave, staff search you and your bags, in private, by someone of the "
        "gender you choose.",
        "Weapons, drugs and phones with cameras being brought into a secure ward.",
        "Items have come in with people whose individual risk was judged low; a routine search is the "
        "least restrictive way the ward has found to stop this.",
        "Secure services search policy; Mental Health Act Code of Practice 8.5",
        "manager.cal",
    ),
    (
        "Oak",
        "No mobile phones with cameras",
        "phones_internet",
        "Phones with cameras are kept in your locker and can be used in the visitors' room.",
        "Photos of other patients shared without consent.",
        "Anyone's phone can take photos of other patients, whatever their own risk.",
        "Trust photography and recording policy",
        "manager.gus",
    ),
    (
        "Cedar",
        "Garden open at set times",
        "outside_space",
        "The garden is open from 9am to 8pm, with a member of staff outside.",
        "Climbing the garden fence to leave the ward.",
        "The fence is low and the garden cannot be seen from the office.",
        "Estates risk assessment 2024",
        "manager.hal",
    ),
    (
        "Cedar",
        "Money kept in the ward safe",
        "money_shop",
        "Money over £20 is kept in the ward safe. You can take it out between 10am and 4pm.",
        "Money going missing from bedrooms and people being pressured into lending it.",
        "Bedrooms cannot be locked from outside while people are away.",
        "Patients' property policy",
        "manager.hal",
    ),
]


def _at(day: datetime.date, hour: int = 11) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def _hold_reviews(rule, by, *, until: datetime.date, participants: str):
    """Hold every scheduled review due before `until`, each deciding to keep the rule."""
    while True:
        review = rule.reviews.scheduled().order_by("due_date").first()
        if review is None or review.due_date >= until:
            return
        services.review_record(
            review=review,
            by=by,
            version=review.version,
            held_on=review.due_date,
            participants=participants,
            service_user_representative="Patient representative from the ward community meeting",
            findings="Incidents linked to the rule were looked at with the community meeting's views.",
            outcome="keep",
            outcome_reason="The risk is still there and nothing less restrictive has been found yet.",
        )
        rule.refresh_from_db()


def _willow_patient_at(cast, moment):
    admission = (
        Admission.objects.filter(ward=cast.wards["Willow"], end__isnull=True, start__lt=moment)
        .exclude(service_user__user__isnull=False)
        .order_by("start")
        .first()
    )
    return admission.service_user if admission else None


def seed(cast) -> None:
    if BlanketRule.objects.exists():
        return
    today = local_date(cast.now)
    rules = {}
    for index, (where, title, category, description, risks, why, reference, manager) in enumerate(RULES):
        by = cast.users[manager]
        scope = (
            {"division": cast.divisions[where]} if where in cast.divisions else {"wards": [cast.wards[where]]}
        )
        proposed = cast.start + datetime.timedelta(days=3 + index)
        rule = services.rule_propose(
            by=cast.users["nurse.ash"] if manager == "manager.cal" else by,
            title=title,
            category=category,
            description=description,
            risks=risks,
            why_not_individual=why,
            policy_reference=reference,
            equality_impact=EQUALITY,
            proposed_at=proposed,
            **scope,
        )
        authorised = proposed + datetime.timedelta(days=7)
        services.rule_authorise(
            rule=rule,
            by=by,
            version=rule.version,
            authorising_body="Ward governance meeting",
            patients_told_how="Community meeting, the ward notice board and a leaflet in the welcome pack",
            patients_told_on=local_date(authorised) + datetime.timedelta(days=1),
            next_review_date=local_date(authorised) + relativedelta(months=3),
            authorised_at=authorised,
        )
        rule.refresh_from_db()
        rules[title] = rule

    # Willow's bedtime rule: challenged by Sam and by Jo on another patient's behalf, then lifted.
    bedtime = rules["Everyone in their bedroom by 10pm"]
    lifted_at = cast.willow_rule_lifted
    _hold_reviews(
        bedtime,
        cast.users["manager.cal"],
        until=local_date(lifted_at) - datetime.timedelta(days=40),
        participants=PARTICIPANTS["Willow"],
    )
    sam = cast.people["sam"]
    sam_challenge = services.challenge_create(
        rule=bedtime,
        by=cast.users["sam"],
        service_user=sam,
        in_own_words="I can't sleep at 10pm with my medication. Being sent to my room when I'm wound up "
        "is when things kick off with staff.",
        would_like_instead="Let people stay in the lounge quietly until midnight if they want to.",
        raised_at=lifted_at - datetime.timedelta(days=35),
    )
    other = _willow_patient_at(cast, lifted_at - datetime.timedelta(days=20)) or sam
    jo_challenge = services.challenge_create(
        rule=bedtime,
        by=cast.users["peer.jo"],
        service_user=other,
        in_own_words="He says being told to go to bed like a child makes him angry, and most of his "
        "restraints have been at bedtime.",
        would_like_instead="A quiet lounge with a night-time routine people choose for themselves.",
        withhold_name=True,
        raised_at=lifted_at - datetime.timedelta(days=20),
    )
    reason = (
        "You are right: most restraints on Willow happen when people are sent to their rooms at 10pm. "
        "From now on the lounge stays open, quietly, and everyone agrees their own night routine "
        "in their care plan."
    )
    for challenge in (sam_challenge, jo_challenge):
        challenge.refresh_from_db()
        services.challenge_decide(
            challenge=challenge,
            by=cast.users["manager.cal"],
            version=challenge.version,
            decision="lift",
            reason=reason,
            at=lifted_at,
        )

    # Reviews held on time for the other rules, except the searches rule, whose review is overdue.
    for title, rule in rules.items():
        if rule.pk == bedtime.pk:
            continue
        ward = rule.wards.first()
        manager = cast.users[MANAGERS[ward.name]]
        until = today - datetime.timedelta(days=14) - relativedelta(months=rule.review_interval_months)
        if title != "Searches on return from leave":
            until = today
        _hold_reviews(
            rule, manager, until=until, participants=PARTICIPANTS.get(ward.name, PARTICIPANTS["Willow"])
        )

    # Visiting hours on Willow were widened after a challenge whose author asked to stay anonymous.
    visiting = rules["Set visiting hours"]
    visitor = _willow_patient_at(cast, cast.now - datetime.timedelta(days=60)) or sam
    widened = services.challenge_create(
        rule=visiting,
        by=cast.users["peer.jo"],
        service_user=visitor,
        in_own_words="My children can only come after school, and the evening slot ends before they "
        "can get here.",
        would_like_instead="Evening visits until 8.30pm, and weekend mornings.",
        withhold_name=True,
        raised_at=cast.now - datetime.timedelta(days=50),
    )
    services.challenge_decide(
        challenge=widened,
        by=cast.users["manager.cal"],
        version=widened.version,
        decision="modify",
        reason="Families should be able to visit after school and work. We have widened the hours.",
        new_description="Visitors can come from 2pm to 4pm and 6pm to 8.30pm, and 10am to 12pm at weekends, "
        "booked a day ahead.",
        at=cast.now - datetime.timedelta(days=40),
    )

    # Open work: Sam's challenge to the kitchen rule awaits a decision; Pat's is overdue.
    kitchen = rules["Kitchen locked at night"]
    services.challenge_create(
        rule=kitchen,
        by=cast.users["sam"],
        service_user=sam,
        in_own_words="My tablets make me hungry at night and I have to ask staff every time I want toast.",
        would_like_instead="A snack cupboard and a hot-water tap we can use at night.",
        raised_at=cast.now - datetime.timedelta(days=3),
    )
    services.challenge_create(
        rule=visiting,
        by=cast.users["carer.pat"],
        service_user=sam,
        in_own_words="I work shifts and cannot book a day ahead. I have missed seeing Sam twice this month.",
        would_like_instead="Let carers book on the day if the visiting room is free.",
        raised_at=cast.now - datetime.timedelta(days=20),
    )

    # Kai challenged Oak's phone rule; the ward manager kept it and Kai asked the recovery lead to look again.
    phones = rules["No mobile phones with cameras"]
    kai_challenge = services.challenge_create(
        rule=phones,
        by=cast.users["kai"],
        service_user=cast.people["kai"],
        in_own_words="My phone is how I stay in touch with my sister. Locking it away is not fair on "
        "people who never take photos.",
        would_like_instead="Let us keep phones if we agree not to use the camera, with a sticker over it.",
        raised_at=cast.now - datetime.timedelta(days=45),
    )
    services.challenge_decide(
        challenge=kai_challenge,
        by=cast.users["manager.gus"],
        version=kai_challenge.version,
        decision="keep",
        reason="Stickers come off and we could not check every phone. You can use your phone in the "
        "visitors' room.",
        at=cast.now - datetime.timedelta(days=35),
    )
    kai_challenge.refresh_from_db()
    services.challenge_ask_look_again(
        challenge=kai_challenge,
        by=cast.users["kai"],
        reason="Other secure wards let people keep basic phones without cameras. Nobody asked us.",
        at=cast.now - datetime.timedelta(days=30),
    )

    # A proposal on Cedar waiting for the ward manager.
    services.rule_propose(
        by=cast.users["nurse.bea"],
        wards=[cast.wards["Cedar"]],
        title="No glass bottles or cans",
        category="personal_items",
        description="Drinks brought onto the ward are poured into plastic cups.",
        risks="Broken glass and can edges used to self-harm.",
        why_not_individual="",
        proposed_at=cast.now - datetime.timedelta(days=6),
    )
