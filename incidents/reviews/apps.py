from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "incidents.reviews"
    label = "reviews"
    verbose_name = "Post incident reviews"

    def ready(self):
        from incidents.models import Incident
        from incidents.reviews import receivers
        from incidents.signals import incident_submitted

        incident_submitted.connect(
            receivers.create_review_on_submit, sender=Incident, dispatch_uid="reviews_create_on_submit"
        )
