"""Reactions to other apps' events."""


def create_review_on_submit(sender, incident, by=None, **kwargs):
    """Every submitted incident gets its post incident review, inside the submit transaction."""
    from incidents.reviews.services import review_create_for_incident

    review_create_for_incident(incident=incident, by=by)
