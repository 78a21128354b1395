"""Demo safety plans for Sam, Kai and Lou: several agreed versions each, Pat's part, a pending proposal.

Synthetic words only, written through the services so authorship and history are real.
"""

import datetime

from rrp.demo import Cast
from safety_plans import services
from safety_plans.models import Kind, SafetyPlan

REVIEW_LABEL = "Post incident review"

SAM = [
    # (days ago, author key, {kind: fields}) applied in order; each list item of STAGES is one version.
    [
        (
            "sam",
            Kind.WARNING_SIGNS,
            {"text": "I stop sleeping and pace the corridor.\nI think people are talking about me."},
        ),
        ("sam", Kind.COPING, {"text": "Music through headphones.\nA shower."}),
        (
            "nurse.ash",
            Kind.HELPS,
            {"text": "Speak to Sam quietly, one person at a time, in the lounge or garden."},
        ),
        ("sam", Kind.DOES_NOT_HELP, {"text": "Lots of staff arriving at once.\nBeing told to calm down."}),
        (
            "sam",
            Kind.WHO_TO_TELL,
            {"contacts": [{"name": "Pat Taylor", "relationship": "Mother", "phone": "07700 900123"}]},
        ),
    ],
    [
        (
            "nurse.ash",
            Kind.PHYSICAL_HEALTH,
            {"text": "Asthma: inhaler in the clinic room.\nNo holds on the floor face down."},
        ),
        (
            "sam",
            Kind.CRISIS_WISHES,
            {
                "text": "Offer me oral medication first.\n"
                "I do not want to be secluded if there is another way."
            },
        ),
        (
            "sam",
            Kind.HELPS,
            {
                "text": "Speak to me quietly, one person at a time, in the lounge or the garden.\n"
                "Offer a cup of tea."
            },
        ),
        (
            "nurse.ash",
            Kind.PROFESSIONALS,
            {
                "contacts": [
                    {"name": "Willow ward office", "relationship": "Ward", "phone": "0300 555 0101"},
                    {"name": "Crisis line", "relationship": "24 hours", "phone": "0800 555 0199"},
                ]
            },
        ),
    ],
    [
        (
            "carer.pat",
            Kind.FAMILY,
            {"text": "Ring me. Hearing my voice helps Sam settle.\nI can bring his guitar."},
        ),
        (
            "sam",
            Kind.POSITIVE_RISK,
            {
                "risk_value": "Playing football on the Tuesday session",
                "risk_risks": "Tackles can feel like being grabbed",
                "risk_safety": "Non-contact games; I can step out any time",
                "risk_who": "Sam tells the coach; Ash (his nurse) checks in afterwards",
            },
        ),
        (
            "sam",
            Kind.CRISIS_WISHES,
            {"disagreement": "I still do not agree that rapid tranquillisation is ever needed."},
        ),
    ],
]

KAI = [
    [
        ("kai", Kind.WARNING_SIGNS, {"text": "Talking fast, not eating, spending money I do not have."}),
        ("kai", Kind.HELPS, {"text": "A quiet room with low light. Written notes, not lots of talking."}),
        ("nurse.fay", Kind.DOES_NOT_HELP, {"text": "Loud alarms and crowded corridors (Kai is autistic)."}),
    ],
    [
        (
            "nurse.fay",
            Kind.PHYSICAL_HEALTH,
            {"text": "Lithium: check fluids and levels after any rapid tranquillisation."},
        ),
        ("kai", Kind.SURROUNDINGS, {"text": "Headphones and my weighted blanket in my room."}),
        (
            "kai",
            Kind.WHO_TO_TELL,
            {"contacts": [{"name": "Jess Robinson", "relationship": "Sister", "phone": "07700 900456"}]},
        ),
    ],
]

LOU = [
    [
        ("lou", Kind.WARNING_SIGNS, {"text": "Going quiet, staying in my room, not answering."}),
        ("lou", Kind.HELPS, {"text": "A female member of staff I know. Sitting with me without pressure."}),
        (
            "nurse.bea",
            Kind.PHYSICAL_HEALTH,
            {
                "text": "History of trauma: never restrain by male staff only.\n"
                "Tell Lou what is happening at every step."
            },
        ),
    ],
    [
        (
            "lou",
            Kind.DOES_NOT_HELP,
            {"text": "Being watched through the door window without being told why."},
        ),
        (
            "lou",
            Kind.CRISIS_WISHES,
            {"text": "I do not want intramuscular injections unless my life is at risk."},
        ),
        (
            "lou",
            Kind.WHO_TO_TELL,
            {"contacts": [{"name": "Mo Bennett", "relationship": "Partner", "phone": "07700 900789"}]},
        ),
    ],
    [
        ("lou", Kind.COPING, {"text": "Drawing, cold water on my face, the breathing app."}),
    ],
]


def _write(plan, user, kind, fields):
    section = plan.sections.filter(kind=kind).first()
    services.section_save(plan=plan, kind=kind, version=section.version if section else 0, by=user, **fields)


def _build(cast: Cast, person_key: str, staff_key: str, stages, first_days_ago: int, review_in_days: int):
    person = cast.people[person_key]
    staff = cast.users[staff_key]
    plan = services.plan_create(service_user=person, by=staff)
    gap = first_days_ago // len(stages)
    for index, stage in enumerate(stages):
        for author, kind, fields in stage:
            _write(plan, cast.users[author], kind, fields)
        at = cast.now - datetime.timedelta(days=first_days_ago - index * gap)
        services.plan_agree(plan=plan, by=person.user, at=at)
        services.plan_agree(plan=plan, by=staff, at=at + datetime.timedelta(hours=2))
    plan.refresh_from_db()
    services.plan_update(
        plan=plan,
        version=plan.version,
        review_by=cast.now.date() + datetime.timedelta(days=review_in_days),
        by=staff,
    )
    return plan


def _review_url(person) -> str:
    """A link to one of the person's post incident reviews, when that app is installed and seeded."""
    try:
        from incidents.reviews.models import ReviewAction
    except ImportError:
        return ""
    action = ReviewAction.objects.filter(review__incident__service_user=person).first()
    return action.get_absolute_url() if action else ""


def seed(cast: Cast) -> None:
    if SafetyPlan.objects.filter(service_user=cast.people["sam"]).exists():
        return
    # Sam: three versions, due for review soon, a new draft change waiting and a proposal to decide.
    sam = _build(cast, "sam", "nurse.ash", SAM, first_days_ago=300, review_in_days=10)
    _write(
        sam,
        cast.users["nurse.ash"],
        Kind.COPING,
        {"text": "Music through headphones.\nA shower.\nA walk in the garden with staff."},
    )
    services.proposal_create(
        service_user=cast.people["sam"],
        text="Before any hold, offer Sam the garden and a named nurse he knows; "
        "tell him what will happen next.",
        source_label=REVIEW_LABEL,
        source_url=_review_url(cast.people["sam"]),
        by=cast.users["manager.cal"],
    )
    # Kai: agreed on Oak after his move, and overdue for review.
    _build(cast, "kai", "nurse.fay", KAI, first_days_ago=180, review_in_days=-12)
    # Lou: three versions on Cedar, review in two months.
    _build(cast, "lou", "nurse.bea", LOU, first_days_ago=360, review_in_days=60)
