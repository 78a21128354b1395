"""The review panel's view of a closed review: no names, no NHS number, no staff names, months not days.

Free text is passed through a redactor that removes every name the system knows is connected with
the review (the person, their supporter, every member of staff involved or writing) and the NHS number.
"""

import re

from django.contrib.auth.models import User
from django.utils import timezone

from incidents.reviews.models import Account, Review

REMOVED = "[name removed]"


def _month(moment) -> str:
    return f"{timezone.localtime(moment):%B %Y}" if moment else "Not known"


def _names(review: Review) -> list[str]:
    incident = review.incident
    person = incident.service_user
    words = {person.given_name, person.family_name, person.preferred_name, person.display_name}
    user_ids = {review.facilitator_id, review.supporter_id, review.closed_by_id, incident.reported_by_id}
    user_ids |= set(review.accounts.values_list("author_id", flat=True))
    user_ids |= set(review.accounts.values_list("last_written_by_id", flat=True))
    user_ids |= set(review.pathway.values_list("added_by_id", flat=True))
    user_ids |= set(review.learning.values_list("proposed_by_id", flat=True))
    user_ids |= set(review.actions.values_list("owner_id", flat=True))
    user_ids |= set(review.actions.values_list("created_by_id", flat=True))
    if person.user_id:
        user_ids.add(person.user_id)
    for involved in incident.staff_involved.all():
        words.add(involved.name)
        words.update(involved.name.split())
        if involved.staff_id:
            user_ids.add(involved.staff_id)
    for first, last, username in User.objects.filter(pk__in=user_ids - {None}).values_list(
        "first_name", "last_name", "username"
    ):
        words.update({first, last, f"{first} {last}", username})
    # Longest first, so "Sam Taylor" goes before "Sam".
    return sorted({w.strip() for w in words if w and len(w.strip()) > 1}, key=len, reverse=True)


def redactor(review: Review):
    names = _names(review)
    nhs = review.incident.service_user.nhs_number
    name_pattern = (
        re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b", re.IGNORECASE) if names else None
    )
    nhs_pattern = re.compile(r"\s?".join(re.escape(d) for d in nhs))

    def redact(text: str) -> str:
        if not text:
            return ""
        text = nhs_pattern.sub("[NHS number removed]", text)
        return name_pattern.sub(REMOVED, text) if name_pattern else text

    return redact


def panel_view(review: Review, *, with_detail: bool = True) -> dict:
    """Return a plain dict of what the panel may see of a closed review."""
    incident = review.incident
    redact = redactor(review)
    item = {
        "id": review.pk,
        "ward": incident.ward.name,
        "division": incident.ward.division.name,
        "incident_month": _month(incident.started_at),
        "closed_month": _month(review.closed_at),
        "held_with_service_user": review.held_with_service_user,
        "held_with_staff": review.held_with_staff,
        "interventions": [
            {"type": i.get_type_code_display(), "minutes": i.duration_minutes}
            for i in incident.interventions.all()
        ],
        "reason": incident.get_reason_code_display() if incident.reason_code else "",
        "panel_learning_count": review.panel_learning.count(),
    }
    if not with_detail:
        return item
    accounts = review.accounts.shared().select_related("author__staff")
    item.update(
        {
            "took_part": review.get_participation_display(),
            "not_held_reason": redact(review.not_held_reason),
            "supported_by": review.get_supporter_kind_display() if review.supporter_kind else "",
            "person_account": next(
                (
                    {
                        "what_happened": redact(a.what_happened),
                        "what_would_have_helped": redact(a.what_would_have_helped),
                        "written_with_support": a.written_with_support,
                    }
                    for a in accounts
                    if a.kind == Account.Kind.PERSON
                ),
                None,
            ),
            "staff_accounts": [
                {
                    "job_title": getattr(getattr(a.author, "staff", None), "job_title", "Member of staff"),
                    "what_happened": redact(a.what_happened),
                    "what_would_have_helped": redact(a.what_would_have_helped),
                }
                for a in accounts
                if a.kind == Account.Kind.STAFF
            ],
            "pathway": [
                {"phase": e.get_phase_display(), "side": e.get_side_display(), "text": redact(e.text)}
                for e in review.pathway.all()
            ],
            "learning": [
                {
                    "text": redact(p.text),
                    "proposed_by": p.get_side_display(),
                    "person_response": p.get_person_response_display(),
                    "person_view": redact(p.person_view),
                    "staff_response": p.get_staff_response_display(),
                    "staff_view": redact(p.staff_view),
                    "disagreed": p.is_disagreed,
                }
                for p in review.learning.all()
            ],
            "actions": [
                {
                    "kind": a.get_kind_display(),
                    "description": redact(a.description),
                    "status": a.get_status_display(),
                }
                for a in review.actions.all()
            ],
            "summary": redact(review.summary),
            "person_agreement": review.get_person_agreement_display() if review.person_agreement else "",
            "person_agreement_note": redact(review.person_agreement_note),
            "panel_learning": [
                {"month": _month(p.written_at), "text": redact(p.text)} for p in review.panel_learning.all()
            ],
        }
    )
    return item
