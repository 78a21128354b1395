from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "incidents.reviews"
    label = "reviews"
    verbose_name = "Post incident reviews"

    def ready(self):
        from incidents.models import Incident
        from incidents.reviews import receivers
        from incidents.reviews.models import Review
        from incidents.reviews.permissions import possible_wards
        from incidents.signals import incident_submitted
        from rrp import permissions
        from rrp.models import CarerLink
        from rrp.signals import carer_consent_changed

        permissions.narrow(Review, "ward", possible_wards)

        incident_submitted.connect(
            receivers.create_review_on_submit, sender=Incident, dispatch_uid="reviews_create_on_submit"
        )
        carer_consent_changed.connect(
            receivers.end_carer_support_on_withdrawal,
            sender=CarerLink,
            dispatch_uid="reviews_carer_withdrawn",
        )
