"""Clinical and statutory rules for a complete incident record, written once for pages, API and services.

`submission_problems` lists what stops a draft being submitted (each with the field it belongs to);
`flags` lists what a reviewer must look at but does not block submission (prone over ten minutes,
rapid tranquillisation without hourly observations); `statutory_items` is the s.6(5) checklist.
"""

import datetime
from dataclasses import dataclass

from incidents.codes import InterventionType, YesNoUnknown

HOUR = datetime.timedelta(minutes=60)


@dataclass
class Problem:
    section: str  # "incident" or a child section: "interventions", "staff_involved", ...
    index: int | None  # row within the section, in the order given
    field: str | None
    message: str

    @property
    def key(self) -> str:
        if self.section == "incident":
            return self.field or "__all__"
        return f"{self.section}.{self.index}.{self.field}" if self.index is not None else self.section


REQUIRED = [
    ("started_at", "Enter when the incident started."),
    ("ended_at", "Enter when the incident ended."),
    ("place", "Enter where on the ward it happened."),
    ("reason_code", "Choose the main reason force was used."),
    ("reason_description", "Describe why force was used."),
    ("how_force_used", "Describe how force was used."),
    ("deescalation", "Tick what was tried before force was used."),
    ("deescalation_notes", "Describe what was tried first and how the person responded."),
    ("outcome", "Describe what happened afterwards."),
    ("physical_harm", "Choose the level of physical harm (choose 'No harm' if there was none)."),
    ("psychological_harm", "Choose the level of psychological harm (choose 'No harm' if there was none)."),
    ("care_plan_people_told", "Say whether the people named in the care plan were told."),
    ("immediate_debrief_offered", "Say whether an immediate debrief was offered."),
]


def submission_problems(incident, interventions, staff, notifications) -> list[Problem]:
    """Return what stops `incident` (with these child rows, saved or not) from being submitted."""
    problems = [Problem("incident", None, name, msg) for name, msg in REQUIRED if not getattr(incident, name)]
    if not interventions:
        problems.append(
            Problem(
                "interventions", None, None, "Add at least one intervention: what type of force was used."
            )
        )
    for i, item in enumerate(interventions):
        if item.type_code == InterventionType.PRONE and not (item.prone_reason or "").strip():
            problems.append(
                Problem(
                    "interventions",
                    i,
                    "prone_reason",
                    "Prone restraint needs a reason: say why it could not be avoided "
                    "(Code of Practice 26.70).",
                )
            )
        if incident.started_at and item.started_at and item.started_at < incident.started_at:
            problems.append(
                Problem("interventions", i, "started_at", "An intervention cannot start before the incident.")
            )
        if incident.ended_at and item.ended_at and item.ended_at > incident.ended_at:
            problems.append(
                Problem("interventions", i, "ended_at", "An intervention cannot end after the incident.")
            )
    if not any(s.used_force for s in staff):
        problems.append(
            Problem(
                "staff_involved",
                None,
                None,
                "Add every member of staff who used force, with their name and job title.",
            )
        )
    if incident.care_plan_people_told == YesNoUnknown.YES and not any(n.told for n in notifications):
        problems.append(
            Problem(
                "notifications",
                None,
                None,
                "You said the people in the care plan were told: add who was told and when.",
            )
        )
    return problems


def flags(interventions, observations) -> list[str]:
    """Return warnings for review: they do not stop submission."""
    found = []
    for item in interventions:
        if item.type_code == InterventionType.PRONE and item.duration_minutes > 10:
            found.append(
                f"Prone restraint lasted {item.duration_minutes} minutes (over 10): flagged for review."
            )
    found.extend(rapid_tranquillisation_gaps(interventions, observations))
    return found


def rapid_tranquillisation_gaps(interventions, observations) -> list[str]:
    """Physical health checks after rapid tranquillisation must be at least hourly (NICE QS154)."""
    given = [i.started_at for i in interventions if i.type_code == InterventionType.RAPID_TRANQUILLISATION]
    if not given:
        return []
    first = min(given)
    times = sorted(o.taken_at for o in observations if o.taken_at and o.taken_at >= first)
    if not times:
        return [
            "Rapid tranquillisation was given but no physical health observations are recorded: incomplete."
        ]
    gaps = []
    if times[0] - first > HOUR:
        gaps.append(
            "The first observations after rapid tranquillisation were more than an hour later: incomplete."
        )
    if any(b - a > HOUR for a, b in zip(times, times[1:], strict=False)):
        gaps.append("Observations after rapid tranquillisation were not at least hourly: incomplete.")
    return gaps


@dataclass
class StatutoryItem:
    letter: str
    label: str
    present: bool
    value: str


def statutory_items(incident, interventions, staff, others, notifications) -> list[StatutoryItem]:
    """The 16 items s.6(5) of the Mental Health Units (Use of Force) Act 2018 requires, present or not."""
    person = incident.service_user
    duration = ""
    if incident.started_at and incident.ended_at:
        minutes = round((incident.ended_at - incident.started_at).total_seconds() / 60)
        duration = f"{minutes} minutes"
    users_force = [s for s in staff if s.used_force]
    characteristics = [
        incident.sex,
        incident.ethnicity,
        incident.religion,
        incident.sexual_orientation,
        incident.marital_status,
        incident.pregnancy,
        incident.disability,
        incident.gender_reassignment,
    ]
    known_characteristics = incident.age_at_incident is not None and all(characteristics)

    def item(letter, label, present, value=""):
        return StatutoryItem(letter, label, bool(present), value if present else "")

    return [
        item(
            "a",
            "The reason for the use of force",
            incident.reason_code and incident.reason_description,
            incident.get_reason_code_display(),
        ),
        item(
            "b",
            "Place, date and duration",
            incident.place and incident.started_at and duration,
            f"{incident.place}, {duration}",
        ),
        item(
            "c",
            "Type or types of force used",
            interventions,
            "; ".join(i.get_type_code_display() for i in interventions),
        ),
        item(
            "d",
            "Whether the type(s) of force formed part of the care plan",
            interventions and all(i.in_care_plan != YesNoUnknown.NOT_KNOWN for i in interventions),
            "; ".join(i.get_in_care_plan_display() for i in interventions),
        ),
        item("e", "The patient's name", person.family_name, person.display_name),
        item("f", "How force was used", incident.how_force_used, incident.how_force_used),
        item("g", "The patient's NHS number", person.nhs_number, person.formatted_nhs_number),
        item(
            "h",
            "Name and job title of every member of staff who used force",
            users_force and all(s.name and s.job_title for s in users_force),
            "; ".join(f"{s.name}, {s.job_title}" for s in users_force),
        ),
        item(
            "i",
            "Why anyone who was not staff was involved",
            all(o.reason for o in others),
            "; ".join(f"{o.who}: {o.reason}" for o in others) or "Nobody",
        ),
        item("j", "The patient's mental disorder, if known", True, incident.mental_disorder or "Not known"),
        item(
            "k",
            "The patient's relevant characteristics",
            known_characteristics,
            f"Age {incident.age_at_incident}" if incident.age_at_incident is not None else "",
        ),
        item(
            "l",
            "Whether the patient has a learning disability or autism",
            incident.learning_disability and incident.autism,
            f"Learning disability: {incident.learning_disability or '-'}; autistic: {incident.autism or '-'}",
        ),
        item("m", "A description of the outcome", incident.outcome, incident.outcome),
        item(
            "n",
            "Whether the patient died or was seriously injured",
            incident.death_or_serious_injury,
            incident.get_death_or_serious_injury_display(),
        ),
        item(
            "o",
            "Efforts made to avoid force",
            incident.deescalation or incident.deescalation_notes,
            ", ".join(incident.deescalation_labels()),
        ),
        item(
            "p",
            "Whether the people named in the care plan were told",
            incident.care_plan_people_told,
            incident.get_care_plan_people_told_display(),
        ),
    ]
