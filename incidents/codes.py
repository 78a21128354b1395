"""National codes: MHSDS restrictive intervention types and reasons, and their groups.

Source: NHS Mental Health Services Data Set v5/v6 (MHS505 incidents, MHS515 intervention types).
"""

from django.db import models


class InterventionType(models.TextChoices):
    PRONE = "01", "Physical restraint: prone (face down)"
    STANDING = "07", "Physical restraint: standing"
    ESCORT = "08", "Physical restraint: restrictive escort"
    SUPINE = "09", "Physical restraint: supine (face up)"
    SIDE = "10", "Physical restraint: side"
    SEATED = "11", "Physical restraint: seated"
    KNEELING = "12", "Physical restraint: kneeling"
    PHYSICAL_OTHER = "13", "Physical restraint: other"
    RAPID_TRANQUILLISATION = "14", "Chemical restraint: injection (rapid tranquillisation)"
    INJECTION_NOT_RT = "15", "Chemical restraint: injection (not rapid tranquillisation)"
    ORAL = "16", "Chemical restraint: oral"
    CHEMICAL_OTHER = "17", "Chemical restraint: other"
    MECHANICAL = "04", "Mechanical restraint"
    SECLUSION = "05", "Seclusion"
    SEGREGATION = "06", "Segregation"


class InterventionGroup(models.TextChoices):
    PHYSICAL = "physical", "Physical restraint"
    CHEMICAL = "chemical", "Chemical restraint"
    MECHANICAL = "mechanical", "Mechanical restraint"
    ISOLATION = "isolation", "Seclusion or segregation"


GROUP_OF = {
    **{code: InterventionGroup.PHYSICAL for code in ("01", "07", "08", "09", "10", "11", "12", "13")},
    **{code: InterventionGroup.CHEMICAL for code in ("14", "15", "16", "17")},
    "04": InterventionGroup.MECHANICAL,
    "05": InterventionGroup.ISOLATION,
    "06": InterventionGroup.ISOLATION,
}


def codes_in_group(group: str) -> list[str]:
    return [code for code, g in GROUP_OF.items() if g == group]


class Reason(models.TextChoices):
    VIOLENCE_TO_OTHERS = "10", "To prevent violence to others"
    SELF_HARM = "11", "To prevent serious intentional self-harm"
    ACCIDENTAL_INJURY = "12", "To prevent serious accidental self-injury"
    TREATMENT = "13", "To lawfully give medicine or other treatment"
    PERSONAL_CARE = "14", "To help with personal care"
    NG_FEEDING = "15", "To help with nasogastric feeding"
    OVERACTIVITY = "16", "To prevent extreme and prolonged over-activity"
    DANGEROUS_BEHAVIOUR = "17", "To prevent otherwise dangerous behaviour"
    SEARCH = "18", "To search clothing or property for others' safety"
    ABSCONDING = "19", "To prevent absconding from lawful custody"
    OTHER = "98", "Other"
    NOT_KNOWN = "99", "Not known"


class Harm(models.TextChoices):
    # LFPSE grades physical and psychological harm separately (labels to verify).
    NONE = "none", "No harm"
    LOW = "low", "Low harm"
    MODERATE = "moderate", "Moderate harm"
    SEVERE = "severe", "Severe harm"
    FATAL = "fatal", "Fatal"


class DeathOrSeriousInjury(models.TextChoices):
    NEITHER = "neither", "Neither"
    SERIOUS_INJURY = "serious_injury", "Seriously injured"
    DIED = "died", "Died"


class YesNoUnknown(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_KNOWN = "not_known", "Not known"


DEESCALATION_TECHNIQUES = [
    ("talk_down", "Talking down (calm, soft words)"),
    ("space", "Giving space or time out"),
    ("distraction", "Distraction or diversion"),
    ("offer_choice", "Offering choices"),
    ("quiet_room", "Moving to a quieter place"),
    ("calm_down_methods", "Calm-down methods or comfort items"),
    ("reassurance", "Reassurance"),
    ("safety_plan", "Using the person's safety plan"),
    ("prn_offered", "Offering oral 'as needed' medication"),
    ("familiar_staff", "A familiar member of staff"),
    ("bad_news_mitigation", "Bad news mitigation"),
    ("sensory", "Sensory strategies"),
    ("other", "Something else (describe below)"),
]
