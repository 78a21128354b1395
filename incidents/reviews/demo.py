"""Demo reviews in every state, made through the services. Synthetic data only; safe to run twice.

Runs after the incidents demo: every submitted incident gets its review (normally the submit signal
did that already), then old reviews are closed, recent ones left at different stages, and on Willow
the review actions that challenged the 10pm bedtime rule lead up to its lifting.
"""

import datetime

from django.db.models import Q

from incidents.models import Incident, Intervention, StaffInvolvement
from incidents.reviews import services
from incidents.reviews.models import Account, Review, ReviewAction
from rrp import permissions
from rrp.models import Admission

WARD_STAFF = {
    "Willow": ["nurse.ash", "hca.eli"],
    "Oak": ["nurse.fay"],
    "Cedar": ["nurse.bea", "hca.ivy"],
}
MANAGERS = {"Willow": "manager.cal", "Oak": "manager.gus", "Cedar": "manager.hal"}

DECLINE_REASONS = [
    "Doesn't want to go over it again so soon.",
    "Said they would rather talk to their named nurse another time.",
    "Too unsettled to take part this week.",
    "Said the review would not change anything.",
]
TRIGGERS = [
    "Told leave was cancelled because of staffing",
    "Phone call with family that ended badly",
    "Another patient shouting in the corridor",
    "Asked to go to their bedroom at 10pm when still wound up",
    "Waited a long time for PRN medication",
]
WARNING_SIGNS = ["Pacing the corridor", "Not answering when spoken to", "Clenched fists, raised voice"]
TRIED = [
    "Offered time in the garden",
    "Talked with the named nurse",
    "Offered PRN medication",
    "Quiet lounge",
]
PERSON_ACCOUNTS = [
    "I was already upset after the phone call and nobody asked me what was wrong. When they told me "
    "to go to my room I felt cornered.",
    "I wanted to be left alone for ten minutes. Too many staff came at once and I panicked.",
    "I knew I was getting wound up. I asked for my PRN earlier and it didn't come.",
]
PERSON_HELPED = [
    "Someone I trust talking to me on my own, not a group of staff.",
    "Being allowed to stay in the lounge quietly instead of being sent to bed.",
    "Getting my medication when I first asked.",
]
STAFF_HELPED = [
    "Spotting the pacing earlier and offering one-to-one time then.",
    "Fewer people in the corridor and one person leading the talk-down.",
    "A clear plan for evenings in the safety plan.",
]
BEDTIME_ACTION = (
    "Challenge the ward rule that everyone must be in their bedroom by 10pm: several restraints this "
    "season started when someone still wound up was sent to their room."
)


def seed(cast) -> None:
    now = cast.now
    if not Incident.objects.counted().exists():
        _fallback_incidents(cast)
    for incident in Incident.objects.counted().filter(review__isnull=True).select_related("ward__division"):
        services.review_create_for_incident(
            incident=incident, by=incident.submitted_by or incident.reported_by
        )
    if Account.objects.exists() or Review.objects.closed().exists():
        return
    reviews = list(
        Review.objects.live()
        .select_related("incident__ward__division", "incident__service_user__user")
        .order_by("incident__started_at")
    )
    recent_cutoff = now - datetime.timedelta(days=12)
    old = [r for r in reviews if r.incident.started_at and r.incident.started_at < recent_cutoff]
    recent = [r for r in reviews if r not in old]
    sam = cast.people["sam"]
    sam_old = [r for r in old if r.incident.service_user_id == sam.pk]
    disagreement = sam_old[-1] if sam_old else None
    lifted = cast.willow_rule_lifted
    bedtime_reviews = [
        r
        for r in old
        if r.incident.ward.name == "Willow"
        and lifted - datetime.timedelta(days=120)
        <= r.incident.started_at
        < lifted - datetime.timedelta(days=20)
    ][-3:]
    for review in old:
        _close(cast, review, disagreement=review is disagreement, bedtime=review in bedtime_reviews)
    _open_states(cast, recent)


def _staff(cast, review, exclude=()):
    names = [n for n in WARD_STAFF.get(review.incident.ward.name, []) if n in cast.users]
    users = [cast.users[n] for n in names if cast.users[n].pk not in exclude]
    return users or [cast.users[MANAGERS[review.incident.ward.name]]]


def _involved(review) -> set[int]:
    return services.involved_staff_ids(review)


def _facilitator(cast, review):
    involved = _involved(review)
    manager = cast.users[MANAGERS[review.incident.ward.name]]
    if manager.pk not in involved:
        return manager
    return services.facilitator_candidates(review).first()


def _debrief(cast, review, by):
    ended = review.incident.ended_at or review.incident.started_at
    services.debrief_record(
        review=review,
        by=by,
        held_at=ended + datetime.timedelta(minutes=cast.rng.randrange(20, 90)),
        who_attended="Nurse in charge, a healthcare assistant and the person",
        how_the_person_was=cast.rng.choice(
            ["Tearful but calmer", "Still angry, wanted space", "Quiet, tired"]
        ),
        physical_check=cast.rng.choice(
            [
                "No injuries seen. Observations normal.",
                "Graze on the left forearm, cleaned. Observations hourly until settled.",
                "After rapid tranquillisation: vital signs, hydration and consciousness checked hourly; "
                "no concerns after four hours.",
            ]
        ),
    )


def _pathway(cast, review, staff, person_user):
    rng = cast.rng
    started = review.incident.started_at
    services.pathway_add(
        review=review,
        by=staff,
        phase="before",
        text=rng.choice(
            ["Busy evening, two staff on breaks", "Quiet morning on the ward", "Ward round ran late"]
        ),
        happened_at=started - datetime.timedelta(hours=2),
    )
    services.pathway_add(
        review=review,
        by=person_user or staff,
        phase="triggers",
        text=rng.choice(TRIGGERS),
        happened_at=started - datetime.timedelta(minutes=40),
    )
    services.pathway_add(review=review, by=staff, phase="early_warning", text=rng.choice(WARNING_SIGNS))
    services.pathway_add(review=review, by=staff, phase="tried", text=rng.choice(TRIED))


def _close(cast, review, *, disagreement=False, bedtime=False):
    rng = cast.rng
    incident = review.incident
    staff = _staff(cast, review)[0]
    facilitator = _facilitator(cast, review)
    person_user = incident.service_user.user
    ended = incident.ended_at or incident.started_at
    _debrief(cast, review, staff)
    services.facilitator_assign(
        review=review, facilitator=facilitator, by=cast.users[MANAGERS[incident.ward.name]]
    )
    # More reviews held with the person, and sooner, on Willow once the bedtime rule went.
    better = incident.ward.name != "Willow" or incident.started_at > cast.willow_rule_lifted
    declined = rng.random() < (0.15 if better else 0.35) and not disagreement and not bedtime
    if declined:
        services.participation_record(
            review=review,
            by=person_user or staff,
            participation="declined",
            reason=rng.choice(DECLINE_REASONS),
        )
    else:
        services.participation_record(review=review, by=person_user or staff, participation="taking_part")
        if person_user:
            services.account_save(
                review=review,
                by=person_user,
                kind="person",
                what_happened=rng.choice(PERSON_ACCOUNTS),
                what_would_have_helped=rng.choice(PERSON_HELPED),
                share=True,
            )
        hours = rng.randrange(12, 60) if better or rng.random() < 0.5 else rng.randrange(75, 160)
        held = min(ended + datetime.timedelta(hours=hours), cast.now - datetime.timedelta(hours=1))
        services.meeting_record(review=review, by=staff, held_at=held)
    services.account_save(
        review=review,
        by=staff,
        kind="staff",
        what_happened="I was nearby when it started and helped hold in the standing position.",
        what_would_have_helped=rng.choice(STAFF_HELPED),
        share=True,
    )
    _pathway(cast, review, staff, person_user if not declined else None)
    point = None
    if disagreement or bedtime or rng.random() < 0.35:
        point = services.learning_add(
            review=review, by=staff, text="Offer one-to-one time as soon as early warning signs show"
        )
    if point and person_user and not declined:
        if disagreement:
            services.learning_respond(
                point=point,
                by=person_user,
                response="disagreed",
                view="It wasn't about one-to-one time. Being sent to my room at 10pm is what wound me up.",
            )
        else:
            services.learning_respond(point=point, by=person_user, response="agreed")
    if bedtime:
        action = services.action_create(
            review=review,
            by=staff,
            kind=ReviewAction.Kind.BLANKET_RULE,
            description=BEDTIME_ACTION,
            owner=cast.users["manager.cal"],
            due_date=(cast.willow_rule_lifted - datetime.timedelta(days=7)).date(),
        )
        services.action_update(
            action=action,
            by=cast.users["manager.cal"],
            version=action.version,
            status=ReviewAction.Status.DONE,
            outcome="Challenge raised; the ward governance meeting lifted the 10pm bedtime rule.",
            at=cast.willow_rule_lifted,
        )
    elif rng.random() < 0.4:
        action = services.action_create(
            review=review,
            by=staff,
            kind=rng.choice([ReviewAction.Kind.WARD_PRACTICE, ReviewAction.Kind.SAFETY_PLAN]),
            description=rng.choice(
                [
                    "Add 'pacing the corridor' to the early warning signs in the safety plan",
                    "One person leads any talk-down; others stay back unless asked",
                    "Check PRN requests within 15 minutes in the evening",
                ]
            ),
            owner=staff,
            due_date=(ended + datetime.timedelta(days=14)).date(),
        )
        services.action_update(
            action=action, by=staff, version=action.version, status="done", outcome="Done.", at=ended
        )
    review.refresh_from_db()
    services.summary_save(
        review=review,
        by=facilitator,
        summary="We looked at what led up to the incident together. Early signs were there and "
        "one-to-one time was offered late. The actions above are agreed.",
        version=review.version,
    )
    at = review.held_at or ended + datetime.timedelta(days=2)
    at = min(at + datetime.timedelta(hours=6), cast.now)
    if person_user and not declined:
        if disagreement:
            services.summary_agree(
                review=review,
                by=person_user,
                agreement="disagreed",
                note="The summary leaves out that I asked for help first and was told to wait.",
                at=at,
            )
        else:
            services.summary_agree(review=review, by=person_user, agreement="agreed", at=at)
    services.summary_agree(review=review, by=facilitator, at=at)
    services.review_close(review=review, by=cast.users[MANAGERS[incident.ward.name]], at=at)


def _open_states(cast, recent):
    """Leave recent reviews at different stages: just invited, Sam's own account, supported, declined."""
    sam_user = cast.users["sam"]
    stages = iter(["sam_account", "supported", "declined", "staff_only"])
    for review in sorted(recent, key=lambda r: r.incident.started_at, reverse=True):
        person_user = review.incident.service_user.user
        staff = _staff(cast, review)[0]
        if person_user == sam_user and not review.accounts.exists():
            stage = next(stages, "invited")
        elif person_user and person_user != sam_user:
            stage = "declined" if review.incident.ward.name == "Cedar" else "staff_only"
        else:
            stage = cast.rng.choice(["invited", "staff_only"])
        _debrief(cast, review, staff)
        if stage == "invited":
            continue
        services.account_save(
            review=review,
            by=staff,
            kind="staff",
            what_happened="I was the nurse in charge. I saw him pacing for about half an hour beforehand.",
            what_would_have_helped=cast.rng.choice(STAFF_HELPED),
            share=True,
        )
        if stage == "staff_only":
            services.pathway_add(
                review=review, by=staff, phase="early_warning", text=cast.rng.choice(WARNING_SIGNS)
            )
        elif stage == "declined":
            services.participation_record(
                review=review,
                by=person_user,
                participation="declined",
                reason="I don't want to talk about it. I just want to move on.",
            )
        elif stage == "sam_account":
            draft = services.account_save(
                review=review, by=sam_user, kind="person", what_happened="I was upset after the phone call"
            )
            services.account_save(
                review=review,
                by=sam_user,
                kind="person",
                what_happened="I was upset after the phone call with my mum and nobody asked me what "
                "was wrong. When three staff came towards me I thought I was going to be hurt.",
                what_would_have_helped="One person I know talking to me quietly, away from everyone.",
                share=True,
                version=draft.version,
            )
            services.pathway_add(
                review=review, by=sam_user, phase="triggers", text="Phone call with my mum that went badly"
            )
            services.pathway_add(
                review=review, by=staff, phase="early_warning", text="Pacing near the office"
            )
            services.action_create(
                review=review,
                by=staff,
                kind=ReviewAction.Kind.SAFETY_PLAN,
                description="Add 'pacing near the office' to Sam's early warning signs, and 'talk to one "
                "person I know, away from everyone' to what helps.",
                owner=cast.users["nurse.ash"],
                due_date=(cast.now + datetime.timedelta(days=5)).date(),
            )
            services.facilitator_assign(
                review=review,
                facilitator=services.facilitator_candidates(review).filter(username="manager.cal").first()
                or services.facilitator_candidates(review).first(),
                by=cast.users["manager.cal"],
            )
        elif stage == "supported":
            services.supporter_invite(review=review, supporter=cast.users["peer.jo"], by=sam_user)
            services.account_save(
                review=review,
                by=cast.users["peer.jo"],
                kind="person",
                what_happened="Sam told me he had asked to speak to someone twice before it happened.",
            )


def _fallback_incidents(cast) -> None:
    """Without the incidents demo (this app on its own), add a small set of submitted incidents."""
    rng = cast.rng
    day = cast.start + datetime.timedelta(days=3)
    while day < cast.now - datetime.timedelta(days=1):
        for ward_name, ward in cast.wards.items():
            rate = {"Willow": 0.10 if day < cast.willow_rule_lifted else 0.035, "Oak": 0.05, "Cedar": 0.07}
            if rng.random() >= rate[ward_name] * 3:
                continue
            started = day + datetime.timedelta(hours=rng.randrange(0, 12), minutes=rng.randrange(60))
            if started >= cast.now - datetime.timedelta(hours=3):
                continue
            admission = _admission_at(
                rng, ward, started, prefer=cast.people["sam"] if ward_name == "Willow" else None
            )
            if admission is None:
                continue
            _fallback_incident(cast, ward, admission, started)
        day += datetime.timedelta(days=3)
    # Recent incidents so open reviews show on home pages.
    for name, hours in (("sam", 30), ("sam", 60), ("sam", 100), ("sam", 140), ("lou", 50), ("kai", 80)):
        person = cast.people[name]
        admission = person.current_admission
        _fallback_incident(cast, admission.ward, admission, cast.now - datetime.timedelta(hours=hours))


def _admission_at(rng, ward, moment, prefer=None):
    admissions = Admission.objects.filter(ward=ward, start__lte=moment).filter(
        Q(end__isnull=True) | Q(end__gt=moment)
    )
    if prefer is not None and rng.random() < 0.35:
        chosen = admissions.filter(service_user=prefer).first()
        if chosen:
            return chosen
    candidates = list(admissions.order_by("pk"))
    return rng.choice(candidates) if candidates else None


def _fallback_incident(cast, ward, admission, started):
    rng = cast.rng
    staff_names = [n for n in WARD_STAFF[ward.name] if n in cast.users]
    reporter = cast.users[staff_names[0]]
    minutes = rng.randrange(3, 25)
    ended = started + datetime.timedelta(minutes=minutes)
    incident = Incident(
        service_user=admission.service_user,
        ward=ward,
        admission=admission,
        place=rng.choice(["Lounge", "Corridor", "Bedroom", "Dining room"]),
        started_at=started,
        ended_at=ended,
        reason_code=rng.choice(["10", "11", "17"]),
        reason_description="To keep the person and others safe.",
        how_force_used="Held in the standing position by two staff.",
        status=Incident.Status.SUBMITTED,
        reported_by=reporter,
        submitted_at=ended + datetime.timedelta(hours=1),
        submitted_by=reporter,
    )
    incident._history_user = reporter
    incident.save()
    Intervention.objects.create(
        incident=incident, type_code=rng.choice(["07", "07", "11", "01"]), started_at=started, ended_at=ended
    )
    StaffInvolvement.objects.create(
        incident=incident, staff=reporter, name=reporter.get_full_name(), job_title=reporter.staff.job_title
    )
    reason = "demo incident"
    permissions.grant(["view", "change"], to=ward.staff_group, obj=incident, by=reporter, reason=reason)
    permissions.grant(["view"], to=ward.division.leads_group, obj=incident, by=reporter, reason=reason)
    if admission.service_user.user_id:
        permissions.grant(["view"], to=admission.service_user.user, obj=incident, by=reporter, reason=reason)
    services.review_create_for_incident(incident=incident, by=reporter)
    return incident
