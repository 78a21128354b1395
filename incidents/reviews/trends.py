"""Review measures for the trend charts: held with the person, and held in time."""

from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth

LONDON = ZoneInfo("Europe/London")


def review_measures(incidents) -> dict:
    """Count, per ward and London month, incidents and their reviews held with the person and in time.

    `incidents` is an already scoped and filtered Incident queryset (the counted incidents).
    Returns {(ward_id, month_start_date): {"incidents": n, "with_person": n, "within_due": n}}.
    """
    rows = (
        incidents.annotate(month=TruncMonth("started_at", tzinfo=LONDON))
        .values("ward_id", "month")
        .annotate(
            n=Count("pk", distinct=True),
            with_person=Count("pk", filter=Q(review__held_with_service_user=True), distinct=True),
            within_due=Count("pk", filter=Q(review__held_at__lte=F("review__due_at")), distinct=True),
        )
        .order_by("ward_id", "month")
    )
    result = {}
    for row in rows:
        month = row["month"]
        if month is None:
            continue
        if hasattr(month, "date"):
            month = month.date()
        result[(row["ward_id"], month)] = {
            "incidents": row["n"],
            "with_person": row["with_person"],
            "within_due": row["within_due"],
        }
    return result


def review_facts(incidents) -> dict:
    """{incident_id: (held with the person, held by its due time)} for those of `incidents` with a review."""
    from incidents.reviews.models import Review

    rows = Review.objects.filter(incident__in=incidents).values_list(
        "incident_id", "held_with_service_user", "held_at", "due_at"
    )
    return {
        pk: (with_person is True, held is not None and held <= due) for pk, with_person, held, due in rows
    }


def review_models() -> list:
    """Saving or deleting these changes `review_facts`."""
    from incidents.reviews.models import Review

    return [Review]
