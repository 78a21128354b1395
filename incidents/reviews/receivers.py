"""Reactions to other apps' events."""


def create_review_on_submit(sender, incident, by=None, **kwargs):
    """Every submitted incident gets its post incident review, inside the submit transaction."""
    from incidents.reviews.services import review_create_for_incident

    review_create_for_incident(incident=incident, by=by)


def end_carer_support_on_withdrawal(sender, link, by=None, **kwargs):
    """When the person withdraws a carer's consent, that carer stops supporting them on open reviews."""
    from incidents.reviews.services import supporters_end_for_carer

    if link.withdrawn_at is not None:
        supporters_end_for_carer(carer=link.carer, service_user=link.service_user, by=by)
